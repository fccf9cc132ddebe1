"""The challenge board (揭榜挂帅): challenges posted, claims on them, milestones, acceptance,
and the notifications each transition sends.

A challenge and each claim have a state; `studios.services.challenge_flow` holds the one table
of transitions between them. Files attached to a challenge, a claim or a milestone report
follow the courseware upload rules and are kept in `challenge_files`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class ChallengeState(StrEnum):
    """Where a challenge is, from its draft to its accepted result."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for an alliance admin's review
    REJECTED = "rejected"  # by the review, with a reason; the poster may edit and resubmit
    OPEN = "open"  # on the board; claims until the deadline
    CANCELLED = "cancelled"  # by the poster, before any winner was selected
    SELECTED = "selected"  # winners chosen, milestones set: claiming closed, delivery under way
    FINISHED = "finished"  # every winner's delivery accepted or failed


class ClaimState(StrEnum):
    """Where a studio's claim (揭榜) is."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    SELECTED = "selected"  # a winner: delivering against its milestones
    NOT_SELECTED = "not_selected"
    DELIVERED = "delivered"  # every milestone confirmed: waiting for acceptance
    PASSED = "passed"  # accepted: published as a result
    FAILED = "failed"


class MilestoneState(StrEnum):
    """Where a winner's milestone is."""

    PENDING = "pending"
    REPORTED = "reported"  # the winner reported it done
    CONFIRMED = "confirmed"  # the poster confirmed it


class Challenge(db.Model):
    """A technical problem posted with a reward (发榜), by an enterprise or a studio."""

    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint(
            "(poster_enterprise_id IS NULL) <> (poster_studio_id IS NULL)",
            name="posted_by_enterprise_or_studio",
        ),
        CheckConstraint("reward_fen >= 0", name="reward_not_negative"),
        CheckConstraint("winners_wanted >= 1", name="at_least_one_winner"),
        Index("ix_challenges_state_deadline", "state", "deadline"),
        Index("ix_challenges_field_state", "field", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    problem: Mapped[str] = mapped_column(Text)
    indicators: Mapped[str] = mapped_column(Text, default="")  # targets and acceptance criteria
    requirements: Mapped[str] = mapped_column(Text, default="")  # what claimants must have
    field: Mapped[str] = mapped_column(String(40), default="")  # 领域, e.g. 智能制造
    reward_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    deadline: Mapped[datetime]  # claims close (naive UTC)
    winners_wanted: Mapped[int] = mapped_column(default=1)  # more than 1: a horse race (赛马)
    state: Mapped[ChallengeState] = mapped_column(
        enum_type(ChallengeState), default=ChallengeState.DRAFT
    )
    poster_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    poster_studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"))
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id"))  # reviews it
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    selected_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    result_summary: Mapped[str] = mapped_column(Text, default="")  # published with the result
    benefit_fen: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChallengeTrade(db.Model):
    """A trade tag of a challenge."""

    __tablename__ = "challenge_trades"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), primary_key=True, index=True)


class ChallengeClaim(db.Model):
    """A studio's claim on a challenge with its proposal; one per studio and challenge."""

    __tablename__ = "challenge_claims"
    __table_args__ = (
        UniqueConstraint("challenge_id", "studio_id"),
        Index("ix_challenge_claims_studio_id_state", "studio_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    claimed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ClaimState] = mapped_column(enum_type(ClaimState), default=ClaimState.ACTIVE)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]  # shortlisted, selected or not
    delivered_at: Mapped[datetime | None]


class Milestone(db.Model):
    """A step of a winner's delivery, with its due date set at selection."""

    __tablename__ = "challenge_milestones"
    __table_args__ = (
        UniqueConstraint("claim_id", "position"),
        Index("ix_challenge_milestones_state_due_on", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("challenge_claims.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date]
    state: Mapped[MilestoneState] = mapped_column(
        enum_type(MilestoneState), default=MilestoneState.PENDING
    )
    reported_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MilestoneReport(db.Model):
    """The winner's progress report on a milestone (text; files in challenge_files)."""

    __tablename__ = "challenge_milestone_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("challenge_milestones.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Acceptance(db.Model):
    """The poster's verdict on a winner's delivery (验收), optionally with an expert panel."""

    __tablename__ = "challenge_acceptances"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("challenge_claims.id", ondelete="CASCADE"), primary_key=True
    )
    passed: Mapped[bool]
    rating: Mapped[int]  # 1–5
    comments: Mapped[str] = mapped_column(Text, default="")
    experts: Mapped[list[str]] = mapped_column(JSON, default=list)  # the panel's names
    benefit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChallengeFile(db.Model):
    """A file attached to a challenge, a claim or a milestone report (courseware rules)."""

    __tablename__ = "challenge_files"
    __table_args__ = (
        CheckConstraint("(claim_id IS NULL OR report_id IS NULL)", name="attached_to_one_thing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("challenge_claims.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("challenge_milestone_reports.id"))
    storage_key: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app notification of a transition that concerns the user (the bell)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # the transition, e.g. "challenge.opened"
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE")
    )
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # for the message's placeholders
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
