"""Item statistics checked against figures worked out by hand."""

import math

import pandas as pd
import pytest

from competitions.questions.services.statistics import item_statistics

# Four attempts of three questions (1 = right):   q1 q2 q3
#   a1                                            1  1  0
#   a2                                            1  0  0
#   a3                                            0  1  1
#   a4                                            0  0  0
SCORES = {"a1": (1, 1, 0), "a2": (1, 0, 0), "a3": (0, 1, 1), "a4": (0, 0, 0)}


def _answers() -> pd.DataFrame:
    rows = [
        {"attempt_id": attempt, "question_id": number + 1, "score": score}
        for attempt, scores in SCORES.items()
        for number, score in enumerate(scores)
    ]
    return pd.DataFrame(rows)


def test_facility_and_discrimination_by_hand():
    """q1: rest 1,0,2,0 gives r = -0.5/sqrt(2.75); q2: rest 1,1,1,0 gives 0.5/sqrt(0.75)."""
    stats = item_statistics(_answers(), min_attempts=4).set_index("question_id")
    assert stats.loc[1, "attempts"] == 4
    assert stats.loc[:, "facility"].tolist() == [0.5, 0.5, 0.25]
    assert stats.loc[1, "discrimination"] == pytest.approx(-0.5 / math.sqrt(2.75))
    assert stats.loc[2, "discrimination"] == pytest.approx(0.5 / math.sqrt(0.75))
    assert stats.loc[3, "discrimination"] == pytest.approx(0.0)
    assert stats["flagged"].tolist() == [True, False, True]


def test_few_attempts_are_not_flagged():
    """Below the minimum number of attempts nothing is flagged, however weak."""
    stats = item_statistics(_answers(), min_attempts=5)
    assert not stats["flagged"].any()


def test_an_item_everyone_gets_right_has_no_discrimination():
    """No variation in the item score leaves discrimination undefined, and flagged."""
    answers = pd.DataFrame(
        {"attempt_id": [1, 1, 2, 2], "question_id": [7, 8, 7, 8], "score": [1, 1, 1, 0]}
    )
    stats = item_statistics(answers, min_attempts=2).set_index("question_id")
    assert math.isnan(stats.loc[7, "discrimination"])
    assert bool(stats.loc[7, "flagged"]) is True


def test_partial_credit_and_no_answers():
    """Scores between 0 and 1 count as they are; no answers give an empty table."""
    answers = pd.DataFrame({"attempt_id": [1, 2], "question_id": [3, 3], "score": [0.5, 1.0]})
    assert item_statistics(answers).loc[0, "facility"] == pytest.approx(0.75)
    empty = pd.DataFrame(columns=["attempt_id", "question_id", "score"])
    assert item_statistics(empty).empty
