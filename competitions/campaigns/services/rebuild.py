"""Recompute a campaign's standings, counts and tallies from its raw attempts and answers.

The running figures are moved in each answer's transaction; this replays the same rules
over everything recorded, so the two can be compared (and the running ones repaired).
City and enterprise are taken from the workers' current profiles.
"""

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from competitions.campaigns.services.standings import chapter_value
from competitions.questions.models import QuestionVersion
from competitions.training.models import Answer, Attempt, AttemptItem, Mode
from guild.accounts.models import User
from guild.bulk import insert_rows
from guild.extensions import db

STANDING_COLUMNS = ["attempts", "answers", "correct", "points", "seconds"]


def _frame(query, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(db.session.execute(query).all(), columns=columns)


def _load(campaign_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    items = (
        select(AttemptItem.attempt_id, func.count().label("n"))
        .group_by(AttemptItem.attempt_id)
        .subquery()
    )
    attempts = _frame(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.trade_id,
            Attempt.mode,
            Attempt.day,
            items.c.n,
            User.city,
            User.enterprise_id,
        )
        .join(items, items.c.attempt_id == Attempt.id)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.campaign_id == campaign_id),
        ["attempt_id", "user_id", "trade_id", "mode", "day", "items", "city", "enterprise_id"],
    )
    answers = _frame(
        select(
            Answer.id,
            Answer.attempt_id,
            Answer.score,
            Answer.is_correct,
            Answer.seconds,
            Answer.answered_at,
            QuestionVersion.chapter,
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Answer.version_id)
        .where(Attempt.campaign_id == campaign_id),
        ["answer_id", "attempt_id", "score", "is_correct", "seconds", "answered_at", "chapter"],
    )
    answers = answers.merge(attempts, on="attempt_id", how="inner")
    # Typed explicitly: a campaign without answers yet gives empty object columns, which
    # the cumulative sums and comparisons below refuse.
    answers = answers.astype(
        {"score": float, "is_correct": bool, "seconds": int, "items": int, "user_id": int}
    )
    return attempts, answers.sort_values(["answered_at", "answer_id"], kind="stable")


def award_points(campaign: Campaign, answers: pd.DataFrame) -> pd.Series:
    """Points of each answer: daily ones earn score × rate within the day's cap, plus bonuses."""
    daily = answers["mode"] == Mode.DAILY.value
    base = np.round(answers["score"] * campaign.points_per_correct).where(daily, 0)
    running = base.groupby([answers["user_id"], answers["day"]]).cumsum()
    capped = running.clip(upper=campaign.daily_points_cap)
    earned = capped - capped.groupby([answers["user_id"], answers["day"]]).shift(fill_value=0)
    per_attempt = answers.groupby("attempt_id")
    perfect = (
        daily
        & (per_attempt["answer_id"].transform("size") == answers["items"])
        & per_attempt["is_correct"].transform("all")
        & (per_attempt.cumcount(ascending=False) == 0)  # on the answer that completed it
    )
    return (earned + perfect * campaign.perfect_day_bonus).astype(int), earned.astype(int)


