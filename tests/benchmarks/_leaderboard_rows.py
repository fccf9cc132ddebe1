"""Rows of the leaderboard benchmark's campaign, built with pandas: users, attempts, standings."""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from _training_data import person_name

TRADES, QUESTIONS, CHAPTERS, PER_ATTEMPT, DAYS = 20, 100, 10, 10, 30


def attempts_per_worker(rng, participants: int, attempts: int) -> np.ndarray:
    """Daily practices per worker: most do one or two, a few nearly every day (1 to 30)."""
    if attempts < participants:
        raise SystemExit("--answers must be at least 10 x --participants")
    raw = rng.lognormal(0.0, 1.2, participants)
    counts = np.clip(np.rint(raw * attempts / participants / raw.mean()), 1, DAYS).astype(int)
    while (missing := attempts - int(counts.sum())) != 0:
        room = np.flatnonzero(counts < DAYS) if missing > 0 else np.flatnonzero(counts > 1)
        chosen = rng.choice(room, size=min(abs(missing), len(room)), replace=False)
        counts[chosen] += 1 if missing > 0 else -1
    return counts


def make_users(rng, participants: int, enterprises: list[tuple[int, str]], cities) -> pd.DataFrame:
    """Workers 1..N: nine in ten in an enterprise (which sets the city)."""
    ids = np.arange(1, participants + 1)
    chosen = rng.integers(0, len(enterprises), participants)
    enterprise_ids = np.array([e for e, _ in enterprises])[chosen]
    enterprise_cities = np.array([c for _, c in enterprises], dtype=object)[chosen]
    loose = rng.random(participants) < 0.1
    city = np.where(loose, np.array(cities, dtype=object)[ids % len(cities)], enterprise_cities)
    created = datetime(2026, 1, 1).isoformat(sep=" ", timespec="microseconds")
    return pd.DataFrame(
        {
            "id": ids,
            "phone": (13_000_000_000 + ids).astype(str),
            "real_name": [person_name(int(n)) for n in ids],
            "password_hash": "benchmark$not-a-password-hash",
            "city": city,
            "enterprise_id": pd.Series(enterprise_ids, dtype="Int64").mask(loose),
            "is_active": 1,
            "created_at": created,
        }
    )


def make_attempts(rng, users: pd.DataFrame, attempts: int, trade_ids, starts_on: date):
    """One row per daily practice: worker, trade, day, right answers, seconds, points."""
    counts = attempts_per_worker(rng, len(users), attempts)
    weights = 1 / np.arange(1, len(trade_ids) + 1) ** 0.8
    primary = rng.choice(len(trade_ids), len(users), p=weights / weights.sum())
    secondary = np.where(rng.random(len(users)) < 0.25, rng.integers(0, len(trade_ids)), primary)
    skill = rng.beta(4.0, 1.6, len(users))
    offset = (rng.random(len(users)) * (DAYS - counts + 1)).astype(int)
    owner = np.repeat(np.arange(len(users)), counts)
    ordinal = np.arange(attempts) - np.repeat(np.cumsum(counts) - counts, counts)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, attempts + 1),
            "user_id": users["id"].to_numpy()[owner],
            "trade_id": np.asarray(trade_ids)[
                np.where(ordinal % 2 == 1, secondary[owner], primary[owner])
            ],
            "day_index": offset[owner] + ordinal,
            "correct_count": rng.binomial(PER_ATTEMPT, skill[owner]),
        }
    )
    positions = np.arange(1, PER_ATTEMPT + 1)
    frame["seconds"] = (3 + (frame["id"].to_numpy()[:, None] * 37 + positions * 11) % 40).sum(1)
    frame["capped"] = 10 * frame["correct_count"]
    frame["points"] = frame["capped"] + 20 * (frame["correct_count"] == PER_ATTEMPT)
    frame["day"] = [starts_on + timedelta(days=int(n)) for n in frame["day_index"]]
    frame["hour"] = rng.integers(0, 13 * 3600, attempts)
    return frame.merge(users[["id", "city", "enterprise_id"]].rename(columns={"id": "user_id"}))


