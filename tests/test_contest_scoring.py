"""Contest scoring on its own: no database, no app. Hand-worked examples and properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from competitions.contests.ranking import (
    DEFAULT_CHAIN,
    NO_PRIZE,
    TIE_BREAKS,
    award_prizes,
    award_titles,
    check_chain,
    quota_cutoffs,
    rank_entries,
    scaled_scores,
)
from competitions.contests.scoring import (
    JUDGEMENT,
    MARK_COLUMNS,
    MEASUREMENT,
    aspect_marks,
    blocked_criteria,
    entry_totals,
    judge_analytics,
    missing_aspects,
    practical_scores,
    spread_distribution,
)

# pandas is slow to warm up on a first call; hypothesis's 200 ms deadline would be flaky.
pandas_settings = settings(deadline=None)


def scheme(*rows: tuple) -> pd.DataFrame:
    """Aspects from (aspect_id, criterion_id, kind, max_mark) rows."""
    return pd.DataFrame(rows, columns=["aspect_id", "criterion_id", "kind", "max_mark"])


def judged(entry_id: int, aspect_id: int, *scores: float) -> list[tuple]:
    """Raw rows of one entry × aspect, judges numbered 1, 2, ... in the order given."""
    return [(entry_id, aspect_id, judge, score) for judge, score in enumerate(scores, 1)]


def raw_marks(*groups: list[tuple]) -> pd.DataFrame:
    """A raw-marks frame from groups of (entry_id, aspect_id, judge_id, score) rows."""
    rows = [row for group in groups for row in group]
    return pd.DataFrame(rows, columns=["entry_id", "aspect_id", "judge_id", "score"])


def mark_of(marks: pd.DataFrame, entry_id: int, aspect_id: int) -> pd.Series:
    """The one row of `marks` for an entry × aspect."""
    row = marks[(marks["entry_id"] == entry_id) & (marks["aspect_id"] == aspect_id)]
    assert len(row) == 1
    return row.iloc[0]


SIX = scheme((1, "A", JUDGEMENT, 6))
MIXED = scheme(
    (1, "A", JUDGEMENT, 6),
    (2, "A", JUDGEMENT, 6),
    (3, "B", MEASUREMENT, 4),
    (4, "C", JUDGEMENT, 9),
)


# Aspect marks ------------------------------------------------------------------------------


def test_three_judges_mean_over_three_times_max():
    # (3 + 2 + 2) / 3 = 7/3; 7/3 / 3 × 6 = 7/9 × 6 = 4.667. Spread 3 − 2 = 1: at the limit.
    marks = aspect_marks(raw_marks(judged(1, 1, 3, 2, 2)), SIX)
    assert list(marks.columns) == list(MARK_COLUMNS)
    row = marks.iloc[0]
    assert row["mark"] == pytest.approx(7 / 9 * 6)
    assert round(row["mark"], 3) == 4.667
    assert row["judges"] == 3
    assert row["spread"] == 1
    assert not row["flagged"]


def test_five_judges_drop_one_highest_and_one_lowest():
    # 3, 3, 2, 1, 0: drop one 3 and the 0 → (3 + 2 + 1) / 3 = 2; 2 / 3 × 6 = 4.0.
    # The spread counts every judge: 3 − 0 = 3 > 1, flagged.
    row = aspect_marks(raw_marks(judged(1, 1, 3, 3, 2, 1, 0)), SIX).iloc[0]
    assert row["mark"] == pytest.approx(4.0)
    assert (row["judges"], row["spread"], row["flagged"]) == (5, 3, True)


def test_drop_rule_starts_at_exactly_five_judges():
    # Four judges 3, 2, 2, 1: nothing dropped → 8 / 4 = 2 → 2 / 3 × 6 = 4.0.
    # Five judges 3, 2, 2, 1, 1: drop 3 and one 1 → (2 + 2 + 1) / 3 = 5/3 → 5/9 × 6 = 3.333
    # (without the rule it would be 9 / 5 = 1.8 → 3.6).
    raw = raw_marks(judged(1, 1, 3, 2, 2, 1), judged(2, 1, 3, 2, 2, 1, 1))
    marks = aspect_marks(raw, SIX)
    assert mark_of(marks, 1, 1)["mark"] == pytest.approx(4.0)
    assert mark_of(marks, 2, 1)["mark"] == pytest.approx(10 / 3)


def test_only_one_of_several_equal_extremes_is_dropped():
    # Six judges 3, 3, 3, 2, 2, 0: drop one 3 and the 0 → (3 + 3 + 2 + 2) / 4 = 2.5 → 5.0.
    row = aspect_marks(raw_marks(judged(1, 1, 3, 3, 3, 2, 2, 0)), SIX).iloc[0]
    assert row["mark"] == pytest.approx(5.0)


def test_measurement_is_the_agreed_mark():
    raw = raw_marks([(1, 3, 7, 2.5)])
    row = aspect_marks(raw, MIXED).iloc[0]
    assert row["mark"] == 2.5
    assert row["judges"] == 1
    assert math.isnan(row["spread"])
    assert not row["flagged"]


def test_spread_equal_to_limit_is_not_flagged_above_is():
    raw = raw_marks(judged(1, 1, 3, 2), judged(2, 1, 3, 1), judged(3, 1, 2, 2))
    marks = aspect_marks(raw, SIX)
    assert marks["spread"].tolist() == [1, 2, 0]
    assert marks["flagged"].tolist() == [False, True, False]
    wider = aspect_marks(raw, SIX, spread_limit=2)
    assert wider["flagged"].tolist() == [False, False, False]


def test_half_points_are_not_flagged_by_float_noise():
    # 2.7 − 1.7 is 1.0000000000000002 in floating point: still a spread of exactly 1.
    row = aspect_marks(raw_marks(judged(1, 1, 2.7, 1.7)), SIX).iloc[0]
    assert row["spread"] == 1
    assert not row["flagged"]


def test_marks_are_sorted_by_entry_and_aspect():
    raw = raw_marks(judged(2, 2, 1), judged(1, 2, 1), judged(2, 1, 1), judged(1, 1, 1))
    marks = aspect_marks(raw, MIXED)
    assert list(zip(marks["entry_id"], marks["aspect_id"], strict=True)) == [
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 2),
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (raw_marks(judged(1, 1, 4)), "above its aspect's maximum"),
        (raw_marks(judged(1, 1, -1)), "below 0"),
        (raw_marks([(1, 3, 1, 4.5)]), "above its aspect's maximum"),
        (raw_marks([(1, 3, 1, 2), (1, 3, 2, 2)]), "more than one agreed mark"),
        (raw_marks([(1, 1, 1, 2), (1, 1, 1, 3)]), "twice"),
        (raw_marks(judged(1, 99, 2)), "not in the scheme"),
        (raw_marks(judged(1, 1, float("nan"))), "no numeric score"),
        (raw_marks(judged(1, 1, 2)).drop(columns="judge_id"), "judge_id"),
    ],
)
def test_bad_raw_marks_raise(raw, message):
    with pytest.raises(ValueError, match=message):
        aspect_marks(raw, MIXED)


@pytest.mark.parametrize(
    ("aspects", "message"),
    [
        (scheme((1, "A", "opinion", 6)), "kind"),
        (scheme((1, "A", JUDGEMENT, 0)), "maximum"),
        (scheme((1, "A", JUDGEMENT, None)), "maximum"),
        (scheme((1, "A", JUDGEMENT, 6), (1, "B", JUDGEMENT, 6)), "twice"),
        (SIX.drop(columns="criterion_id"), "criterion_id"),
    ],
)
def test_bad_scheme_raises(aspects, message):
    with pytest.raises(ValueError, match=message):
        aspect_marks(raw_marks(judged(1, 1, 2)), aspects)


def test_no_raw_marks_give_no_marks():
    marks = aspect_marks(raw_marks(), MIXED)
    assert marks.empty
    assert list(marks.columns) == list(MARK_COLUMNS)


# Locking -----------------------------------------------------------------------------------


def test_a_flag_blocks_locking_of_its_criterion_only():
    # Aspect 2 (criterion A) has spread 3; aspect 4 (criterion C) spread 1; B is measured.
    raw = raw_marks(judged(1, 1, 2, 2), judged(1, 2, 3, 0), [(1, 3, 1, 3)], judged(1, 4, 1, 2))
    blocked = blocked_criteria(aspect_marks(raw, MIXED), MIXED)
    assert blocked.to_dict() == {"A": True, "B": False, "C": False}
    assert blocked.any()


def test_nothing_flagged_allows_locking():
    raw = raw_marks(judged(1, 1, 2, 3), judged(2, 4, 1, 1))
    blocked = blocked_criteria(aspect_marks(raw, MIXED), MIXED)
    assert not blocked.any()
    assert set(blocked.index) == {"A", "B", "C"}  # criteria with no marks yet are listed


# Practical and totals ----------------------------------------------------------------------


def test_practical_sums_marks_and_counts_missing_aspects_as_zero():
    # Entry 1: 4.667 (aspect 1) + 4.0 (aspect 2) + 2.5 (measured) + 9 × 2/3 = 6 (aspect 4)
    #          = 7/9 × 6 + 4 + 2.5 + 6 = 17.167.
    # Entry 2: only aspect 4 with 3, 3 → 9; three aspects missing. Entry 3: no marks at all.
    raw = raw_marks(
        judged(1, 1, 3, 2, 2),
        judged(1, 2, 2, 2, 2),
        [(1, 3, 1, 2.5)],
        judged(1, 4, 2, 2, 2),
        judged(2, 4, 3, 3),
    )
    marks = aspect_marks(raw, MIXED)
    practical = practical_scores(marks, MIXED, [1, 2, 3])
    assert practical["practical"].tolist() == pytest.approx([7 / 9 * 6 + 12.5, 9.0, 0.0])
    assert practical["missing"].tolist() == [0, 3, 4]
    missing = missing_aspects(marks, MIXED, [1, 2, 3])
    assert missing.to_dict("list") == {
        "entry_id": [2, 2, 2, 3, 3, 3, 3],
        "aspect_id": [1, 2, 3, 1, 2, 3, 4],
    }


def test_marks_of_unlisted_entries_are_left_out():
    marks = aspect_marks(raw_marks(judged(1, 1, 3), judged(9, 1, 3)), SIX)
    practical = practical_scores(marks, SIX, [1])
    assert practical["practical"].to_dict() == {1: 6.0}


def test_an_entry_listed_twice_raises():
    with pytest.raises(ValueError, match="twice"):
        practical_scores(aspect_marks(raw_marks(), SIX), SIX, [1, 1])


def test_total_weights_theory_and_practical():
    # 80 × 0.3 + 60 × 0.7 = 24 + 42 = 66; with w = 0.5: 40 + 30 = 70.
    # Entry 2 missed the theory paper: 0 × 0.3 + 50 × 0.7 = 35.
    practical = pd.Series({1: 60.0, 2: 50.0})
    theory = pd.Series({1: 80.0, 7: 90.0})
    totals = entry_totals(practical, theory, time=pd.Series({1: 3600, 2: 3000}))
    assert totals["total"].tolist() == pytest.approx([66.0, 35.0])
    assert totals["theory"].tolist() == [80.0, 0.0]
    assert totals["time"].tolist() == [3600, 3000]
    assert entry_totals(practical, theory, weight=0.5)["total"][1] == pytest.approx(70.0)
    assert entry_totals(practical, theory)["time"].isna().all()


@pytest.mark.parametrize(
    ("theory", "weight", "message"),
    [
        ({1: 101.0}, 0.3, "theory score"),
        ({1: -1.0}, 0.3, "theory score"),
        ({1: 50}, 1.5, "weight"),
        ({1: "eighty"}, 0.3, "eighty"),
    ],
)
def test_bad_totals_raise(theory, weight, message):
    with pytest.raises(ValueError, match=message):
        entry_totals(pd.Series({1: 60.0}), pd.Series(theory), weight=weight)


# Ranking -----------------------------------------------------------------------------------


def results(rows: dict[str, tuple]) -> pd.DataFrame:
    """Results indexed by entry code from (total, practical, theory, time) tuples."""
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["total", "practical", "theory", "time"]
    )


def test_shared_ranks_skip_the_next_ones():
    # Two entrants equal on every figure share 2nd; the next is 4th ("1224").
    table = results(
        {
            "a": (90, 90, 90, 100),
            "b": (80, 80, 80, 100),
            "c": (80, 80, 80, 100),
            "d": (70, 70, 70, 100),
        }
    )
    assert rank_entries(table).tolist() == [1, 2, 2, 4]


def test_default_chain_practical_then_theory_then_time():
    table = results(
        {
            "slow": (80, 85, 70, 900),  # ties "fast" on total, practical and theory
            "fast": (80, 85, 70, 600),
            "theory": (80, 85, 71, 999),  # same practical, better theory
            "practical": (80, 86, 60, 999),  # best practical among the 80s
            "top": (81, 0, 0, 9999),  # the total comes first
            "no time": (80, 85, 70, None),  # no time recorded: slowest
        }
    )
    ranks = rank_entries(table)
    assert ranks.to_dict() == {
        "top": 1,
        "practical": 2,
        "theory": 3,
        "fast": 4,
        "slow": 5,
        "no time": 6,
    }
    assert ranks.name == "rank"
    assert rank_entries(table, DEFAULT_CHAIN).equals(ranks)


def test_chain_is_configurable():
    table = results({"a": (80, 90, 50, 700), "b": (80, 70, 90, 600)})
    assert rank_entries(table, ["theory"]).to_dict() == {"a": 2, "b": 1}
    assert rank_entries(table, ["time", "practical"]).to_dict() == {"a": 2, "b": 1}
    assert rank_entries(table, ["practical"]).to_dict() == {"a": 1, "b": 2}
    assert rank_entries(table, []).to_dict() == {"a": 1, "b": 1}  # equal totals share


def test_missing_times_tie_with_each_other():
    table = results({"a": (80, 80, 80, None), "b": (80, 80, 80, None), "c": (80, 80, 80, 5)})
    assert rank_entries(table).to_dict() == {"c": 1, "a": 2, "b": 2}


def test_float_noise_does_not_split_a_tie():
    # 0.1 + 0.2 is 0.30000000000000004: the same total as 0.3.
    table = results({"a": (0.1 + 0.2, 0, 0, 1), "b": (0.3, 0, 0, 1)})
    assert rank_entries(table).tolist() == [1, 1]


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        (["practical", "speed"], "unknown tie-break 'speed'"),
        (["total"], "unknown tie-break 'total'"),
        (["theory", "theory"], "twice"),
        ("time", "list of names"),
    ],
)
def test_bad_chains_raise(chain, message):
    with pytest.raises(ValueError, match=message):
        check_chain(chain)
    with pytest.raises(ValueError, match=message):
        rank_entries(results({"a": (1, 1, 1, 1)}), chain)


def test_ranking_needs_its_columns_and_unique_entries():
    with pytest.raises(ValueError, match="theory"):
        rank_entries(results({"a": (1, 1, 1, 1)}).drop(columns="theory"))
    with pytest.raises(ValueError, match="no practical"):
        rank_entries(results({"a": (1, None, 1, 1)}))
    twice = pd.concat([results({"a": (1, 1, 1, 1)})] * 2)
    with pytest.raises(ValueError, match="twice"):
        rank_entries(twice)


def test_no_entrants_no_ranks():
    assert rank_entries(results({})).empty


# Prizes and titles -------------------------------------------------------------------------


def ranked(totals: list[float]) -> pd.DataFrame:
    """Results of entrants numbered from 1 with these totals, ranked on the total alone."""
    table = pd.DataFrame({"total": totals}, index=range(1, len(totals) + 1))
    return table.assign(rank=rank_entries(table, []))


def test_quota_cutoffs_floor_each_level():
    # 20 entrants: 10 % → 2, 20 % → 4, 30 % → 6; last ranks 2, 6, 12.
    assert quota_cutoffs(20) == [2, 6, 12]
    # 9 entrants: 0.9 → 0, 1.8 → 1, 2.7 → 2: no first prize at all.
    assert quota_cutoffs(9) == [0, 1, 3]
    assert quota_cutoffs(0) == [0, 0, 0]
    # 0.29 × 100 is 28.999999999999996 in floating point; still 29 places.
    assert quota_cutoffs(100, [0.29]) == [29]


@pytest.mark.parametrize("quotas", [[0.5, 0.6], [-0.1, 0.2]])
def test_bad_quotas_raise(quotas):
    with pytest.raises(ValueError, match="quotas"):
        quota_cutoffs(10, quotas)


def test_prizes_by_default_quotas():
    # 20 entrants with distinct totals: ranks 1–2 first, 3–6 second, 7–12 third.
    prizes = award_prizes(ranked(list(range(100, 80, -1))))
    assert prizes.tolist() == [1] * 2 + [2] * 4 + [3] * 6 + [NO_PRIZE] * 8
    assert prizes.name == "prize"


def test_shared_rank_at_a_boundary_gets_the_better_prize():
    # 20 entrants; ranks 1, 2, 2, 4, ...: both 2nds are within the first-prize cutoff (2),
    # so three first prizes; the second-prize cutoff stays at rank 6: ranks 4, 5, 6.
    # Three entrants share rank 12 at the last cutoff (12): all three get a third prize.
    totals = [100, 99, 99, 97, 96, 95, 94, 93, 92, 91, 90, 89, 89, 89, 86, 85, 84, 83, 82, 81]
    table = ranked(totals)
    assert table["rank"].tolist()[:14] == [1, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12]
    prizes = award_prizes(table).tolist()
    assert prizes == [1, 1, 1, 2, 2, 2] + [3] * 8 + [NO_PRIZE] * 6


def test_minimum_score_keeps_low_totals_from_prizes():
    # 10 entrants: cutoffs 1, 3, 6; but only totals of 60 or more are eligible.
    table = ranked([90, 80, 70, 60, 59.99, 50, 40, 30, 20, 10])
    prizes = award_prizes(table, minimum_score=60).tolist()
    assert prizes == [1, 2, 2, 3] + [NO_PRIZE] * 6
    assert award_prizes(table, minimum_score=100).tolist() == [NO_PRIZE] * 10


def test_custom_quotas_make_as_many_levels():
    table = ranked([5, 4, 3, 2])
    assert award_prizes(table, quotas=[0.25, 0.75]).tolist() == [1, 2, 2, 2]
    assert award_prizes(table, quotas=[]).tolist() == [NO_PRIZE] * 4


def test_titles_for_the_top_n_with_ties_and_minimum():
    # Top 3: ranks 1, 2, 3, 3 all earn it; rank 5 does not.
    table = ranked([95, 90, 85, 85, 80])
    assert award_titles(table, 3).tolist() == [True, True, True, True, False]
    assert award_titles(table, 3, minimum_score=90).tolist() == [True, True, False, False, False]
    assert not award_titles(table, 0).any()
    with pytest.raises(ValueError, match="negative"):
        award_titles(table, -1)


def test_awards_need_rank_and_total():
    with pytest.raises(ValueError, match="rank"):
        award_prizes(pd.DataFrame({"total": [1.0]}))


# Scaled score ------------------------------------------------------------------------------


def test_scaled_score_from_median_and_mad():
    # Median 80; absolute deviations 20, 10, 0, 10, 20 → MAD 10; 1.4826 × 10 = 14.826.
    # 100 → 700 + 30 × 20 / 14.826 = 740.469; 70 → 700 − 30 × 10 / 14.826 = 679.765.
    scaled = scaled_scores(pd.Series([60, 70, 80, 90, 100]))
    assert scaled.tolist() == pytest.approx([659.531, 679.765, 700, 720.235, 740.469], abs=1e-3)
    assert scaled.name == "scaled"


def test_scaled_score_is_700_for_all_when_mad_is_zero():
    # Median 70; deviations 0, 0, 0, 20 → MAD 0: no spread to scale by.
    assert scaled_scores(pd.Series([70, 70, 70, 90])).tolist() == [700.0] * 4
    assert scaled_scores(pd.Series([55.5])).tolist() == [700.0]
    assert scaled_scores(pd.Series([], dtype=float)).empty


def test_scaled_score_leaves_missing_scores_missing():
    scaled = scaled_scores(pd.Series([60, None, 80, 100]))  # median 80, MAD 20
    assert math.isnan(scaled[1])
    assert scaled[3] == pytest.approx(700 + 30 * 20 / (1.4826 * 20))
    assert math.isnan(scaled_scores(pd.Series([70, None, 70]))[1])


# Judge analytics ---------------------------------------------------------------------------


def test_judge_deviation_from_panel_mean():
    # Entry 1 × aspect 1: judges 1, 2, 3 gave 3, 2, 2; panel mean 7/3 → +2/3, −1/3, −1/3.
    # Entry 2 × aspect 1: 1, 1, 1 → 0 each. Entry 1 × aspect 2: judges 1, 2 gave 3, 0 →
    # mean 1.5 → +1.5, −1.5, spread 3, flagged. Measured marks are not judges' scores.
    raw = raw_marks(
        judged(1, 1, 3, 2, 2), judged(2, 1, 1, 1, 1), judged(1, 2, 3, 0), [(1, 3, 1, 4)]
    )
    analytics = judge_analytics(raw, MIXED)
    assert analytics["marks"].to_dict() == {1: 3, 2: 3, 3: 2}
    # Judge 1: (2/3 + 0 + 1.5) / 3 = 13/18; judge 2: (−1/3 + 0 − 1.5) / 3 = −11/18;
    # judge 3: (−1/3 + 0) / 2 = −1/6.
    assert analytics["deviation"].tolist() == pytest.approx([13 / 18, -11 / 18, -1 / 6])
    # Judge 1's pairs have spreads 1, 0, 3: mean 4/3, one flagged.
    assert analytics["mean_spread"].tolist() == pytest.approx([4 / 3, 4 / 3, 0.5])
    assert analytics["flagged"].tolist() == [1, 1, 0]


def test_spread_distribution_counts_judged_pairs():
    raw = raw_marks(judged(1, 1, 3, 2), judged(2, 1, 3, 2), judged(3, 1, 0, 3), [(1, 3, 1, 4)])
    distribution = spread_distribution(aspect_marks(raw, MIXED))
    assert distribution.to_dict() == {1.0: 2, 3.0: 1}
    assert distribution.name == "pairs"


# Properties --------------------------------------------------------------------------------

judge_scores = st.lists(st.sampled_from([0, 0.5, 1, 1.5, 2, 2.5, 3]), min_size=1, max_size=9)


@pandas_settings
@given(
    panels=st.lists(judge_scores, min_size=1, max_size=6),
    top=st.sampled_from([1, 2.5, 4, 6, 10]),
    limit=st.sampled_from([0, 0.5, 1, 2]),
)
def test_judged_marks_match_the_rule_and_stay_within_max(panels, top, limit):
    raw = raw_marks(*(judged(entry, 1, *scores) for entry, scores in enumerate(panels, 1)))
    aspects = scheme((1, "A", JUDGEMENT, top))
    marks = aspect_marks(raw, aspects, spread_limit=limit)
    for entry, scores in enumerate(panels, 1):
        row = mark_of(marks, entry, 1)
        kept = sorted(scores)[1:-1] if len(scores) >= 5 else scores
        assert 0 <= row["mark"] <= top + 1e-9
        assert row["mark"] == pytest.approx(sum(kept) / len(kept) / 3 * top)
        assert row["spread"] == pytest.approx(max(scores) - min(scores))
        assert row["flagged"] == (max(scores) - min(scores) > limit + 1e-9)


@pandas_settings
@given(
    entries=st.lists(
        st.fixed_dictionaries(
            {
                "total": st.integers(0, 4),
                "practical": st.integers(0, 3),
                "theory": st.integers(0, 3),
                "time": st.one_of(st.none(), st.integers(1, 3)),
            }
        ),
        max_size=12,
    ),
    chain=st.lists(st.sampled_from(list(TIE_BREAKS)), unique=True),
)
def test_ranking_is_the_preorder_of_the_chain(entries, chain):
    table = pd.DataFrame(entries, columns=["total", "practical", "theory", "time"], dtype=float)
    ranks = rank_entries(table, chain).tolist()

    def key(row: dict) -> tuple:
        # Smaller ranks first: higher total, practical and theory; less time, none slowest.
        parts = [-row["total"]]
        for name in chain:
            value = row[name]
            if name == "time":
                parts.append(math.inf if value is None else value)
            else:
                parts.append(-value)
        return tuple(parts)

    keys = [key(row) for row in entries]
    for i, mine in enumerate(keys):
        assert ranks[i] == 1 + sum(other < mine for other in keys)  # competition ranking
        for j, other in enumerate(keys):
            assert (ranks[i] < ranks[j]) == (mine < other)
            assert (ranks[i] == ranks[j]) == (mine == other)


@pandas_settings
@given(
    totals=st.lists(st.integers(0, 10), max_size=30),
    minimum=st.integers(0, 10),
)
def test_prizes_follow_rank_and_cutoffs(totals, minimum):
    table = ranked([float(total) for total in totals])
    prizes = award_prizes(table, minimum_score=minimum)
    cutoffs = quota_cutoffs(len(table))
    order = np.argsort(table["rank"].to_numpy(), kind="stable")
    worse = [prize if prize else math.inf for prize in prizes.to_numpy()[order]]
    assert worse == sorted(worse)  # a better rank never gets a worse prize
    for rank, total, prize in zip(table["rank"], table["total"], prizes, strict=True):
        earned = [level for level, last in enumerate(cutoffs, 1) if rank <= last]
        expected = earned[0] if earned and total >= minimum else NO_PRIZE
        assert prize == expected


@pandas_settings
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40))
@example([0.0, 0.0, 1.0, 1.0, 1.1125369292536007e-308])  # a subnormal median: MAD underflowed
def test_scaled_scores_keep_the_order(values):
    series = pd.Series(values)
    scaled = scaled_scores(series)
    by_value = scaled[series.sort_values(kind="stable").index].to_numpy()
    assert (np.diff(by_value) >= -1e-9).all()
    if len(values) % 2:  # the median itself is a score and maps to 700
        assert scaled[series == series.median()].to_numpy() == pytest.approx(700.0)


@pandas_settings
@given(
    present=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), unique=True),
    score=st.sampled_from([0, 1, 2, 3]),
)
def test_practical_is_the_sum_and_missing_the_rest(present, score):
    aspects = scheme(*((aspect, "A", JUDGEMENT, 6) for aspect in range(1, 5)))
    raw = raw_marks(*(judged(entry, aspect, score) for entry, aspect in present))
    marks = aspect_marks(raw, aspects)
    practical = practical_scores(marks, aspects, [1, 2, 3, 4])
    for entry in range(1, 5):
        count = sum(1 for mine, _ in present if mine == entry)
        assert practical.loc[entry, "practical"] == pytest.approx(count * score / 3 * 6)
        assert practical.loc[entry, "missing"] == 4 - count
    assert len(missing_aspects(marks, aspects, [1, 2, 3, 4])) == 16 - len(present)
