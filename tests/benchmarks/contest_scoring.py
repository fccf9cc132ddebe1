"""Contest scoring from raw marks: 10,000 entrants × 40 aspects × 5 judges = 2,000,000 marks.

Run: .venv/bin/python tests/benchmarks/contest_scoring.py [--entrants 10000] [--aspects 40]
         [--judges 5] [--times 3]
Target (issue): aspect marks from 2,000,000 raw marks in <= 2 s and <= 1 GB.

Pure pandas, no app and no database: the raw marks are generated in memory, once with every
aspect judged (the 2,000,000 marks of the target) and once with a quarter of the aspects
measured (one agreed mark each); aspect marks, practical scores and totals, ranks and prizes
are timed; the median and slowest of `--times` runs are printed, and the process's peak memory.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from competitions.contests.ranking import award_prizes, rank_entries  # noqa: E402
from competitions.contests.scoring import (  # noqa: E402
    aspect_marks,
    entry_totals,
    practical_scores,
)


def make_scheme(aspect_count: int, measured_share: int) -> pd.DataFrame:
    """A scheme of aspects summing to 100; every `measured_share`-th aspect is measured."""
    aspect_ids = np.arange(1, aspect_count + 1)
    measured = aspect_ids % measured_share == 0 if measured_share else aspect_ids < 0
    return pd.DataFrame(
        {
            "aspect_id": aspect_ids,
            "criterion_id": (aspect_ids - 1) // 8 + 1,
            "kind": np.where(measured, "measurement", "judgement"),
            "max_mark": 100 / aspect_count,
        }
    )


def make_raw(aspects: pd.DataFrame, entrants: int, judges: int) -> pd.DataFrame:
    """Random raw marks: `judges` scores 0-3 per judged aspect, one agreed mark per measured."""
    rng = np.random.default_rng(2024)
    aspect_ids = aspects["aspect_id"].to_numpy()
    entry = np.repeat(np.arange(1, entrants + 1), len(aspect_ids) * judges)
    aspect = np.tile(np.repeat(aspect_ids, judges), entrants)
    judge = np.tile(np.arange(1, judges + 1), entrants * len(aspect_ids))
    score = rng.integers(0, 4, len(entry)).astype(float)
    measured = (aspects["kind"] == "measurement").to_numpy()[aspect - 1]
    score[measured] = rng.uniform(0, aspects["max_mark"].iloc[0], measured.sum())
    raw = pd.DataFrame({"entry_id": entry, "aspect_id": aspect, "judge_id": judge, "score": score})
    return raw[~measured | (judge == 1)].reset_index(drop=True)


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, *args) -> tuple[float, object]:
    """Seconds one call takes, and its result."""
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entrants", type=int, default=10_000)
    parser.add_argument("--aspects", type=int, default=40)
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--times", type=int, default=3)
    args = parser.parse_args()
    # All judged: 2,000,000 raw marks, the figure; mixed: a quarter measured, as real.
    judged_scheme, mixed_scheme = make_scheme(args.aspects, 0), make_scheme(args.aspects, 4)
    every = make_raw(judged_scheme, args.entrants, args.judges)
    raw = make_raw(mixed_scheme, args.entrants, args.judges)
    rng = np.random.default_rng(7)
    theory = pd.Series(rng.uniform(0, 100, args.entrants), index=np.arange(1, args.entrants + 1))
    generated_mb = peak_mb()
    timings: dict[str, list[float]] = {"aspect marks (all judged)": [], "aspect marks (mixed)": []}
    timings |= {"practical + totals": [], "ranks + prizes": []}
    for _ in range(args.times):
        seconds, _marks = timed(aspect_marks, every, judged_scheme)
        timings["aspect marks (all judged)"].append(seconds)
        seconds, marks = timed(aspect_marks, raw, mixed_scheme)
        timings["aspect marks (mixed)"].append(seconds)
        entry_ids = theory.index
        start = time.perf_counter()
        practical = practical_scores(marks, mixed_scheme, entry_ids)
        results = entry_totals(practical["practical"], theory)
        timings["practical + totals"].append(time.perf_counter() - start)
        start = time.perf_counter()
        results["rank"] = rank_entries(results)
        award_prizes(results, minimum_score=60)
        timings["ranks + prizes"].append(time.perf_counter() - start)
    print(f"{args.entrants:,} entrants × {args.aspects} aspects × {args.judges} judges:")
    print(f"{len(every):,} raw marks all judged, {len(raw):,} with a quarter measured")
    print(f"pandas {pd.__version__}, median of {args.times} runs")
    print(f"{'step':<28}{'median s':>10}{'max s':>10}")
    for name, values in timings.items():
        print(f"{name:<28}{statistics.median(values):>10.3f}{max(values):>10.3f}")
    print(f"peak memory (ru_maxrss, whole process): {peak_mb():,.0f} MB")
    print(
        f"of which before scoring (interpreter, pandas, generated frames): {generated_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
