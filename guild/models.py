"""Every model of the shell, and the domain models no blueprint imports yet, imported
together so the metadata knows all tables (the other domains' views import theirs)."""

from competitions.contests.marking_models import (
    AgreedMark,
    Appeal,
    Aspect,
    Criterion,
    JudgeScore,
    PanelJudge,
    SubCriterion,
)
from competitions.contests.models import Contest, ContestGroup, ContestStaff, Entry, EntryMember
from guild.accounts.models import Enterprise, User, UserRole
from guild.audit.models import AuditEntry
from guild.trades.models import Trade

__all__ = [
    "AgreedMark",
    "Appeal",
    "Aspect",
    "AuditEntry",
    "Contest",
    "ContestGroup",
    "ContestStaff",
    "Criterion",
    "Enterprise",
    "Entry",
    "EntryMember",
    "JudgeScore",
    "PanelJudge",
    "SubCriterion",
    "Trade",
    "User",
    "UserRole",
]
