"""Contest standings from the database: 10,000 entrants × 40 aspects, about 2,000,000 raw marks.

Run: .venv/bin/python tests/benchmarks/contest_results.py [--database URL]
         [--entrants 10000] [--aspects 40] [--measured 8] [--judges 5] [--warm 200]
         [--regenerate]
Targets (issue 5): standings cold (cache empty) <= 2 s and <= 1 GB peak memory; warm (cache
hit) p95 <= 100 ms, the results page being a thin view over it.

The contest comes from contest_data.py (generated once and cached, in a child process, so
the measuring process's peak memory is its own). This calls
competitions.contests.services.results in an app context, each call in a fresh session as a
request would: cold (cache cleared, 3 runs), warm (cache hit), and after one mark change
saved through the marking service (recompute). The results page: contest_results_page.py.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import scratch_env  # noqa: E402
from _stats import percentile  # noqa: E402
from _training_data import open_app  # noqa: E402
from contest_data import add_size_arguments, change_one_mark, prepare  # noqa: E402


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss, kB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, *args) -> tuple[float, object]:
    """Seconds one call takes in a fresh session (as a request), and its result."""
    from guild.extensions import db

    db.session.remove()
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def measure(url: str, meta: dict, args) -> list[tuple]:
    """Rows of the report: (step, runs, median or p50 s, p95 s, max s, note)."""
    from competitions.contests.services import results
    from guild.extensions import db

    contest_id = int(meta["contest_id"])
    app = open_app(scratch_env(url))
    rows = []
    with app.app_context():
        results.clear_cache()
        before, peak_before = rss_mb(), peak_mb()
        seconds, first = timed(results.standings, contest_id)
        peak = peak_mb()
        note = f"ru_maxrss {peak:,.0f} MB (was {peak_before:,.0f}); "
        note += f"+{peak - before:,.0f} MB in the call"
        cold = [seconds]
        for _ in range(2):
            results.clear_cache()
            cold.append(timed(results.standings, contest_id)[0])
        rows.append(("cold (cache empty)", cold, note))
        warm = [timed(results.standings, contest_id)[0] for _ in range(args.warm)]
        hits = results.cache_info()["hits"]
        rows.append(("warm (cache hit)", warm, f"{hits} hits, version {first.marks_version}"))
        rng, changed = np.random.default_rng(5), []
        for _ in range(3):
            change_one_mark(contest_id, int(rng.choice(first.table.index)))
            seconds, after = timed(results.standings, contest_id)
            changed.append(seconds)
        rows.append(
            (
                "after one mark change",
                changed,
                f"version {first.marks_version} → {after.marks_version}",
            )
        )
        rows.append(
            ("judge deviations (cold)", [timed(results.judge_deviations, contest_id)[0]], "")
        )
        table = after.table
        prizes, titles = int((table["prize"] > 0).sum()), int(table["title"].sum())
        summary = f"{len(table):,} entrants ranked per group: {prizes:,} prizes, {titles} titles, "
        summary += f"{after.flagged_spreads:,} flagged spreads"
        rows.append(("", [], summary))
        db.session.remove()
        db.engine.dispose()
    return rows


def report(rows: list[tuple], url: str, meta: dict) -> None:
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    marks, seconds = int(meta["marks"]), meta["seconds"]
    print(f"{engine}: {marks:,} raw marks (generated in {seconds} s); times in ms")
    print(f"{'step':<26}{'runs':>5}{'p50':>9}{'p95':>9}{'max':>9}  note")
    for step, values, note in rows:
        if not values:
            print(f"{'':<26}{'':>5}{'':>9}{'':>9}{'':>9}  {note}")
            continue
        figures = (statistics.median(values), percentile(values, 0.95), max(values))
        print(
            f"{step:<26}{len(values):>5}"
            + "".join(f"{v * 1e3:>9.1f}" for v in figures)
            + f"  {note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_arguments(parser)
    parser.add_argument("--warm", type=int, default=200, help="cache-hit calls")
    args = parser.parse_args()
    url, meta = prepare(args)
    report(measure(url, meta, args), url, meta)


if __name__ == "__main__":
    main()
