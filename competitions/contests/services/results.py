"""A skills contest's results from its raw marks, cached by the database's counters.

`standings` reads the contest's raw marks (judges' scores, agreed marks), scheme and approved
entries through the driver cursor into numpy (one query per table, in chunks, no ORM
objects), then computes per group with competitions.contests.scoring and ranking: aspect
marks, practical, total, rank by the contest's tie-break chain, prizes by quota and minimum,
titles (the top N of each group), scaled scores and flags (missing marks, wide spreads).

Theory follows competitions.contests.services.theory, vectorised: the entry's paper scores
100 × score / max_score (the full marks of the paper as drawn), capped at 100; score is 0
until graded; no paper: 0. Time is the paper's whole seconds to submission, NaN until then.
Team contests take that service's entry_theory (the mean over the members' papers).

Cache: a per-process LRU keyed by (contest id, marks_version, updated_at), read by one small
query before anything else on every call. marks_version is bumped in the transaction of each
mark change, updated_at by any change of the contest's row (rules, stage). The marks read
after the key are at least as new as it, so a result is never older than its key and the
first call after a change recomputes. Safe across gunicorn workers and hosts: each has its
own cache, all keyed by counters in the database, never by time or a worker's memory. Only
contests past their theory stage are cached: until then entries or papers may change with
no counter moving (close_theory grades every open paper). Results are shared: read-only.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, cast

from competitions.contests.marking_models import AgreedMark, Aspect, Criterion, JudgeScore
from competitions.contests.models import Contest, Entry, EntryMember, EntryStatus, Stage
from competitions.contests.ranking import award_prizes, award_titles, rank_entries, scaled_scores
from competitions.contests.scoring import (
    aspect_marks,
    entry_totals,
    judge_analytics,
    practical_scores,
)
from competitions.contests.services.contests import BEFORE_DRAW, get_contest
from competitions.contests.services.theory import SCORE_DECIMALS, THEORY_TOP, entry_theory
from competitions.training.models import Attempt
from guild.accounts.models import User
from guild.bulk import collection_paused
from guild.errors import DomainError
from guild.extensions import db
from guild.fastsql import Cursor, Statement, session_cursor

CACHE_SIZE = 8  # contests per process; 10,000 entrants take about 20 MB
CHUNK = 100_000  # rows converted at a time: the driver's tuples never pile up
PUBLISHED = (Stage.PUBLICITY, Stage.FINAL)
UNSETTLED = (*BEFORE_DRAW, Stage.DRAWN, Stage.THEORY)  # results not cached at these stages
NOT_PUBLISHED = _l("Results are not published yet.")
NO_RESULT = _l("You have no result in this contest.")
RAW_DTYPE = np.dtype([("entry_id", "i8"), ("aspect_id", "i8"), ("judge_id", "i8"), ("score", "f8")])
AGREED_DTYPE = np.dtype([("entry_id", "i8"), ("aspect_id", "i8"), ("score", "f8")])
TABLE_COLUMNS = (
    "group_id",
    "enterprise_id",
    "code",
    "theory",
    "practical",
    "time",
    "total",
    "rank",
    "prize",
    "title",
    "scaled",
    "missing",
    "flagged",
)


@dataclass(frozen=True)
class Standings:
    """A contest's results at one version of its marks (read-only, shared by the cache).

    `table`: a row per approved entry by entry_id, in group, rank, code order: TABLE_COLUMNS
    (prize 1–3 or 0; `missing` aspects unmarked, `flagged` spreads over the limit). `marks`:
    scoring's entry × aspect marks. `aspects`: the scheme in order, with codes.
    """

    contest_id: int
    marks_version: int
    key: tuple
    table: pd.DataFrame
    marks: pd.DataFrame
    aspects: pd.DataFrame

    @property
    def missing_marks(self) -> int:
        """How many entry × aspect marks are still missing."""
        return int(self.table["missing"].sum())

    @property
    def flagged_spreads(self) -> int:
        """How many entry × aspect spreads are above the contest's limit."""
        return int(self.table["flagged"].sum())


@dataclass(frozen=True)
class AspectResult:
    """An entrant's mark on one aspect (None while missing)."""

    aspect_id: int
    code: str
    kind: str
    max_mark: float
    mark: float | None


