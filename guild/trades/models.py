"""The trades catalogue (工种)."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.levels import SkillLevel


class Trade(db.Model):
    """An occupation with its national code, category and the skill levels it has."""

    __tablename__ = "trades"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    level_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def levels(self) -> list[SkillLevel]:
        """The skill levels of this trade, entry level first."""
        return [SkillLevel(code) for code in self.level_codes]
