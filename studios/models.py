"""Alliances, studios and their people: who belongs where, and who approved it.

Publications (patents, achievements, courseware) are in `publication_models`, events and the
annual evaluation in `activity_models`, the search index in `search_models`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class AllianceKind(StrEnum):
    """Where an alliance sits: the province's one, or a city's or an industry's under it."""

    PROVINCIAL = "provincial"
    CITY = "city"
    INDUSTRY = "industry"


class StudioLevel(StrEnum):
    """The rank a studio was named at (劳模工匠创新工作室 级别)."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    ENTERPRISE = "enterprise"


class Decision(StrEnum):
    """Where an application (a studio's founding, a studio joining an alliance) stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # a membership the studio left, or an application taken back


class MemberRole(StrEnum):
    """A person's part in a studio."""

    LEADER = "leader"
    MEMBER = "member"


class MemberStatus(StrEnum):
    """Where a studio membership stands."""

    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    LEFT = "left"


class Alliance(db.Model):
    """An alliance (联盟) of studios: the provincial one, or a city or industry one under it."""

    __tablename__ = "alliances"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[AllianceKind] = mapped_column(enum_type(AllianceKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id"), index=True)
    city: Mapped[str] = mapped_column(String(20), default="")  # of a city alliance
    industry: Mapped[str] = mapped_column(String(40), default="")  # of an industry alliance
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AllianceAdmin(db.Model):
    """A user who approves studios and memberships for an alliance."""

    __tablename__ = "alliance_admins"

    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Studio(db.Model):
    """A model-worker or craftsman innovation studio (劳模工匠创新工作室)."""

    __tablename__ = "studios"
    __table_args__ = (Index("ix_studios_status_city", "status", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    city: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(40), default="")
    level: Mapped[StudioLevel] = mapped_column(enum_type(StudioLevel))
    founded_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    # The leader's honours as they are written: 全国劳动模范, 浙江工匠 …
    leader_honours: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[Decision] = mapped_column(enum_type(Decision), default=Decision.PENDING)
    # The alliance whose admins decide the founding application (and which it then joins).
    applied_alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id"))
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StudioMember(db.Model):
    """A person in a studio: its leader, or a member invited who accepted (or not yet)."""

    __tablename__ = "studio_members"
    __table_args__ = (UniqueConstraint("studio_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole), default=MemberRole.MEMBER)
    status: Mapped[MemberStatus] = mapped_column(
        enum_type(MemberStatus), default=MemberStatus.INVITED
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]


class AllianceMembership(db.Model):
    """A studio in an alliance, from its application to the admins' decision (or leaving)."""

    __tablename__ = "alliance_memberships"
    __table_args__ = (
        UniqueConstraint("alliance_id", "studio_id"),
        Index("ix_alliance_memberships_studio_id", "studio_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"))
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    status: Mapped[Decision] = mapped_column(enum_type(Decision), default=Decision.PENDING)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(200), default="")

    alliance: Mapped[Alliance] = relationship(lazy="joined")
