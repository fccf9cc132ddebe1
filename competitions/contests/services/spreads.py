"""The judges' spreads that block locking, by entry code, for the chief judge to have re-marked.

A judgement aspect's spread is its judges' highest minus lowest score of one entry; above
the contest's limit it is flagged (competitions.contests.scoring) and its criterion cannot be
locked. The chief judge sees which entry codes and aspects those are, and the scores given.
"""

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from flask_babel import lazy_gettext as _l

from competitions.contests.marking_models import Aspect, JudgeScore
from competitions.contests.models import Entry, EntryStatus
from competitions.contests.scheme import AspectKind
from competitions.contests.scoring import JUDGEMENT, aspect_marks
from competitions.contests.services.contests import get_contest
from competitions.contests.services.panels import is_chief_judge
from guild.accounts.models import User
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db


@dataclass(frozen=True)
class FlaggedSpread:
    """An entry code × judgement aspect whose judges' scores are too far apart."""

    criterion_id: int
    aspect_code: str
    code: str
    spread: Decimal
    scores: tuple[tuple[str, Decimal], ...]  # (judge's name, score), lowest score first


def flagged_spreads(actor: Actor, contest_id: int) -> list[FlaggedSpread]:
    """The flagged spreads of the drawn entries, by aspect and code (the chief judge only)."""
    contest = get_contest(contest_id)
    if not is_chief_judge(actor, contest.id):
        raise DomainError(_l("Only the contest's chief judge sees the judges' spreads."))
    rows = db.session.execute(
        db.select(
            JudgeScore.entry_id,
            JudgeScore.aspect_id,
            JudgeScore.judge_id,
            JudgeScore.score,
            Entry.code,
            Aspect.code,
            Aspect.criterion_id,
            Aspect.max_mark,
            User.real_name,
        )
        .join(Entry, Entry.id == JudgeScore.entry_id)
        .join(Aspect, Aspect.id == JudgeScore.aspect_id)
        .join(User, User.id == JudgeScore.judge_id)
        .where(
            JudgeScore.contest_id == contest.id,
            Aspect.kind == AspectKind.JUDGEMENT,
            Entry.status == EntryStatus.APPROVED,
            Entry.code.is_not(None),
        )
    ).all()
    return _flagged(rows, contest.spread_limit)


def _flagged(rows: list, limit: float) -> list[FlaggedSpread]:
    """The flagged entry × aspect pairs among the score rows, with their scores."""
    if not rows:
        return []
    raw = pd.DataFrame(
        [(e, a, j, float(s)) for e, a, j, s, *_ in rows],
        columns=["entry_id", "aspect_id", "judge_id", "score"],
    )
    aspects = pd.DataFrame(
        sorted({(a, c, JUDGEMENT, float(top)) for _, a, _, _, _, _, c, top, _ in rows}),
        columns=["aspect_id", "criterion_id", "kind", "max_mark"],
    )
    marks = aspect_marks(raw, aspects, limit)
    hits = marks.loc[marks["flagged"], ["entry_id", "aspect_id"]]
    flagged = set(map(tuple, hits.to_numpy().tolist()))
    found: dict[tuple[int, int], list] = {}
    for entry_id, aspect_id, _, score, code, aspect_code, criterion_id, _, name in rows:
        if (entry_id, aspect_id) in flagged:
            key = (entry_id, aspect_id)
            found.setdefault(key, [criterion_id, aspect_code, code, []])[3].append((name, score))
    spreads = []
    for criterion_id, aspect_code, code, scores in found.values():
        scores.sort(key=lambda pair: (pair[1], pair[0]))
        spread = scores[-1][1] - scores[0][1]
        spreads.append(FlaggedSpread(criterion_id, aspect_code, code, spread, tuple(scores)))
    return sorted(spreads, key=lambda s: (s.criterion_id, s.aspect_code, s.code))
