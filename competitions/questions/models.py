"""Question banks: a question per trade, and the immutable versions of its content."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.questions.types import QuestionData, QuestionStatus, QuestionType
from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class Question(db.Model):
    """A question of a trade's bank; its content lives in versions, one of them current."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_trade_id_status", "trade_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"))
    status: Mapped[QuestionStatus] = mapped_column(
        enum_type(QuestionStatus), default=QuestionStatus.ACTIVE
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    current: Mapped["QuestionVersion"] = relationship(
        primaryjoin="and_(QuestionVersion.question_id == Question.id, QuestionVersion.is_current)",
        viewonly=True,
        uselist=False,
        lazy="joined",
    )


class QuestionVersion(db.Model):
    """The content of a question as it was shown; answers point here, so it never changes."""

    __tablename__ = "question_versions"
    __table_args__ = (
        # At most one current version per question, whatever two editors do at once.
        Index(
            "uq_question_versions_current",
            "question_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    type: Mapped[QuestionType] = mapped_column(enum_type(QuestionType))
    stem: Mapped[str] = mapped_column(Text)
    # The normalised stem's start, compared for duplicates within a trade's bank (read per
    # trade in one pass, so it needs no index of its own: imports write 100,000 at a time).
    stem_key: Mapped[str] = mapped_column(String(200))
    image_key: Mapped[str | None] = mapped_column(String(80))  # a picture in the stem
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    chapter: Mapped[str] = mapped_column(String(100), default="")
    level_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_data(self) -> QuestionData:
        """The version's content as plain data."""
        return QuestionData(
            type=self.type,
            stem=self.stem,
            options=list(self.options),
            answer=list(self.answer),
            explanation=self.explanation,
            difficulty=self.difficulty,
            chapter=self.chapter,
            levels=list(self.level_codes),
            tags=list(self.tags),
        )
