"""Exchange events with their sign-ups, and the union's annual evaluation of studios."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class SignupStatus(StrEnum):
    """A place at an event: taken, waiting for one to free, or given up."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class Event(db.Model):
    """An offline exchange event (线下交流活动) held by a studio or by an alliance."""

    __tablename__ = "studio_events"
    __table_args__ = (
        CheckConstraint(
            "(studio_id IS NULL) <> (alliance_id IS NULL)", name="held_by_studio_or_alliance"
        ),
        Index("ix_studio_events_studio_id_starts_at", "studio_id", "starts_at"),
        Index("ix_studio_events_alliance_id_starts_at", "alliance_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    confirmed_count: Mapped[int] = mapped_column(default=0)  # kept with each sign-up change
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventSignup(db.Model):
    """A person's sign-up for an event, its place in the waiting list, and their check-in."""

    __tablename__ = "studio_event_signups"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_studio_event_signups_event_id_status", "event_id", "status", "signed_up_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("studio_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(enum_type(SignupStatus))
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)  # the waiting list's order
    cancelled_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]  # checked in by the organiser
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EvaluationYear(db.Model):
    """The weights of a year's evaluation; closed once demonstration studios are named."""

    __tablename__ = "studio_evaluation_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Indicator name → weight, e.g. {"invention_patents": 10, "benefit_wan_yuan": 2, …}.
    weights: Mapped[dict] = mapped_column(JSON)
    demonstration_count: Mapped[int] = mapped_column(default=0)  # per alliance, when naming
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]


class EvaluationResult(db.Model):
    """A studio's score and rank in one alliance for a closed year: the history kept."""

    __tablename__ = "studio_evaluation_results"
    __table_args__ = (Index("ix_studio_evaluation_results_studio_id", "studio_id"),)

    year: Mapped[int] = mapped_column(
        ForeignKey("studio_evaluation_years.year", ondelete="CASCADE"), primary_key=True
    )
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id"), primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    indicators: Mapped[dict] = mapped_column(JSON)  # the raw counts the score came from
    score: Mapped[float]
    rank: Mapped[int]
    demonstration: Mapped[bool] = mapped_column(default=False)  # named 示范性工作室