@dataclass(frozen=True)
class EntrantResult:
    """A worker's own published result: figures, place in the group, and aspect marks."""

    contest_id: int
    entry_id: int
    code: str | None
    group_id: int | None
    rank: int
    entrants: int  # ranked in the same group
    prize: int
    title: bool
    marks: tuple[AspectResult, ...]
    theory: float
    practical: float
    total: float
    scaled: float


_KEY = Statement(
    db.select(Contest.marks_version, Contest.updated_at, Contest.stage).where(
        Contest.id == db.bindparam("contest_id")
    )
)
_SCORES = Statement(
    db.select(
        JudgeScore.entry_id,
        JudgeScore.aspect_id,
        JudgeScore.judge_id,
        cast(JudgeScore.score, Float),
    ).where(JudgeScore.contest_id == db.bindparam("contest_id"))
)
_AGREED = Statement(
    db.select(AgreedMark.entry_id, AgreedMark.aspect_id, cast(AgreedMark.mark, Float)).where(
        AgreedMark.contest_id == db.bindparam("contest_id")
    )
)
_ASPECTS = Statement(
    db.select(
        Aspect.id, Aspect.criterion_id, Aspect.kind, cast(Aspect.max_mark, Float), Aspect.code
    )
    .join(Criterion, Criterion.id == Aspect.criterion_id)
    .where(Aspect.contest_id == db.bindparam("contest_id"))
    .order_by(Criterion.position, Aspect.sub_criterion_id, Aspect.position, Aspect.id)
)
_ENTRIES = Statement(
    db.select(
        Entry.id,
        Entry.group_id,
        Entry.enterprise_id,
        Entry.code,
        Attempt.score,
        Attempt.max_score,
        Attempt.started_at,
        Attempt.submitted_at,
    )
    .outerjoin(Attempt, Attempt.id == Entry.theory_attempt_id)
    .where(Entry.contest_id == db.bindparam("contest_id"), Entry.status == EntryStatus.APPROVED)
    .order_by(Entry.id)
)


def cache_info() -> dict[str, int]:
    """Hits and misses of this process's standings cache (for tests and benchmarks)."""
    info = _standings_at.cache_info()
    return {"hits": info.hits, "misses": info.misses}


def clear_cache() -> None:
    """Forget every cached result of this process."""
    _standings_at.cache_clear()
    _deviations_at.cache_clear()


def _key(cursor: Cursor, contest_id: int) -> tuple[tuple, Stage]:
    """The cache key of a contest's results (its counters) and its stage; refused when none."""
    row = _KEY.first(cursor, {"contest_id": contest_id})
    if row is None:
        raise DomainError(_l("There is no such contest."), "contest_id")
    version, updated_at, stage = row
    return (contest_id, version, updated_at), Stage(stage)


def _current(compute, contest_id: int):
    """`compute` (an lru_cache) at the contest's current key; uncached while unsettled."""
    key, stage = _key(session_cursor(), contest_id)
    if stage in UNSETTLED:  # entries or theory papers may still change: no counter says so
        return compute.__wrapped__(key)
    return compute(key)


def standings(contest_id: int) -> Standings:
    """The contest's results at the current version of its marks (cached per version)."""
    return _current(_standings_at, contest_id)


def _records(cursor: Cursor, statement: Statement, contest_id: int, dtype: np.dtype):
    """A query's rows as a numpy record array, converted a chunk at a time.

    On PostgreSQL the rows come in binary (no text to parse) on a cursor of the same
    connection, so in the same transaction.
    """
    postgres = cursor.dialect.name == "postgresql"
    raw = cursor.raw.connection.cursor(binary=True) if postgres else cursor.raw
    statement.execute(Cursor(raw, cursor.dialect), {"contest_id": contest_id})
    parts = [np.empty(0, dtype)]
    with collection_paused():  # a million tuples would set off full collections in vain
        while rows := raw.fetchmany(CHUNK):
            parts.append(np.fromiter(rows, dtype=dtype, count=len(rows)))
    if postgres:
        raw.close()
    return np.concatenate(parts)


