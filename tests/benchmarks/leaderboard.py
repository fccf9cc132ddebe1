"""Leaderboard page latency (top 50 + my rank) with 1,000,000 participants and 20,000,000 answers.

Run: .venv/bin/python tests/benchmarks/leaderboard.py [--engine sqlite|postgresql]
         [--participants 1000000] [--answers 20000000] [--requests 400] [--regenerate]
Target (issue): p95 <= 50 ms on SQLite and on PostgreSQL.

The campaign is generated directly: users, one campaign over 20 trades with their banks,
daily-practice attempts (a heavy-tailed number per worker, at most one a day), their
answers (INSERT … SELECT on the server, 10 per attempt), and the standings (whole campaign
and per trade), per-points counts, campaign days and tallies that those answers make under
the campaign's rules (10 points a right answer, 20 for a perfect day, capped at 100 a day):
the same figures `standings rebuild` would compute. Points run from 0 to about 3,300 in
steps of 10, so many workers share a score. The database is kept between runs:
/tmp/guild-bench-cache/leaderboard-<participants>-<answers>.sqlite3, or the PostgreSQL
database guild_bench_lb_<participants>_<answers>; --regenerate makes it again.

Then gunicorn (2 sync workers) serves it and signed-in participants chosen at random open
GET /skills/campaigns/<id>/ with each board (whole, trade = their own, enterprise, city),
one request at a time; the time from sending to the last byte is reported per board.
"""

import argparse
import http.client
import random
import statistics
import time
from urllib.parse import urlsplit

from _leaderboard_data import BOARDS, prepare_database
from _server import gunicorn
from _training_data import open_app, session_cookies


def timed_get(base: str, path: str, cookie: str) -> tuple[float, bytes]:
    """Seconds from sending a GET to its last byte, and the body; anything but 200 fails."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-CN"})
    response = connection.getresponse()
    page = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return elapsed, page


def sample_viewers(env: dict[str, str], count: int, participants: int, seed: int):
    """Participants chosen at random, signed in: (user id, own trade, Cookie header)."""
    from sqlalchemy import select

    from competitions.campaigns.models import Standing
    from guild.extensions import db

    app = open_app(env)
    chosen = random.Random(seed).sample(range(1, participants + 1), count)
    with app.app_context():
        best: dict[int, tuple[int, int]] = {}
        rows = db.session.execute(
            select(Standing.user_id, Standing.trade_id, Standing.points).where(
                Standing.user_id.in_(chosen), Standing.trade_id != 0
            )
        )
        for user_id, trade_id, points in rows:
            if points >= best.get(user_id, (0, -1))[1]:
                best[user_id] = (trade_id, points)
        cookies = session_cookies(app, chosen)
        db.session.remove()
        db.engine.dispose()
    return [(user, best[user][0], cookies[user][0]) for user in chosen]


def board_path(campaign_id: int, board: str, trade_id: int) -> str:
    path = f"/skills/campaigns/{campaign_id}/"
    if board == "trade":
        return f"{path}?board=trade&trade={trade_id}"
    return path if board == "whole" else f"{path}?board={board}"


def measure(env: dict[str, str], meta: dict, args) -> dict[str, list[float]]:
    """Sequential GETs of every board by the sampled viewers, boards interleaved."""
    viewers = sample_viewers(env, args.users, args.participants, seed=int(time.time()))
    timings: dict[str, list[float]] = {board: [] for board in BOARDS}
    rng = random.Random(1)
    with gunicorn(env, 2) as base:
        for _user, trade_id, cookie in viewers[:20]:  # warm up both workers
            for board in BOARDS:
                timed_get(base, board_path(meta["campaign_id"], board, trade_id), cookie)
        for _ in range(args.requests):
            _user, trade_id, cookie = rng.choice(viewers)
            for board in BOARDS:
                path = board_path(meta["campaign_id"], board, trade_id)
                elapsed, page = timed_get(base, path, cookie)
                if board in ("whole", "trade") and b"table-warning" not in page:
                    raise RuntimeError(f"{path}: the viewer's own row is missing")
                timings[board].append(elapsed)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(timings: dict[str, list[float]], engine: str, meta: dict, args) -> None:
    print(
        f"{engine}: {args.participants:,} participants, {args.answers:,} answers "
        f"(generated in {meta['seconds']} s); gunicorn 2 sync workers, sequential requests,"
    )
    print(f"{args.requests} per board by {args.users} signed-in participants; times in ms")
    print(f"{'board':<12}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}")
    for board, values in timings.items():
        figures = [percentile(values, share) for share in (0.5, 0.95, 0.99, 1.0)]
        figures.append(statistics.fmean(values))
        print(f"{board:<12}" + "".join(f"{value * 1e3:>8.1f}" for value in figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=20_000_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per board")
    parser.add_argument("--users", type=int, default=200, help="signed-in participants")
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached database")
    args = parser.parse_args()
    env, meta = prepare_database(args.engine, args.participants, args.answers, args.regenerate)
    timings = measure(env, meta, args)
    report(timings, "PostgreSQL" if args.engine == "postgresql" else "SQLite", meta, args)


if __name__ == "__main__":
    main()
