"""Judges enter marks: a judge's 0–3 score of a judgement aspect, or a measurement's agreed mark.

Marks are entered during the practical by the judges of the aspect's panel, for approved
entries that have drawn lots, never for an entry of the judge's own enterprise. A judge's
score is a whole number 0, 1, 2 or 3 (one per descriptor); an agreed mark is 0 to the
aspect's maximum with at most two decimals. A locked criterion refuses marks; once an
organiser reopens an aspect (its criterion unlocks, also while results are in publicity) every
change in that criterion needs a reason, kept in the audit row.

Saves are optimistic: each names the version it read (None for a first mark). A first mark is
inserted and a unique constraint settles two at once; a change finds its row locked and
refuses a version that moved on, reporting the current mark. Every save bumps the contest's
marks_version (the results cache key) in the same transaction; saving the mark already there
changes nothing.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from competitions.contests.marking_models import AgreedMark, Aspect, Criterion, JudgeScore
from competitions.contests.models import Contest, Entry, EntryStatus, Stage
from competitions.contests.scheme import SCORES, AspectKind, format_mark, to_mark
from competitions.contests.services.contests import get_contest
from competitions.contests.services.panels import (
    get_aspect,
    is_id,
    is_recused,
    judge_enterprises,
    on_panel,
)
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing

STAGES = list(Stage)  # in lifecycle order
MARKING_STAGES = (Stage.PRACTICAL, Stage.PUBLICITY)  # publicity: reopened aspects only
MAX_REASON = 200
CENT = Decimal("0.01")
SAVE, CHANGE = "contest.mark_save", "contest.mark_change"

label_actions({SAVE: _l("Contest mark entered"), CHANGE: _l("Contest mark changed")})


class StaleMark(DomainError):
    """A save naming a version that is no longer current; `current` and `version` are now's."""

    def __init__(self, current: Decimal | None, version: int | None):
        if current is None:
            message = _l("This mark has not been saved yet: reload the marking sheet.")
        else:
            message = _l(
                "This mark was changed meanwhile (by another judge or in another window):"
                " it is now %(mark)s. Check it and save again.",
                mark=format_mark(current),
            )
        super().__init__(message, "version")
        self.current, self.version = current, version


@dataclass(frozen=True)
class _Target:
    """What a mark is for, checked: the contest (locked), entry, aspect and its criterion."""

    contest: Contest
    entry: Entry
    aspect: Aspect
    criterion: Criterion
    reason: str


def save_judge_score(
    actor: Actor,
    contest_id: int,
    entry_id: int,
    aspect_id: int,
    score: object,
    version: int | None,
    reason: str = "",
) -> JudgeScore:
    """Save the actor's 0–3 score of a judgement aspect for an entry, at the version read."""
    target = _target(actor, contest_id, entry_id, aspect_id, AspectKind.JUDGEMENT, reason)
    value = judge_score(score)
    _check_version(version)
    keys = {"entry_id": target.entry.id, "aspect_id": target.aspect.id, "judge_id": actor.user.id}
    if version is None:
        row = JudgeScore(contest_id=target.contest.id, score=value, saved_at=utcnow(), **keys)
        return _insert(actor, target, row, "score")
    row = _locked_row(JudgeScore, keys)
    return _change(actor, target, row, "score", value, version)


def save_agreed_mark(
    actor: Actor,
    contest_id: int,
    entry_id: int,
    aspect_id: int,
    mark: object,
    version: int | None,
    reason: str = "",
) -> AgreedMark:
    """Save the agreed mark of a measurement aspect for an entry, at the version read."""
    target = _target(actor, contest_id, entry_id, aspect_id, AspectKind.MEASUREMENT, reason)
    value = agreed_mark(mark, target.aspect.max_mark)
    _check_version(version)
    keys = {"entry_id": target.entry.id, "aspect_id": target.aspect.id}
    if version is None:
        row = AgreedMark(
            contest_id=target.contest.id,
            mark=value,
            entered_by_id=actor.user.id,
            saved_at=utcnow(),
            **keys,
        )
        return _insert(actor, target, row, "mark")
    row = _locked_row(AgreedMark, keys)
    return _change(actor, target, row, "mark", value, version)


def _number(value: object) -> Decimal | None:
    """The value as a finite Decimal, or None (bools, text that is no number, NaN, infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    number = to_mark(value)
    return number + 0 if number.is_finite() else None  # + 0 turns -0 into 0


def judge_score(value: object) -> Decimal:
    """A judge's score checked: a whole number from 0 to 3."""
    number = _number(value)
    if number is None or number not in SCORES:
        raise DomainError(_l("A judge's score is a whole number from 0 to 3."), "score")
    return number.quantize(CENT)


def agreed_mark(value: object, top: Decimal) -> Decimal:
    """An agreed mark checked: 0 to the aspect's maximum, at most two decimals."""
    number = _number(value)
    if number is None or not 0 <= number <= top:
        message = _l("The mark is a number from 0 to %(max)s.", max=format_mark(top))
        raise DomainError(message, "mark")
    if number != number.quantize(CENT):
        raise DomainError(_l("A mark has at most two decimals."), "mark")
    return number.quantize(CENT)


def _check_version(version: object) -> None:
    """Refuse a version that is neither None (a first mark) nor a row's version."""
    if version is not None and not is_id(version):
        message = _l("The version of this mark is not valid: reload the marking sheet.")
        raise DomainError(message, "version")