def attempt_rows(frame: pd.DataFrame, campaign_id: int) -> pd.DataFrame:
    """The attempts table's columns for the generated practices."""
    start = pd.to_datetime(pd.Series(frame["day"])) + pd.to_timedelta(frame["hour"], unit="s")
    end = start + pd.to_timedelta(frame["seconds"], unit="s")
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    return pd.DataFrame(
        {
            "id": frame["id"],
            "user_id": frame["user_id"],
            "trade_id": frame["trade_id"],
            "campaign_id": campaign_id,
            "mode": "daily",
            "chapter": "",
            "partial_credit": 0,
            "day": [day.isoformat() for day in frame["day"]],
            "started_at": start.dt.strftime(stamp),
            "last_activity_at": end.dt.strftime(stamp),
            "submitted_at": end.dt.strftime(stamp),
            "item_count": PER_ATTEMPT,
            "answered_count": PER_ATTEMPT,
            "correct_count": frame["correct_count"],
            "score": frame["correct_count"].astype(float),
            "max_score": float(PER_ATTEMPT),
        }
    )


def _board(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return (
        frame.groupby(keys)
        .agg(
            attempts=("id", "size"),
            correct=("correct_count", "sum"),
            points=("points", "sum"),
            seconds=("seconds", "sum"),
            city=("city", "first"),
            enterprise_id=("enterprise_id", "first"),
        )
        .reset_index()
        .assign(answers=lambda f: f["attempts"] * PER_ATTEMPT)
    )


def standing_rows(frame: pd.DataFrame, campaign_id: int, starts_on: date) -> pd.DataFrame:
    """Whole-campaign and per-trade standings; the daily cap's day is on the whole row only."""
    whole = _board(frame, ["user_id"]).assign(trade_id=0)
    last = frame.loc[frame["day_index"] == frame.groupby("user_id")["day_index"].transform("max")]
    last = last.set_index("user_id")
    whole["last_day"] = (
        whole["user_id"]
        .map(last["day_index"])
        .map(lambda n: (starts_on + timedelta(days=int(n))).isoformat())
    )
    whole["day_points"] = whole["user_id"].map(last["capped"])
    trade = _board(frame, ["user_id", "trade_id"]).assign(last_day=None, day_points=0)
    columns = ["trade_id", "user_id", "enterprise_id", "city", "points", "seconds"]
    columns += ["attempts", "answers", "correct", "last_day", "day_points"]
    both = pd.concat([whole[columns], trade[columns]], ignore_index=True)
    both.insert(0, "campaign_id", campaign_id)
    return both.astype({"enterprise_id": "Int64"})


def _chapter_tallies(frame: pd.DataFrame, trade_ids: list[int]) -> pd.DataFrame:
    """Answers, right answers and points per trade chapter, position by position."""
    ids, correct = frame["id"].to_numpy(), frame["correct_count"].to_numpy()
    trade_index = pd.Index(trade_ids).get_indexer(frame["trade_id"])
    size = len(trade_ids) * CHAPTERS
    answers, right, points = np.zeros(size), np.zeros(size), np.zeros(size)
    for position in range(1, PER_ATTEMPT + 1):
        chapter = ((ids * 13 + position * 31) % QUESTIONS) % CHAPTERS
        key = trade_index * CHAPTERS + chapter
        good = (position * 7 + ids) % 10 < correct
        earned = 10 * good + (20 * (correct == PER_ATTEMPT) if position == PER_ATTEMPT else 0)
        answers += np.bincount(key, minlength=size)
        right += np.bincount(key, weights=good, minlength=size)
        points += np.bincount(key, weights=earned, minlength=size)
    values = [f"{t}:第{c + 1}章" for t in trade_ids for c in range(CHAPTERS)]
    return pd.DataFrame(
        {"dimension": "chapter", "value": values, "attempts": 0, "participants": 0}
    ).assign(answers=answers.astype(int), correct=right.astype(int), points=points.astype(int))


def tally_rows(frame: pd.DataFrame, campaign_id: int, trade_ids, starts_on: date):
    """The campaign's tallies per day, trade, city, enterprise and chapter."""
    parts = []
    for dimension, key in (
        ("day", "day_index"),
        ("trade", "trade_id"),
        ("city", "city"),
        ("enterprise", "enterprise_id"),
    ):
        part = frame.groupby(key).agg(
            attempts=("id", "size"),
            participants=("user_id", "nunique"),
            correct=("correct_count", "sum"),
            points=("points", "sum"),
        )
        part["answers"] = part["attempts"] * PER_ATTEMPT
        part = part.reset_index().rename(columns={key: "value"})
        if dimension == "day":
            part["value"] = [
                (starts_on + timedelta(days=int(n))).isoformat() for n in part["value"]
            ]
        parts.append(part.assign(dimension=dimension, value=part["value"].astype(str)))
    parts.append(_chapter_tallies(frame, trade_ids))
    columns = ["dimension", "value", "attempts", "participants", "answers", "correct", "points"]
    tallies = pd.concat([part[columns] for part in parts], ignore_index=True)
    tallies.insert(0, "campaign_id", campaign_id)
    return tallies