def raw_marks(cursor: Cursor, contest_id: int) -> pd.DataFrame:
    """Every raw mark of the contest as scoring's long frame (agreed marks with judge 0)."""
    scores = _records(cursor, _SCORES, contest_id, RAW_DTYPE)
    agreed = _records(cursor, _AGREED, contest_id, AGREED_DTYPE)
    # The three id columns are filled into one block pandas takes as it is: no stacking copy.
    ids = np.zeros((3, len(scores) + len(agreed)), "i8")
    for row, name in enumerate(("entry_id", "aspect_id", "judge_id")):
        ids[row, : len(scores)] = scores[name]
        if name in agreed.dtype.names:
            ids[row, len(scores) :] = agreed[name]
    frame = pd.DataFrame(ids.T, columns=["entry_id", "aspect_id", "judge_id"], copy=False)
    frame["score"] = np.concatenate([scores["score"], agreed["score"]])
    return frame


def _aspects(cursor: Cursor, contest_id: int) -> pd.DataFrame:
    """The scheme's aspects in order: aspect_id, criterion_id, kind, max_mark, code."""
    rows = _ASPECTS.all(cursor, {"contest_id": contest_id})
    columns = ["aspect_id", "criterion_id", "kind", "max_mark", "code"]
    aspects = pd.DataFrame.from_records(rows, columns=columns)
    return aspects.assign(
        kind=aspects["kind"].astype(str), max_mark=aspects["max_mark"].astype(float)
    )


def _entries(cursor: Cursor, contest: Contest) -> pd.DataFrame:
    """Approved entries indexed by entry_id: group, enterprise, code, theory and time."""
    rows = _ENTRIES.all(cursor, {"contest_id": contest.id})
    columns = ["entry_id", "group_id", "enterprise_id", "code", "score", "top", "start", "end"]
    frame = pd.DataFrame.from_records(rows, columns=columns).set_index("entry_id")
    top = frame["top"].astype(float)
    theory = (THEORY_TOP * frame["score"].astype(float) / top).round(SCORE_DECIMALS)
    taken = (pd.to_datetime(frame["end"]) - pd.to_datetime(frame["start"])).dt.total_seconds()
    entries = pd.DataFrame(
        {
            "group_id": frame["group_id"].astype("Int64"),
            "enterprise_id": frame["enterprise_id"].astype("Int64"),
            "code": frame["code"].astype(object),
            "theory": theory.clip(upper=THEORY_TOP).where(top > 0, 0.0).astype(float),
            "time": np.trunc(taken.clip(lower=0)).astype(float),  # seconds_taken: whole
        },
        index=frame.index,
    )
    return _team_theory(entries, contest) if contest.is_team else entries


def _team_theory(entries: pd.DataFrame, contest: Contest) -> pd.DataFrame:
    """A team's theory and time from the theory service: the mean over its members."""
    found = entry_theory(contest.id)
    theory = {entry_id: result.score for entry_id, result in found.items()}
    seconds = {entry_id: result.seconds for entry_id, result in found.items()}
    return entries.assign(
        theory=entries.index.map(theory).astype(float).fillna(0.0),
        time=entries.index.map(seconds).astype(float),
    )


def _rank_group(part: pd.DataFrame, contest: Contest) -> pd.DataFrame:
    """Ranks, prizes, titles and scaled scores of one group's entries."""
    part = part.copy()
    part["rank"] = rank_entries(part, contest.tie_break)
    part["prize"] = award_prizes(part, contest.prize_quotas, contest.prize_minimum)
    part["title"] = award_titles(part, contest.title_count, contest.prize_minimum)
    part["scaled"] = scaled_scores(part["total"])
    return part


def _results(entries: pd.DataFrame, marks: pd.DataFrame, aspects, contest) -> pd.DataFrame:
    """Every approved entry's figures, ranked within its group, in the order to show."""
    practical = practical_scores(marks, aspects, entries.index)
    totals = entry_totals(
        practical["practical"], entries["theory"], entries["time"], contest.theory_weight
    )
    flagged = marks.loc[marks["flagged"], "entry_id"].value_counts()
    table = entries[["group_id", "enterprise_id", "code"]].join(totals)
    table["missing"] = practical["missing"]
    table["flagged"] = flagged.reindex(table.index, fill_value=0).astype("int64")
    positions = {group.id: group.position for group in contest.groups}
    order = table["group_id"].map(positions).fillna(-1)
    parts = [
        _rank_group(part, contest) for _, part in table.groupby(order, sort=True, dropna=False)
    ]
    if not parts:
        return table.reindex(columns=list(TABLE_COLUMNS))
    ranked = pd.concat(parts).assign(_order=order)
    ranked = ranked.sort_values(["_order", "rank", "code"], kind="stable")
    return ranked[list(TABLE_COLUMNS)]