def _standings(attempts: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per worker and board (each trade, and the whole campaign)."""
    daily = answers[answers["mode"] == Mode.DAILY.value]
    frames = []
    for board in ("trade", "whole"):
        keys = ["user_id", "trade_id"] if board == "trade" else ["user_id"]
        tried = attempts.groupby(keys).agg(
            attempts=("attempt_id", "size"),
            city=("city", "first"),
            enterprise_id=("enterprise_id", "first"),
        )
        scored = daily.groupby(keys).agg(
            answers=("answer_id", "size"),
            correct=("is_correct", "sum"),
            points=("points", "sum"),
            seconds=("seconds", "sum"),
        )
        frame = tried.join(scored, how="left").reset_index()
        if board == "whole":
            frame["trade_id"] = WHOLE_CAMPAIGN
            last = daily.groupby("user_id").agg(last_day=("day", "max"))
            frame = frame.merge(last, on="user_id", how="left")
            today = daily.merge(last, on="user_id")
            today = today[today["day"] == today["last_day"]]
            used = today.groupby("user_id")["capped"].sum().rename("day_points")
            frame = frame.merge(used, on="user_id", how="left")
        frames.append(frame)
    standings = pd.concat(frames, ignore_index=True)
    for column in [*STANDING_COLUMNS, "day_points"]:
        standings[column] = standings[column].fillna(0).astype(int)
    return standings


def _tallies(attempts: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """The campaign's totals per day, trade, city, enterprise and chapter."""
    attempts = attempts.assign(enterprise=attempts["enterprise_id"].map(_enterprise_value))
    answers = answers.assign(
        enterprise=answers["enterprise_id"].map(_enterprise_value),
        chapter=[
            chapter_value(t, c)
            for t, c in zip(answers["trade_id"], answers["chapter"], strict=True)
        ],
    )
    for frame in (attempts, answers):
        frame["day"] = frame["day"].map(lambda day: day.isoformat())
        frame["trade"] = frame["trade_id"].astype(str)
    frames = []
    for dimension in ("day", "trade", "city", "enterprise", "chapter"):
        counted = answers.groupby(dimension).agg(
            answers=("answer_id", "size"), correct=("is_correct", "sum"), points=("points", "sum")
        )
        if dimension != "chapter":
            started = attempts.groupby(dimension).agg(
                attempts=("attempt_id", "size"), participants=("user_id", "nunique")
            )
            counted = started.join(counted, how="outer")
        frame = counted.reset_index().rename(columns={dimension: "value"})
        frame = frame[frame["value"] != ""]
        frames.append(frame.assign(dimension=dimension))
    tallies = pd.concat(frames, ignore_index=True)
    for column in ("attempts", "participants", "answers", "correct", "points"):
        tallies[column] = tallies.get(column, 0)
        tallies[column] = tallies[column].fillna(0).astype(int)
    return tallies


def _enterprise_value(enterprise_id) -> str:
    return "" if pd.isna(enterprise_id) else str(int(enterprise_id))


def rebuild_campaign(campaign: Campaign) -> int:
    """Replace a campaign's standings, counts, days and tallies by recomputed ones.

    Returns the number of standings written.
    """
    attempts, answers = _load(campaign.id)
    answers["points"], answers["capped"] = award_points(campaign, answers)
    standings = _standings(attempts, answers) if len(attempts) else pd.DataFrame()
    for model in (Standing, StandingCount, StandingMinuteCount, Tally, CampaignDay):
        db.session.execute(delete(model).where(model.campaign_id == campaign.id))
    if standings.empty:
        return 0
    _write(campaign.id, attempts, answers, standings)
    return len(standings)


def _write(campaign_id: int, attempts, answers, standings: pd.DataFrame) -> None:
    standings = standings.assign(campaign_id=campaign_id)
    # An object column: mapped into a numeric one, ints beside None would come back as
    # floats (1.0), which COPY refuses for an integer column.
    standings["enterprise_id"] = pd.Series(
        [None if pd.isna(value) else int(value) for value in standings["enterprise_id"]],
        index=standings.index,
        dtype=object,
    )
    standings["last_day"] = standings.get("last_day").map(lambda day: None if pd.isna(day) else day)
    columns = [
        "campaign_id",
        "trade_id",
        "user_id",
        "enterprise_id",
        "city",
        "last_day",
        "day_points",
    ]
    insert_rows(Standing.__table__, _records(standings, columns + STANDING_COLUMNS))
    counts = standings.groupby(["trade_id", "points"]).size().rename("participants").reset_index()
    insert_rows(StandingCount.__table__, _records(counts.assign(campaign_id=campaign_id), None))
    minutes = standings.assign(minute=standings["seconds"] // 60)
    minutes = minutes.groupby(["trade_id", "points", "minute"]).size().rename("participants")
    minutes = minutes.reset_index().assign(campaign_id=campaign_id)
    insert_rows(StandingMinuteCount.__table__, _records(minutes, None))
    days = attempts[["user_id", "day"]].drop_duplicates().assign(campaign_id=campaign_id)
    insert_rows(CampaignDay.__table__, _records(days, None))
    tallies = _tallies(attempts, answers).assign(campaign_id=campaign_id)
    keep = [
        "campaign_id",
        "dimension",
        "value",
        "attempts",
        "participants",
        "answers",
        "correct",
        "points",
    ]
    insert_rows(Tally.__table__, _records(tallies, keep))


def _records(frame: pd.DataFrame, columns: list[str] | None) -> list[dict]:
    """Rows as dicts of plain Python values (no numpy scalars reach the driver)."""
    frame = frame[columns] if columns else frame
    return [
        {
            key: value.item() if isinstance(value, np.generic) else value
            for key, value in row.items()
        }
        for row in frame.to_dict("records")
    ]
