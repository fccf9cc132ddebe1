"""Locking the marks of a contest criterion by criterion, reopening them, and progress.

The chief judge locks a criterion once every approved entrant has every mark of its aspects
(a judgement aspect: a score from each judge of its panel who is not recused from the entry;
a measurement aspect: the agreed mark) and no judgement spread is above the contest's limit.
When the last criterion is locked the contest moves from the practical to LOCKED. An
organiser reopens an aspect (on appeal, or in the practical) by unlocking its criterion; the
criterion keeps locked_by_id, which marks it as once locked, so every change in it needs a
reason until the chief judge locks it again. Judges' sheets are in `sheet`.
"""

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

from competitions.contests.marking_models import (
    AgreedMark,
    Aspect,
    Criterion,
    JudgeScore,
    PanelJudge,
)
from competitions.contests.models import Contest, ContestStaff, Entry, EntryStatus, Stage
from competitions.contests.scheme import format_mark
from competitions.contests.scoring import MEASUREMENT, aspect_marks, blocked_criteria
from competitions.contests.services.contests import (
    advance,
    get_contest,
    require_organiser,
    require_stage,
)
from competitions.contests.services.marking import MARKING_STAGES, MAX_REASON
from competitions.contests.services.panels import (
    JUDGING,
    get_aspect,
    is_chief_judge,
    is_id,
)
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing

LOCK, REOPEN = "contest.criterion_lock", "contest.aspect_reopen"

label_actions({LOCK: _l("Contest criterion locked"), REOPEN: _l("Contest aspect reopened")})


@dataclass(frozen=True)
class CriterionProgress:
    """How far a criterion's marking has come: marks in of those expected, flagged spreads."""

    criterion_id: int
    code: str
    name: str
    marked: int
    expected: int
    flagged: int  # entry × aspect pairs whose judges' spread is above the limit
    unpanelled: tuple[str, ...]  # codes of its aspects with no judge on their panel
    locked: bool

    @property
    def complete(self) -> bool:
        """Whether every expected mark is in."""
        return self.marked >= self.expected


def _marked_entries(contest_id: int) -> pd.DataFrame:
    """The approved entries that drew lots: entry_id and enterprise_id."""
    query = db.select(Entry.id, Entry.enterprise_id).where(
        Entry.contest_id == contest_id,
        Entry.status == EntryStatus.APPROVED,
        Entry.code.is_not(None),
    )
    entries = pd.DataFrame(db.session.execute(query).all(), columns=["entry_id", "enterprise_id"])
    return entries.astype({"enterprise_id": "Int64"})


def _scheme(contest_id: int) -> pd.DataFrame:
    """The contest's aspects as scoring wants them, with their codes."""
    query = db.select(Aspect.id, Aspect.criterion_id, Aspect.kind, Aspect.max_mark, Aspect.code)
    rows = [
        (aspect_id, criterion_id, str(kind), float(top), code)
        for aspect_id, criterion_id, kind, top, code in db.session.execute(
            query.where(Aspect.contest_id == contest_id)
        )
    ]
    columns = ["aspect_id", "criterion_id", "kind", "max_mark", "code"]
    return pd.DataFrame(rows, columns=columns)


def _eligible(contest_id: int, entries: pd.DataFrame) -> tuple[pd.DataFrame, set[int]]:
    """Each panel judge × entry they are to mark (not recused), and the aspects with a panel."""
    panel = db.select(PanelJudge.aspect_id, PanelJudge.user_id)
    panel = pd.DataFrame(
        db.session.execute(panel.where(PanelJudge.contest_id == contest_id)).all(),
        columns=["aspect_id", "judge_id"],
    )
    staff = db.select(ContestStaff.user_id, ContestStaff.enterprise_id).where(
        ContestStaff.contest_id == contest_id,
        ContestStaff.role.in_(JUDGING),
        ContestStaff.enterprise_id.is_not(None),
    )
    own = pd.DataFrame(db.session.execute(staff).all(), columns=["judge_id", "enterprise_id"])
    own = own.drop_duplicates().astype({"enterprise_id": "Int64"})
    pairs = panel.merge(entries, how="cross").merge(
        own, on=["judge_id", "enterprise_id"], how="left", indicator=True
    )
    kept = pairs[pairs["_merge"] == "left_only"]
    return kept[["aspect_id", "judge_id", "entry_id"]], set(panel["aspect_id"])