@lru_cache(maxsize=CACHE_SIZE)
def _standings_at(key: tuple) -> Standings:
    """Read the contest's raw marks, scheme and entries and compute its results."""
    contest_id, cursor = key[0], session_cursor()
    contest = get_contest(contest_id)
    raw = raw_marks(cursor, contest_id)
    aspects = _aspects(cursor, contest_id)
    entries = _entries(cursor, contest)
    # The tables' unique constraints already make a judge's second score impossible.
    marks = aspect_marks(raw, aspects, contest.spread_limit, keys_unique=True)
    del raw  # the 2,000,000 rows go before the results are built
    table = _results(entries, marks, aspects, contest)
    return Standings(contest_id, key[1], key, table, marks, aspects)


def judge_deviations(contest_id: int) -> pd.DataFrame:
    """Per judge: marks given, mean deviation from the panel, mean spread, flagged spreads.

    scoring.judge_analytics over the contest's raw judgement scores, with each judge's
    `name`; indexed by judge_id. Cached like the standings.
    """
    return _current(_deviations_at, contest_id)


@lru_cache(maxsize=CACHE_SIZE)
def _deviations_at(key: tuple) -> pd.DataFrame:
    """Read the contest's judges' scores and scheme and compute each judge's figures."""
    contest_id, cursor = key[0], session_cursor()
    contest = get_contest(contest_id)
    scores = pd.DataFrame(_records(cursor, _SCORES, contest_id, RAW_DTYPE))
    analytics = judge_analytics(scores, _aspects(cursor, contest_id), contest.spread_limit)
    names = db.session.execute(
        db.select(User.id, User.real_name).where(User.id.in_(analytics.index.tolist()))
    )
    analytics["name"] = analytics.index.map(dict(names.all()))
    return analytics


def entrant_result(contest_id: int, user_id: int) -> EntrantResult:
    """A worker's own marks and result, once results are published (publicity or final)."""
    contest = get_contest(contest_id)
    if contest.stage not in PUBLISHED:
        raise DomainError(NOT_PUBLISHED, "stage")
    query = db.select(EntryMember.entry_id).join(Entry, Entry.id == EntryMember.entry_id)
    query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id == user_id)
    entry_id = db.session.scalar(query.where(Entry.status == EntryStatus.APPROVED))
    current = standings(contest_id)
    if entry_id is None or entry_id not in current.table.index:
        raise DomainError(NO_RESULT, "user_id")
    row = current.table.loc[entry_id]
    group = None if pd.isna(row["group_id"]) else int(row["group_id"])
    same = (
        current.table["group_id"].isna() if group is None else current.table["group_id"].eq(group)
    )
    figures = {name: float(row[name]) for name in ("theory", "practical", "total", "scaled")}
    return EntrantResult(
        contest_id,
        int(entry_id),
        row["code"],
        group,
        rank=int(row["rank"]),
        entrants=int(same.sum()),
        prize=int(row["prize"]),
        title=bool(row["title"]),
        marks=_own_marks(current, int(entry_id)),
        **figures,
    )


def _own_marks(current: Standings, entry_id: int) -> tuple[AspectResult, ...]:
    """One entry's mark on every aspect of the scheme, in the scheme's order."""
    own = current.marks.loc[current.marks["entry_id"] == entry_id].set_index("aspect_id")["mark"]
    return tuple(
        AspectResult(
            aspect_id=int(aspect.aspect_id),
            code=aspect.code,
            kind=aspect.kind,
            max_mark=float(aspect.max_mark),
            mark=float(own[aspect.aspect_id]) if aspect.aspect_id in own.index else None,
        )
        for aspect in current.aspects.itertuples(index=False)
    )
