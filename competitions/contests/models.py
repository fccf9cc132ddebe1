"""Skills contests: the contest and its rules, groups, staff, entries and their members.

The marking scheme, judges' panels, marks and appeals are in `marking_models`. Raw facts
only: ranks, totals, prizes and titles are computed (competitions.contests.scoring and
ranking), never stored.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guild.extensions import db, enum_type
from guild.timeutil import utcnow

DEFAULT_PRIZE_QUOTAS = [0.10, 0.20, 0.30]
DEFAULT_TIE_BREAK = ["practical", "theory", "time"]


class Stage(StrEnum):
    """Where a contest is in its lifecycle; each step only moves forward (but appeals may
    reopen an aspect while results are in publicity)."""

    DRAFT = "draft"
    REGISTRATION = "registration"
    DRAWN = "drawn"  # lots drawn: entry codes and stations given
    THEORY = "theory"
    PRACTICAL = "practical"
    LOCKED = "locked"  # every criterion locked by the chief judge
    REVEALED = "revealed"  # codes mapped to names by the encryption officer
    PUBLICITY = "publicity"  # results published, appeals open
    FINAL = "final"


class StaffRole(StrEnum):
    """What a member of a contest's staff does in it."""

    CHIEF_JUDGE = "chief_judge"
    JUDGE = "judge"
    ENCRYPTION_OFFICER = "encryption_officer"


class EntryStatus(StrEnum):
    """Whether an entry takes part."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Contest(db.Model):
    """A skills contest (职业技能竞赛) of one trade: theory paper plus practical task."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), index=True)
    level: Mapped[str | None] = mapped_column(String(2))  # a SkillLevel, or open to all
    stage: Mapped[Stage] = mapped_column(enum_type(Stage), default=Stage.DRAFT)
    team_size: Mapped[int] = mapped_column(default=1)  # 1: individual
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    quota_per_enterprise: Mapped[int | None]  # entries an enterprise may field
    theory_blueprint_id: Mapped[int | None] = mapped_column(ForeignKey("exam_blueprints.id"))
    theory_opens_at: Mapped[datetime | None]
    theory_closes_at: Mapped[datetime | None]
    theory_weight: Mapped[float] = mapped_column(default=0.3)
    prize_quotas: Mapped[list[float]] = mapped_column(JSON, default=DEFAULT_PRIZE_QUOTAS.copy)
    prize_minimum: Mapped[float] = mapped_column(default=0.0)
    title_name: Mapped[str] = mapped_column(String(40), default="")  # e.g. 技术能手
    title_count: Mapped[int] = mapped_column(default=0)
    tie_break: Mapped[list[str]] = mapped_column(JSON, default=DEFAULT_TIE_BREAK.copy)
    appeal_days: Mapped[int] = mapped_column(default=5)
    spread_limit: Mapped[float] = mapped_column(default=1.0)
    # Bumped in the transaction of every mark change: the results cache's key.
    marks_version: Mapped[int] = mapped_column(default=0)
    lot_seed: Mapped[str | None] = mapped_column(String(64))  # secret until reveal
    lot_fingerprint: Mapped[str | None] = mapped_column(String(64))
    lot_stations: Mapped[list[str] | None] = mapped_column(JSON)  # the draw's labels
    lots_drawn_at: Mapped[datetime | None]
    revealed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    appeals_close_at: Mapped[datetime | None]
    finalised_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    groups: Mapped[list["ContestGroup"]] = relationship(
        cascade="all, delete-orphan", order_by="ContestGroup.position", lazy="selectin"
    )

    @property
    def is_team(self) -> bool:
        """Tell whether entries are teams."""
        return self.team_size > 1


class ContestGroup(db.Model):
    """A group (组别) of a contest: entrants are ranked within their group."""

    __tablename__ = "contest_groups"
    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)


class ContestStaff(db.Model):
    """A user's part in a contest: chief judge, judge or encryption officer."""

    __tablename__ = "contest_staff"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole), primary_key=True)
    # Recusal compares this with entrants' enterprises; kept as it was when appointed.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Entry(db.Model):
    """An entry: one worker, or a team entered by its enterprise contact."""

    __tablename__ = "contest_entries"
    __table_args__ = (
        UniqueConstraint("contest_id", "code"),
        UniqueConstraint("contest_id", "station"),
        Index("ix_contest_entries_contest_id_status", "contest_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("contest_groups.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    team_name: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus), default=EntryStatus.PENDING)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    code: Mapped[str | None] = mapped_column(String(24))  # entry code, from the draw
    station: Mapped[str | None] = mapped_column(String(12))
    theory_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))

    members: Mapped[list["EntryMember"]] = relationship(
        cascade="all, delete-orphan", order_by="EntryMember.position", lazy="selectin"
    )


class EntryMember(db.Model):
    """A worker in an entry; a worker enters a contest once."""

    __tablename__ = "contest_entry_members"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=1)  # 1: the captain of a team
