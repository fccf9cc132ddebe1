"""Ranks, prizes, titles and scaled scores of a skills contest: no database, no Flask.

Everything takes a results frame indexed by entry_id with the columns `entry_totals` makes:
`total`, `practical`, `theory` and `time` (seconds taken, NaN when not recorded).
"""

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

# Tie-break name → whether smaller comes first (time taken: less is better).
TIE_BREAKS: dict[str, bool] = {"practical": False, "theory": False, "time": True}
DEFAULT_CHAIN = ("practical", "theory", "time")
TIE_DECIMALS = 6  # figures are compared rounded, so float noise never splits or makes a tie
DEFAULT_QUOTAS = (0.10, 0.20, 0.30)  # first, second and third prize, shares of the entrants
NO_PRIZE = 0
SCALE_CENTRE = 700.0
SCALE_UNIT = 30.0
MAD_TO_SD = 1.4826  # makes the MAD of normally distributed scores estimate their deviation


def check_chain(chain: Sequence[str]) -> tuple[str, ...]:
    """The tie-break chain as a tuple; ValueError for an unknown or repeated name."""
    if isinstance(chain, str):  # "time" would otherwise be read as "t", "i", "m", "e"
        raise ValueError("the tie-break chain is a list of names, not one string")
    names = tuple(chain)
    for name in names:
        if name not in TIE_BREAKS:
            known = ", ".join(TIE_BREAKS)
            raise ValueError(f"unknown tie-break {name!r}: choose from {known}")
    if len(set(names)) != len(names):
        raise ValueError("a tie-break appears twice in the chain")
    return names


def _rank_keys(results: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """One column per ranking figure, rounded and signed so that smaller always ranks first."""
    missing = [name for name in ("total", *names) if name not in results.columns]
    if missing:
        raise ValueError(f"results lack column(s): {', '.join(missing)}")
    keys = pd.DataFrame(index=results.index)
    for name in ("total", *names):
        values = pd.to_numeric(results[name]).astype(float).round(TIE_DECIMALS)
        if name == "time":
            values = values.fillna(np.inf)  # no recorded time: slowest
        elif values.isna().any():
            raise ValueError(f"an entry has no {name} score")
        keys[name] = values if TIE_BREAKS.get(name, False) else -values
    return keys


def rank_entries(results: pd.DataFrame, chain: Sequence[str] = DEFAULT_CHAIN) -> pd.Series:
    """Competition ranks ("1224") by total, then the tie-break chain, then shared.

    The rule: entrant A ranks ahead of B when A's total is higher; on equal totals, at the
    first name of the chain on which they differ, A ranks ahead when A's figure is better
    (practical and theory: higher; time taken: less, and no recorded time is slowest). Entrants
    equal on the total and on every name of the chain share a rank. An entrant's rank is 1 + the
    number of entrants ahead of them, so the rank after two shared 2nds is 4th. Figures are
    compared rounded to 6 decimals. Returns an int Series named "rank" on `results`'s index.
    """
    names = check_chain(chain)
    if not results.index.is_unique:
        raise ValueError("an entry appears twice in the results")
    keys = _rank_keys(results, names)
    ordered = keys.sort_values(list(keys.columns), kind="stable")
    values = ordered.to_numpy()
    starts = np.ones(len(values), dtype=bool)  # where a run of equal figures begins
    starts[1:] = (values[1:] != values[:-1]).any(axis=1)
    position = np.arange(1, len(values) + 1)
    # Every entrant takes the position of the first entrant of its run: competition ranking.
    rank = np.maximum.accumulate(np.where(starts, position, 0)) if len(values) else position
    return pd.Series(rank, index=ordered.index, name="rank").reindex(results.index)


def quota_cutoffs(count: int, quotas: Sequence[float] = DEFAULT_QUOTAS) -> list[int]:
    """The last rank that earns each prize level: floor(quota × count) per level, cumulated.

    Each level's number of places is rounded down on its own and may be 0 (a contest of 9
    entrants has no first prize at 10 %). The quotas must be 0 or more and add up to at most 1.
    """
    if any(quota < 0 for quota in quotas) or sum(quotas) > 1 + 1e-9:
        raise ValueError("prize quotas must be 0 or more and add up to at most 100 %")
    # Rounded before the floor: 0.29 × 100 is 28.999999999999996 in floating point.
    places = [math.floor(round(quota * count, 9)) for quota in quotas]
    return np.cumsum(places, dtype=int).tolist()


def _eligible(results: pd.DataFrame, minimum_score: float) -> pd.Series:
    """Whether each entrant's total reaches the minimum for an award (compared rounded)."""
    for column in ("rank", "total"):
        if column not in results.columns:
            raise ValueError(f"results lack column {column!r}")
    return results["total"].astype(float).round(TIE_DECIMALS) >= minimum_score


def award_prizes(
    results: pd.DataFrame,
    quotas: Sequence[float] = DEFAULT_QUOTAS,
    minimum_score: float = 0.0,
) -> pd.Series:
    """Prize level per entrant: 1 first, 2 second, ..., 0 none (NO_PRIZE).

    Places come from `quota_cutoffs` over all ranked entrants (every row of `results`). An
    entrant earns the best level whose last rank is at or after their rank, so entrants who
    share a rank at a boundary all get the better prize; the places they take beyond the quota
    come off the next level (a shared rank at the last boundary makes extra prizes). Only
    entrants whose total is at least `minimum_score` are eligible; their places are not passed
    down, since everyone below them has a lower total.
    """
    cutoffs = quota_cutoffs(len(results), quotas)
    eligible = _eligible(results, minimum_score)
    rank = results["rank"].to_numpy()
    level = np.searchsorted(np.asarray(cutoffs, dtype=float), rank, side="left") + 1
    won = eligible.to_numpy() & (level <= len(cutoffs))
    return pd.Series(np.where(won, level, NO_PRIZE), index=results.index, name="prize")


def award_titles(results: pd.DataFrame, top: int, minimum_score: float = 0.0) -> pd.Series:
    """Whether each entrant earns the title given to the top `top` (e.g. 技术能手).

    An entrant ranked `top` or better with a total of at least `minimum_score` earns it, so
    entrants sharing the last titled rank all earn it.
    """
    if top < 0:
        raise ValueError("the number of titles cannot be negative")
    titled = _eligible(results, minimum_score) & (results["rank"] <= top)
    return titled.rename("title")


def scaled_scores(values: pd.Series) -> pd.Series:
    """Scores on a common scale to compare contests: 700 + 30 · (x − median) / (1.4826 · MAD).

    MAD is the median absolute deviation from the median. When it is 0 (at least half the
    entrants have the median score) no spread can be measured, and every score maps to 700.
    Missing scores stay missing and do not count in the medians. Scores are rounded to
    TIE_DECIMALS first, as everywhere in ranking: a spread of float noise is no spread.
    """
    values = pd.to_numeric(values).astype(float).round(TIE_DECIMALS)
    median = values.median()
    mad = (values - median).abs().median()
    if not mad > 0:  # also when there are no scores (NaN)
        return values.where(values.isna(), SCALE_CENTRE).rename("scaled")
    return (SCALE_CENTRE + SCALE_UNIT * (values - median) / (MAD_TO_SD * mad)).rename("scaled")
