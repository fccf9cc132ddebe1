"""A judge's marking sheet: their panels' aspects × entry codes, never names.

Each cell holds the judge's own score (or the aspect's agreed mark) and the version to name
when saving it. Entries the judge is recused from are left off the sheet: showing them, even
greyed out, would tell the judge which codes belong to their own enterprise. The chief judge's
sheet adds each criterion's progress.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from competitions.contests.marking_models import (
    AgreedMark,
    Aspect,
    Criterion,
    JudgeScore,
    PanelJudge,
)
from competitions.contests.models import Contest, Entry, EntryStatus
from competitions.contests.scheme import AspectKind
from competitions.contests.services.contests import get_contest
from competitions.contests.services.locking import CriterionProgress, criterion_progress
from competitions.contests.services.marking import MARKING_STAGES
from competitions.contests.services.panels import is_chief_judge, is_recused, judge_enterprises
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db


@dataclass(frozen=True)
class SheetMark:
    """One cell of a judge's sheet: an aspect of their panel for one entry code."""

    aspect_id: int
    aspect_code: str
    kind: AspectKind
    max_mark: Decimal
    entry_id: int
    code: str
    station: str
    value: Decimal | None  # the judge's own score, or the aspect's agreed mark
    version: int | None  # to name when saving; None before the first mark
    open: bool  # whether it may be saved now
    reason_needed: bool  # its criterion was locked and reopened


@dataclass(frozen=True)
class MarkingSheet:
    """What a judge marks, and for the chief judge the progress of every criterion."""

    marks: list[SheetMark]
    progress: list[CriterionProgress] | None
    marks_version: int


def marking_sheet(actor: Actor, contest_id: int) -> MarkingSheet:
    """A judge's panel aspects × entry codes with their marks; the chief judge sees progress."""
    contest = get_contest(contest_id)
    enterprises = judge_enterprises(contest.id, actor.user.id) if actor.user else None
    if enterprises is None:
        raise DomainError(_l("Only the judges of this contest see its marking sheet."))
    marks = _sheet(contest, actor.user.id, enterprises)
    progress = criterion_progress(contest.id) if is_chief_judge(actor, contest.id) else None
    return MarkingSheet(marks, progress, contest.marks_version)


def _sheet(contest: Contest, user_id: int, enterprises: set[int]) -> list[SheetMark]:
    """The judge's cells, by criterion, aspect and code; entries they are recused from left out."""
    query = (
        db.select(Aspect, Criterion)
        .join(PanelJudge, PanelJudge.aspect_id == Aspect.id)
        .join(Criterion, Criterion.id == Aspect.criterion_id)
        .where(PanelJudge.user_id == user_id, Aspect.contest_id == contest.id)
        .order_by(Criterion.position, Aspect.position, Aspect.id)
    )
    aspects = db.session.execute(query).all()
    entries = db.session.scalars(
        db.select(Entry)
        .where(
            Entry.contest_id == contest.id,
            Entry.status == EntryStatus.APPROVED,
            Entry.code.is_not(None),
        )
        .order_by(Entry.code)
    ).all()
    entries = [entry for entry in entries if not is_recused(enterprises, entry)]
    found = _sheet_values(contest.id, user_id, [aspect.id for aspect, _ in aspects])
    cells = []
    for aspect, criterion in aspects:
        open_now = contest.stage in MARKING_STAGES and criterion.locked_at is None
        for entry in entries:
            value, version = found.get((entry.id, aspect.id), (None, None))
            cells.append(
                SheetMark(
                    aspect.id,
                    aspect.code,
                    aspect.kind,
                    aspect.max_mark,
                    entry.id,
                    entry.code or "",
                    entry.station or "",
                    value,
                    version,
                    open_now,
                    open_now and criterion.locked_by_id is not None,
                )
            )
    return cells


def _sheet_values(contest_id: int, user_id: int, aspect_ids: list[int]) -> dict:
    """(value, version) by (entry, aspect): the judge's scores and the aspects' agreed marks."""
    scores = db.select(
        JudgeScore.entry_id, JudgeScore.aspect_id, JudgeScore.score, JudgeScore.version
    ).where(
        JudgeScore.contest_id == contest_id,
        JudgeScore.judge_id == user_id,
        JudgeScore.aspect_id.in_(aspect_ids),
    )
    agreed = db.select(
        AgreedMark.entry_id, AgreedMark.aspect_id, AgreedMark.mark, AgreedMark.version
    ).where(AgreedMark.contest_id == contest_id, AgreedMark.aspect_id.in_(aspect_ids))
    found = {}
    for query in (scores, agreed):
        for entry_id, aspect_id, value, version in db.session.execute(query):
            found[(entry_id, aspect_id)] = (value, version)
    return found
