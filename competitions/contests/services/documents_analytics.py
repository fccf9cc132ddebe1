"""The judges' analytics of a contest: each judge against their panels, and the spreads.

Judges are named (they are not anonymous); entrants appear by entry code until the reveal.
"""

from dataclasses import dataclass

from competitions.contests.models import Contest
from competitions.contests.scoring import spread_distribution
from competitions.contests.services.documents import entrant_labels, names_shown
from competitions.contests.services.results import judge_deviations, standings

FLAGGED_SHOWN = 50  # flagged spreads listed on the analytics page
LEANING = 0.1  # mean deviation (points of 0–3) beyond which a judge is lenient or severe


@dataclass(frozen=True)
class JudgeRow:
    """A judge's marks of judgement aspects against their panels."""

    judge_id: int
    name: str
    marks: int
    deviation: float  # mean of (own score − panel's mean score), points of 0–3
    mean_spread: float
    flagged: int
    leaning: str  # "lenient", "severe" or "balanced"


@dataclass(frozen=True)
class FlaggedSpread:
    """An entry × aspect whose judges' spread is over the contest's limit."""

    entrant: str  # the entry code before the reveal, the name after
    aspect: str
    spread: float
    mark: float


@dataclass(frozen=True)
class JudgeAnalytics:
    """Per judge figures, how spreads are distributed, and the widest flagged spreads."""

    judges: tuple[JudgeRow, ...]
    spreads: tuple[tuple[float, int], ...]  # (spread, entry × aspect pairs), ascending
    flagged: tuple[FlaggedSpread, ...]
    flagged_total: int
    spread_limit: float


def _leaning(deviation: float) -> str:
    if deviation > LEANING:
        return "lenient"
    return "severe" if deviation < -LEANING else "balanced"


def judge_analytics(contest: Contest) -> JudgeAnalytics:
    """The judges by name with their deviation and spreads; entrants by code until reveal."""
    figures = judge_deviations(contest.id)
    judges = tuple(
        JudgeRow(
            int(judge_id),
            row["name"] or "",
            int(row["marks"]),
            float(row["deviation"]),
            float(row["mean_spread"]),
            int(row["flagged"]),
            _leaning(float(row["deviation"])),
        )
        for judge_id, row in figures.sort_values("deviation").iterrows()
    )
    current = standings(contest.id)
    marks = current.marks
    spreads = spread_distribution(marks)
    flagged = marks[marks["flagged"].to_numpy()].sort_values(
        ["spread", "entry_id"], ascending=[False, True]
    )
    shown = flagged.head(FLAGGED_SHOWN)
    codes = current.table["code"].to_dict()
    labels = entrant_labels(contest.id, shown["entry_id"].unique()) if names_shown(contest) else {}
    aspects = dict(zip(current.aspects["aspect_id"], current.aspects["code"], strict=True))
    listed = tuple(
        FlaggedSpread(
            labels[row.entry_id][0] if row.entry_id in labels else codes.get(row.entry_id) or "",
            aspects.get(row.aspect_id, ""),
            float(row.spread),
            float(row.mark),
        )
        for row in shown.itertuples(index=False)
    )
    pairs = tuple((float(spread), int(count)) for spread, count in spreads.items())
    return JudgeAnalytics(judges, pairs, listed, len(flagged), float(contest.spread_limit))