def _target(
    actor: Actor, contest_id: int, entry_id: int, aspect_id: int, kind: AspectKind, reason: str
) -> _Target:
    """Lock the contest and check who marks what, when: refused with a message otherwise."""
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    enterprises = judge_enterprises(contest.id, actor.user.id) if actor.user else None
    if enterprises is None:
        raise DomainError(_l("Only a judge of this contest may enter its marks."))
    _check_stage(contest)
    aspect = get_aspect(contest.id, aspect_id)
    _check_kind(aspect, kind)
    if not on_panel(aspect.id, actor.user.id):
        raise DomainError(_l("You are not on the panel of this aspect."), "aspect_id")
    entry = _markable_entry(contest.id, entry_id)
    if is_recused(enterprises, entry):
        message = _l("You cannot mark an entrant of your own enterprise.")
        raise DomainError(message, "entry_id")
    criterion = db.session.get(Criterion, aspect.criterion_id)
    return _Target(contest, entry, aspect, criterion, _check_lock(criterion, reason))


def _check_stage(contest: Contest) -> None:
    """Marks are entered in the practical; after it, only for an aspect reopened on appeal."""
    if STAGES.index(contest.stage) < STAGES.index(Stage.PRACTICAL):
        raise DomainError(_l("Marks are entered once the practical has begun."), "stage")
    if contest.stage not in MARKING_STAGES:
        message = _l("Marks are locked: they change only when an appeal reopens an aspect.")
        raise DomainError(message, "stage")


def _check_kind(aspect: Aspect, kind: AspectKind) -> None:
    """Refuse a judge's score for a measurement aspect, or an agreed mark for a judgement."""
    if aspect.kind is kind:
        return
    if kind is AspectKind.JUDGEMENT:
        message = _l("This aspect takes one agreed mark, not judges' scores.")
    else:
        message = _l("This aspect is scored by each judge, not with one agreed mark.")
    raise DomainError(message, "aspect_id")


def _markable_entry(contest_id: int, entry_id: int) -> Entry:
    """The contest's entry, when it is approved and has drawn its code."""
    entry = db.session.get(Entry, entry_id) if is_id(entry_id) else None
    if entry is None or entry.contest_id != contest_id:
        raise DomainError(_l("There is no such entry in this contest."), "entry_id")
    if entry.status is not EntryStatus.APPROVED or entry.code is None:
        message = _l("Marks are entered only for approved entries that have drawn lots.")
        raise DomainError(message, "entry_id")
    return entry


def _check_lock(criterion: Criterion, reason: object) -> str:
    """Refuse a locked criterion; one that was locked and reopened needs a reason (returned)."""
    if criterion.locked_at is not None:
        message = _l("Criterion %(code)s is locked: its marks cannot change.", code=criterion.code)
        raise DomainError(message, "aspect_id")
    text = reason.strip() if isinstance(reason, str) else ""
    if criterion.locked_by_id is None:
        return text
    if not text:
        message = _l("A mark changed after its criterion was locked needs a reason.")
        raise DomainError(message, "reason")
    if len(text) > MAX_REASON:
        message = _l("A reason has at most %(max)d characters.", max=MAX_REASON)
        raise DomainError(message, "reason")
    return text


def _locked_row(model, keys: dict):
    """The mark row with these keys, locked for this transaction, or None."""
    query = db.select(model).filter_by(**keys).with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _insert(actor: Actor, target: _Target, row, field: str):
    """Add a first mark; when one was saved first, the unique constraint refuses this one."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        keys = {"entry_id": row.entry_id, "aspect_id": row.aspect_id}
        if isinstance(row, JudgeScore):
            keys["judge_id"] = row.judge_id
        current = _locked_row(type(row), keys)
        if current is not None and getattr(current, field) == getattr(row, field):
            return current  # the same mark twice (a double click): nothing to change
        raise _stale(current, field) from None
    _saved(actor, target, row, None, field)
    return row


def _change(actor: Actor, target: _Target, row, field: str, value: Decimal, version: int):
    """Change a mark read at `version`; refused when it moved on, unless it already says value."""
    if row is None:
        raise StaleMark(None, None)
    if getattr(row, field) == value:
        return row  # nothing to change, whichever version was read
    if row.version != version:
        raise _stale(row, field)
    before = {field: format_mark(getattr(row, field)), "version": row.version}
    setattr(row, field, value)
    if isinstance(row, AgreedMark):
        row.entered_by_id = actor.user.id
    row.version += 1
    row.saved_at = utcnow()
    _saved(actor, target, row, before, field)
    return row


def _stale(row, field: str) -> StaleMark:
    """The refusal of a save that found another mark, reporting it."""
    if row is None:
        return StaleMark(None, None)
    return StaleMark(getattr(row, field), row.version)


def _saved(actor: Actor, target: _Target, row, before: dict | None, field: str) -> None:
    """Bump the contest's marks version and leave the audit row of a saved mark."""
    target.contest.marks_version += 1
    db.session.flush()
    after = {
        "entry_id": row.entry_id,
        "aspect_id": row.aspect_id,
        field: format_mark(getattr(row, field)),
        "version": row.version,
    }
    if target.reason:
        after["reason"] = target.reason
    record(actor, SAVE if before is None else CHANGE, row, before, after)
