"""Practical marks of a skills contest from the raw marks: no database, no Flask.

Raw marks are a long frame, one row per mark: `entry_id`, `aspect_id`, `judge_id`, `score`.
A measurement aspect has one row per entry, the agreed mark (0 to the aspect's maximum); a
judgement aspect has one row per judge of its panel, 0 to 3. The marking scheme is a frame of
aspects: `aspect_id`, `criterion_id`, `kind` ("measurement" or "judgement") and `max_mark`.
Everything is computed with group-bys over whole columns: a contest of 10,000 entrants,
40 aspects and 5 judges is 2,000,000 raw marks.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

MEASUREMENT = "measurement"
JUDGEMENT = "judgement"
KINDS = (MEASUREMENT, JUDGEMENT)
JUDGE_TOP = 3  # a judge scores a judgement aspect from 0 to 3
TRIM_FROM = 5  # with this many judges or more, one highest and one lowest score are dropped
DEFAULT_SPREAD_LIMIT = 1.0
DEFAULT_THEORY_WEIGHT = 0.3
THEORY_TOP = 100
SPREAD_DECIMALS = 6  # half-point scores must not be flagged by float noise (2.7 − 1.7 > 1)

RAW_COLUMNS = ("entry_id", "aspect_id", "judge_id", "score")
ASPECT_COLUMNS = ("aspect_id", "criterion_id", "kind", "max_mark")
MARK_COLUMNS = ("entry_id", "aspect_id", "mark", "judges", "spread", "flagged")
_KEYS = ["entry_id", "aspect_id"]


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ValueError naming the columns `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s): {', '.join(missing)}")


def aspect_table(aspects: pd.DataFrame) -> pd.DataFrame:
    """The marking scheme indexed by aspect_id, checked: unique ids, known kinds, maxima > 0."""
    require_columns(aspects, ASPECT_COLUMNS, "aspects")
    table = aspects.set_index("aspect_id")[["criterion_id", "kind", "max_mark"]]
    if not table.index.is_unique:
        raise ValueError("an aspect appears twice in the marking scheme")
    if not table["kind"].isin(KINDS).all():
        raise ValueError(f"an aspect's kind is not one of {', '.join(KINDS)}")
    top = pd.to_numeric(table["max_mark"], errors="coerce")
    if not (top > 0).all():  # also refuses a missing or non-numeric maximum (NaN)
        raise ValueError("every aspect needs a maximum mark above 0")
    return table.assign(max_mark=top.astype(float))


def _tally(raw: pd.DataFrame, table: pd.DataFrame, keys_unique: bool) -> pd.DataFrame:
    """Sum, lowest, highest and count of the scores of each entry × aspect, checked."""
    require_columns(raw, RAW_COLUMNS, "raw marks")
    score = pd.to_numeric(raw["score"], errors="coerce")
    if score.isna().any():
        raise ValueError("a raw mark has no numeric score")
    if not keys_unique and raw.duplicated(["entry_id", "aspect_id", "judge_id"]).any():
        raise ValueError("a judge marked the same entry and aspect twice")
    # Four sums over one group-by are all the trimmed mean and the spread need: no sorting.
    tally = score.groupby([raw["entry_id"], raw["aspect_id"]]).agg(["sum", "min", "max", "count"])
    aspect_ids = tally.index.get_level_values("aspect_id")
    unknown = ~aspect_ids.isin(table.index)
    if unknown.any():
        raise ValueError(f"raw marks for an aspect not in the scheme: {aspect_ids[unknown][0]!r}")
    scheme = table.reindex(aspect_ids)
    tally["judged"] = (scheme["kind"] == JUDGEMENT).to_numpy()
    tally["top"] = scheme["max_mark"].to_numpy()
    # Checking the extremes of each group checks every score in it, at the cost of one group.
    ceiling = np.where(tally["judged"], JUDGE_TOP, tally["top"])
    if ((tally["min"] < 0) | (tally["max"] > ceiling)).any():
        raise ValueError("a score is below 0 or above its aspect's maximum (3 for a judge)")
    if (~tally["judged"] & (tally["count"] > 1)).any():
        raise ValueError("a measurement aspect has more than one agreed mark for an entry")
    return tally


def aspect_marks(
    raw: pd.DataFrame,
    aspects: pd.DataFrame,
    spread_limit: float = DEFAULT_SPREAD_LIMIT,
    keys_unique: bool = False,
) -> pd.DataFrame:
    """The mark of every entry × aspect that has raw marks, with its judges, spread and flag.

    Measurement: the agreed mark itself. Judgement: mean of the judges' scores / 3 × max, where
    with 5 or more judges one highest and one lowest score are left out of the mean. Spread is
    highest − lowest of all the judges' raw scores (NaN for measurement); it is flagged when
    above `spread_limit` (equal to the limit is not flagged). Rows are sorted by entry, aspect.
    A judge's second score of the same entry and aspect is refused unless `keys_unique` says
    the caller's source already makes it impossible (the database's unique constraints).
    """
    tally = _tally(raw, aspect_table(aspects), keys_unique)
    judged, count = tally["judged"].to_numpy(), tally["count"].to_numpy()
    trim = judged & (count >= TRIM_FROM)
    kept_sum = tally["sum"] - np.where(trim, tally["max"] + tally["min"], 0)
    mean = kept_sum / (count - np.where(trim, 2, 0))
    spread = (tally["max"] - tally["min"]).round(SPREAD_DECIMALS).where(judged)
    marks = pd.DataFrame(
        {
            "mark": np.where(judged, mean / JUDGE_TOP * tally["top"], tally["sum"]),
            "judges": count.astype("int64"),
            "spread": spread,
            "flagged": (spread > spread_limit).to_numpy(),  # NaN > limit is False
        },
        index=tally.index,
    )
    return marks.reset_index()[list(MARK_COLUMNS)]


def blocked_criteria(marks: pd.DataFrame, aspects: pd.DataFrame) -> pd.Series:
    """Per criterion_id, whether a flagged spread in it blocks locking until it is re-marked.

    Every criterion of the scheme is listed, False when none of its aspects is flagged;
    locking is allowed when no value is True.
    """
    table = aspect_table(aspects)
    require_columns(marks, ("aspect_id", "flagged"), "marks")
    flagged = marks.loc[marks["flagged"].astype(bool), "aspect_id"].unique()
    blocked = pd.Series(table.index.isin(flagged), index=table.index)
    return blocked.groupby(table["criterion_id"]).any().rename("blocked")


def _grid(marks: pd.DataFrame, aspects: pd.DataFrame, entry_ids: Sequence) -> pd.Series:
    """Marks on every entry × aspect of the scheme, NaN where an aspect has no mark."""
    table = aspect_table(aspects)
    entries = pd.Index(entry_ids, name="entry_id")
    if not entries.is_unique:
        raise ValueError("an entry is listed twice")
    grid = pd.MultiIndex.from_product([entries, table.index], names=_KEYS)
    # Marks of entries not listed (withdrawn, disqualified) stay stored and are left out here.
    return marks.set_index(_KEYS)["mark"].reindex(grid)


def practical_scores(
    marks: pd.DataFrame, aspects: pd.DataFrame, entry_ids: Sequence
) -> pd.DataFrame:
    """Each listed entry's practical score (sum of its aspect marks) and count of missing aspects.

    An aspect with no mark counts 0; `missing_aspects` names them. Indexed by entry_id in the
    order given.
    """
    grid = _grid(marks, aspects, entry_ids)
    by_entry = grid.groupby(level="entry_id", sort=False)
    practical = by_entry.sum()  # sum skips NaN: a missing aspect adds 0
    missing = grid.isna().groupby(level="entry_id", sort=False).sum()
    return pd.DataFrame({"practical": practical.astype(float), "missing": missing.astype("int64")})


def missing_aspects(
    marks: pd.DataFrame, aspects: pd.DataFrame, entry_ids: Sequence
) -> pd.DataFrame:
    """The entry_id and aspect_id of every aspect of the scheme a listed entry has no mark for."""
    grid = _grid(marks, aspects, entry_ids)
    return grid[grid.isna()].index.to_frame(index=False)


def entry_totals(
    practical: pd.Series,
    theory: pd.Series,
    time: pd.Series | None = None,
    weight: float = DEFAULT_THEORY_WEIGHT,
) -> pd.DataFrame:
    """Theory, practical, time and total per entry: total = theory × w + practical × (1 − w).

    Entries are those of `practical` (indexed by entry_id); theory is out of 100 and an entry
    with no theory score (absent from the paper) has 0. Time taken is in seconds, NaN when not
    recorded; it only breaks ties.
    """
    if not 0 <= weight <= 1:
        raise ValueError("the theory weight must be between 0 and 1")
    theory = pd.to_numeric(theory.reindex(practical.index))  # text raises, never becomes 0
    if ((theory < 0) | (theory > THEORY_TOP)).any():
        raise ValueError("a theory score is outside 0 to 100")
    theory = theory.fillna(0.0).astype(float)
    practical = practical.astype(float)
    totals = pd.DataFrame({"theory": theory, "practical": practical})
    totals["time"] = np.nan if time is None else pd.to_numeric(time.reindex(practical.index))
    totals["total"] = theory * weight + practical * (1 - weight)
    return totals


def judge_analytics(
    raw: pd.DataFrame, aspects: pd.DataFrame, spread_limit: float = DEFAULT_SPREAD_LIMIT
) -> pd.DataFrame:
    """Per judge of judgement aspects: marks given, mean deviation from the panel, spreads.

    Deviation is the judge's raw score minus the mean of all the panel's raw scores for the
    same entry × aspect (nothing dropped): positive is lenient, negative severe. mean_spread
    is the mean spread and `flagged` the count of flagged entry × aspect pairs among the
    judge's marks. Indexed by judge_id, sorted.
    """
    require_columns(raw, RAW_COLUMNS, "raw marks")
    kind = aspect_table(aspects)["kind"]
    judged = raw[raw["aspect_id"].map(kind).eq(JUDGEMENT).to_numpy()]
    score = judged["score"].astype(float)
    panel = score.groupby([judged["entry_id"], judged["aspect_id"]])
    spread = (panel.transform("max") - panel.transform("min")).round(SPREAD_DECIMALS)
    per_mark = pd.DataFrame(
        {
            "judge_id": judged["judge_id"],
            "deviation": score - panel.transform("mean"),
            "spread": spread,
            "flagged": spread > spread_limit,
        }
    )
    return per_mark.groupby("judge_id").agg(
        marks=("deviation", "size"),
        deviation=("deviation", "mean"),
        mean_spread=("spread", "mean"),
        flagged=("flagged", "sum"),
    )


def spread_distribution(marks: pd.DataFrame) -> pd.Series:
    """How many judgement entry × aspect pairs have each spread, by spread, ascending."""
    require_columns(marks, ("spread",), "marks")
    counts = marks["spread"].dropna().value_counts().sort_index()
    return counts.rename_axis("spread").rename("pairs").astype("int64")
