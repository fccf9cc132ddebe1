"""The campaign statistics page at 1,000,000 participants and 20,000,000 answers.

Run: .venv/bin/python tests/benchmarks/campaign_statistics.py [--engine sqlite|postgresql]
         [--participants 1000000] [--answers 20000000] [--times 5] [--regenerate]
Target (issue): GET /skills/campaigns/<id>/statistics at that size in <= 2 s.

Uses the campaign leaderboard.py generates (and caches): the same database is reused. An
organiser signs in and opens the page under gunicorn (2 sync workers), once to warm up and
then `--times` times; the median and the slowest are reported, and the Excel export's time.
"""

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import gunicorn  # noqa: E402
from _training_data import open_app, session_cookies  # noqa: E402
from leaderboard import prepare_database, timed_get  # noqa: E402


def organiser_cookie(env: dict[str, str], organiser_id: int) -> str:
    """A signed-in session of the generated campaign's organiser."""
    from guild.extensions import db

    app = open_app(env)
    with app.app_context():
        cookie = session_cookies(app, [organiser_id])[organiser_id][0]
        db.session.remove()
        db.engine.dispose()
    return cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=20_000_000)
    parser.add_argument("--times", type=int, default=5, help="timed requests of each page")
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached database")
    args = parser.parse_args()
    env, meta = prepare_database(args.engine, args.participants, args.answers, args.regenerate)
    cookie = organiser_cookie(env, meta["organiser_id"])
    pages = {
        "statistics page": f"/skills/campaigns/{meta['campaign_id']}/statistics",
        "Excel export": f"/skills/campaigns/{meta['campaign_id']}/statistics.xlsx",
    }
    timings: dict[str, list[float]] = {name: [] for name in pages}
    with gunicorn(env, 2) as base:
        for path in pages.values():
            timed_get(base, path, cookie)[0]  # each worker imports and warms its caches
            timed_get(base, path, cookie)[0]
        for _ in range(args.times):
            for name, path in pages.items():
                timings[name].append(timed_get(base, path, cookie)[0])
    engine = "PostgreSQL" if args.engine == "postgresql" else "SQLite"
    print(f"{engine}: {args.participants:,} participants, {args.answers:,} answers; gunicorn 2")
    print(f"sync workers, organiser signed in, {args.times} timed requests each after warm-up")
    print(f"{'page':<18}{'median s':>10}{'max s':>10}")
    for name, values in timings.items():
        print(f"{name:<18}{statistics.median(values):>10.3f}{max(values):>10.3f}")


if __name__ == "__main__":
    main()