def _raw(contest_id: int, entries: pd.DataFrame) -> pd.DataFrame:
    """The raw marks of the entries: judges' scores, and agreed marks under judge_id 0."""
    scores = db.select(JudgeScore.entry_id, JudgeScore.aspect_id, JudgeScore.judge_id)
    scores = scores.add_columns(JudgeScore.score).where(JudgeScore.contest_id == contest_id)
    agreed = db.select(AgreedMark.entry_id, AgreedMark.aspect_id, AgreedMark.mark).where(
        AgreedMark.contest_id == contest_id
    )
    rows = [(e, a, j, float(s)) for e, a, j, s in db.session.execute(scores)]
    rows += [(e, a, 0, float(m)) for e, a, m in db.session.execute(agreed)]
    raw = pd.DataFrame(rows, columns=["entry_id", "aspect_id", "judge_id", "score"])
    return raw[raw["entry_id"].isin(entries["entry_id"])]


def _pair_counts(eligible: pd.DataFrame, scheme: pd.DataFrame, entries, raw) -> pd.DataFrame:
    """Per entry × aspect: marks expected and marks in (capped), with the criterion."""
    grid = entries[["entry_id"]].merge(scheme[["aspect_id", "criterion_id", "kind"]], how="cross")
    keys = ["entry_id", "aspect_id"]
    judged = raw[raw["judge_id"] != 0].merge(eligible, on=[*keys, "judge_id"])
    counts = {
        "judges": eligible.groupby(keys).size(),
        "scores": judged.groupby(keys).size(),
        "agreed": raw[raw["judge_id"] == 0].groupby(keys).size(),
    }
    for name, series in counts.items():
        grid = grid.merge(series.rename(name), left_on=keys, right_index=True, how="left")
    grid = grid.fillna({"judges": 0, "scores": 0, "agreed": 0})
    measured = grid["kind"] == MEASUREMENT
    grid["expected"] = grid["judges"].clip(lower=1).where(~measured, 1).astype(int)
    grid["marked"] = grid["scores"].where(~measured, grid["agreed"].clip(upper=1)).astype(int)
    return grid


def criterion_progress(contest_id: int) -> list[CriterionProgress]:
    """Every criterion's marks in, expected and flagged, in scheme order."""
    contest = get_contest(contest_id)
    entries, scheme = _marked_entries(contest.id), _scheme(contest.id)
    raw = _raw(contest.id, entries)
    eligible, panelled = _eligible(contest.id, entries)
    grid = _pair_counts(eligible, scheme, entries, raw)
    by_criterion = grid.groupby("criterion_id")[["marked", "expected"]].sum()
    flagged = _flags(raw, scheme, contest.spread_limit)
    found = []
    for criterion in _criteria(contest.id):
        aspects = scheme[scheme["criterion_id"] == criterion.id]
        row = by_criterion.loc[criterion.id] if criterion.id in by_criterion.index else None
        found.append(
            CriterionProgress(
                criterion_id=criterion.id,
                code=criterion.code,
                name=criterion.name,
                marked=int(row["marked"]) if row is not None else 0,
                expected=int(row["expected"]) if row is not None else 0,
                flagged=int(flagged.get(criterion.id, 0)),
                unpanelled=tuple(aspects.loc[~aspects["aspect_id"].isin(panelled), "code"]),
                locked=criterion.locked_at is not None,
            )
        )
    return found


def _flags(raw: pd.DataFrame, scheme: pd.DataFrame, limit: float) -> pd.Series:
    """Per criterion_id, how many entry × aspect pairs have a spread above the limit."""
    if raw.empty or scheme.empty:
        return pd.Series(dtype=int)
    marks = aspect_marks(raw, scheme[["aspect_id", "criterion_id", "kind", "max_mark"]], limit)
    blocked = blocked_criteria(marks, scheme[["aspect_id", "criterion_id", "kind", "max_mark"]])
    criteria = marks["aspect_id"].map(scheme.set_index("aspect_id")["criterion_id"])
    counts = marks["flagged"].astype(int).groupby(criteria).sum()
    return counts.where(blocked.reindex(counts.index, fill_value=False), 0)


