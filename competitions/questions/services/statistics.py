"""Item statistics of a bank's questions, from the answers training records."""

import numpy as np
import pandas as pd
from sqlalchemy import select

from competitions.questions.models import Question
from competitions.training.models import Answer
from guild.extensions import db

LOW_DISCRIMINATION = 0.2
MIN_ATTEMPTS = 30


def item_statistics(
    answers: pd.DataFrame,
    low_discrimination: float = LOW_DISCRIMINATION,
    min_attempts: int = MIN_ATTEMPTS,
) -> pd.DataFrame:
    """Facility, discrimination and attempts per question, with a review flag.

    `answers` has one row per answered question: `attempt_id`, `question_id` and `score`
    (0 to 1). Facility is the mean score. Discrimination is the corrected item-total
    correlation: Pearson's r between the item's score and the score of the rest of the same
    attempt, over the attempts that contain the item; it is NaN where either does not vary.
    A question is flagged when it has at least `min_attempts` attempts and its
    discrimination is below `low_discrimination` (or undefined).
    """
    columns = ["question_id", "attempts", "facility", "discrimination", "flagged"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    frame = answers[["attempt_id", "question_id", "score"]].astype({"score": float})
    totals = frame.groupby("attempt_id")["score"].transform("sum")
    frame = frame.assign(rest=totals - frame["score"])
    frame = frame.assign(
        xy=frame["score"] * frame["rest"], xx=frame["score"] ** 2, yy=frame["rest"] ** 2
    )
    sums = frame.groupby("question_id").agg(
        attempts=("score", "size"),
        x=("score", "sum"),
        y=("rest", "sum"),
        xy=("xy", "sum"),
        xx=("xx", "sum"),
        yy=("yy", "sum"),
    )
    n = sums["attempts"]
    covariance = sums["xy"] - sums["x"] * sums["y"] / n
    spread_x = sums["xx"] - sums["x"] ** 2 / n
    spread_y = sums["yy"] - sums["y"] ** 2 / n
    denominator = np.sqrt(spread_x * spread_y)
    valid = (spread_x > 1e-12) & (spread_y > 1e-12)
    discrimination = (covariance / denominator.where(valid)).clip(-1, 1)
    result = pd.DataFrame(
        {
            "attempts": n,
            "facility": sums["x"] / n,
            "discrimination": discrimination,
        }
    ).reset_index()
    weak = result["discrimination"].isna() | (result["discrimination"] < low_discrimination)
    result["flagged"] = (result["attempts"] >= min_attempts) & weak
    return result[columns]


MAX_ANSWERS = 200_000  # the most recent answers a bank's statistics are computed from
MAX_ATTEMPTS = 20_000  # the most recent attempts a page of questions is computed from


def _answers_frame(query) -> pd.DataFrame:
    rows = db.session.execute(query).all()
    return pd.DataFrame(rows, columns=["attempt_id", "question_id", "score"])


def recorded_answers(trade_id: int, question_ids: list[int] | None = None) -> pd.DataFrame:
    """Answers of a trade's questions, whole attempts at a time (the rest score needs them).

    With question ids, the most recent MAX_ATTEMPTS attempts that hold one of them; else
    the most recent MAX_ANSWERS answers of the bank.
    """
    columns = select(Answer.attempt_id, Answer.question_id, Answer.score)
    if question_ids is not None:
        holding = (
            select(Answer.attempt_id)
            .where(Answer.question_id.in_(question_ids))
            .order_by(Answer.attempt_id.desc())
            .limit(MAX_ATTEMPTS)
        )
        return _answers_frame(columns.where(Answer.attempt_id.in_(holding)))
    recent = (
        columns.join(Question, Question.id == Answer.question_id)
        .where(Question.trade_id == trade_id)
        .order_by(Answer.id.desc())
        .limit(MAX_ANSWERS)
    )
    return _answers_frame(recent)


def bank_statistics(trade_id: int, question_ids: list[int] | None = None) -> dict[int, dict]:
    """Item statistics by question id, for some questions of a trade or its whole bank."""
    table = item_statistics(recorded_answers(trade_id, question_ids))
    if question_ids is not None:
        table = table[table["question_id"].isin(question_ids)]
    table = table.astype(object).where(table.notna(), None)
    return {int(row["question_id"]): row for row in table.to_dict("records")}
