"""Every model of the shell and of both domains, imported together so the metadata knows all
tables whatever the blueprints import."""

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
from studios.activity_models import EvaluationResult, EvaluationYear, Event, EventSignup
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ChallengeTrade,
    Milestone,
    MilestoneReport,
    Notification,
)
from studios.models import Alliance, AllianceAdmin, AllianceMembership, Studio, StudioMember
from studios.publication_models import (
    Achievement,
    AchievementPhoto,
    Courseware,
    CoursewareTrade,
    CoursewareVersion,
    Patent,
    PatentStatusChange,
)
from studios.search_models import SearchEntry

__all__ = [
    "Acceptance",
    "Achievement",
    "AchievementPhoto",
    "AgreedMark",
    "Alliance",
    "AllianceAdmin",
    "AllianceMembership",
    "Appeal",
    "Aspect",
    "AuditEntry",
    "Challenge",
    "ChallengeClaim",
    "ChallengeFile",
    "ChallengeTrade",
    "Contest",
    "ContestGroup",
    "ContestStaff",
    "Courseware",
    "CoursewareTrade",
    "CoursewareVersion",
    "Criterion",
    "Enterprise",
    "Entry",
    "EntryMember",
    "EvaluationResult",
    "EvaluationYear",
    "Event",
    "EventSignup",
    "JudgeScore",
    "Milestone",
    "MilestoneReport",
    "Notification",
    "PanelJudge",
    "Patent",
    "PatentStatusChange",
    "SearchEntry",
    "Studio",
    "StudioMember",
    "SubCriterion",
    "Trade",
    "User",
    "UserRole",
]