def _criteria(contest_id: int) -> list[Criterion]:
    """The contest's criteria in scheme order."""
    query = db.select(Criterion).where(Criterion.contest_id == contest_id)
    return list(db.session.scalars(query.order_by(Criterion.position, Criterion.id)))


def lock_criterion(actor: Actor, contest_id: int, criterion_id: int) -> Criterion:
    """Lock a fully marked criterion with no flagged spread (the contest's chief judge only)."""
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    if not is_chief_judge(actor, contest.id):
        raise DomainError(_l("Only the contest's chief judge may lock a criterion."))
    message = _l("Criteria are locked during the practical, or again after an appeal.")
    require_stage(contest, (Stage.PRACTICAL, Stage.PUBLICITY), message)
    criterion = db.session.get(Criterion, criterion_id) if is_id(criterion_id) else None
    if criterion is None or criterion.contest_id != contest.id:
        raise DomainError(_l("There is no such criterion in this contest."), "criterion_id")
    if criterion.locked_at is not None:
        raise DomainError(_l("This criterion is already locked."), "criterion_id")
    progress = next(p for p in criterion_progress(contest.id) if p.criterion_id == criterion.id)
    _check_lockable(contest, progress)
    criterion.locked_at, criterion.locked_by_id = utcnow(), actor.user.id
    db.session.flush()
    after = {"criterion_id": criterion.id, "criterion": criterion.code, "marks": progress.marked}
    record(actor, LOCK, contest, None, after)
    if contest.stage is Stage.PRACTICAL and _all_locked(contest.id):
        advance(contest, Stage.PRACTICAL, Stage.LOCKED, actor)
    return criterion


def _check_lockable(contest: Contest, progress: CriterionProgress) -> None:
    """Refuse a criterion with an aspect nobody judges, a missing mark or a flagged spread."""
    if progress.unpanelled:
        message = _l("Aspect %(code)s has no judge on its panel.", code=progress.unpanelled[0])
        raise DomainError(message, "criterion_id")
    if not progress.complete:
        message = _l(
            "%(marked)d of %(expected)d marks of criterion %(code)s are in: every entrant"
            " needs every mark before it is locked.",
            marked=progress.marked,
            expected=progress.expected,
            code=progress.code,
        )
        raise DomainError(message, "criterion_id")
    if progress.flagged:
        message = _nl(
            "In criterion %(code)s, the judges' scores of %(num)d mark are further apart than"
            " %(limit)s: re-mark it before locking.",
            "In criterion %(code)s, the judges' scores of %(num)d marks are further apart than"
            " %(limit)s: re-mark them before locking.",
            progress.flagged,
            code=progress.code,
            limit=format_mark(Decimal(str(contest.spread_limit))),
        )
        raise DomainError(message, "criterion_id")


def _all_locked(contest_id: int) -> bool:
    """Whether every criterion of the contest is locked."""
    query = db.select(Criterion.id).where(
        Criterion.contest_id == contest_id, Criterion.locked_at.is_(None)
    )
    return db.session.scalar(query.limit(1)) is None


def reopen_aspect(actor: Actor, contest_id: int, aspect_id: int, reason: str) -> Criterion:
    """Unlock an aspect's criterion for changes that each need a reason (organisers only)."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    message = _l("An aspect is reopened during the practical, or on appeal in publicity.")
    require_stage(contest, MARKING_STAGES, message)
    aspect = get_aspect(contest.id, aspect_id)
    criterion = db.session.get(Criterion, aspect.criterion_id)
    if criterion.locked_at is None:
        raise DomainError(_l("This aspect's criterion is not locked."), "aspect_id")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise DomainError(_l("Give the reason for reopening the aspect."), "reason")
    if len(text) > MAX_REASON:
        message = _l("A reason has at most %(max)d characters.", max=MAX_REASON)
        raise DomainError(message, "reason")
    criterion.locked_at = None  # locked_by_id stays: changes in it now need a reason
    db.session.flush()
    after = {"aspect_id": aspect.id, "aspect": aspect.code, "criterion": criterion.code}
    record(actor, REOPEN, contest, {"criterion": criterion.code}, after | {"reason": text})
    return criterion
