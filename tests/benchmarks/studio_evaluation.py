"""The annual evaluation of 5,630 studios in 9 alliances (and the provincial one over them).

Run: .venv/bin/python tests/benchmarks/studio_evaluation.py [--database URL] [--studios 5630]
         [--year 2025] [--regenerate]
Target (issue 6): the evaluation of a year (indicators read with one query per table, scores
and ranks of every alliance computed with pandas) <= 2 s, on SQLite and PostgreSQL.

Generated once into a cached database (default /tmp/guild-bench-cache/studio-evaluation-
<studios>.sqlite3; with --database, that database, emptied first), straight into the tables
with guild.bulk, in a child process so the measuring process's peak memory is its own; made
again when the migrations, this generator or the size change, or with --regenerate.
For 2024–2026: per studio and year Poisson-distributed patents (mean 3: 30 % invention, 55 %
utility model, 15 % design), results (mean 2, log-normal benefit), courseware items (mean 3)
and events (mean 4, 5 % cancelled) with 15 sign-ups each, 80 % checked in, from 20,000 workers.
Every studio is in one of 6 city and 3 industry alliances, one in five in an industry one too.
Measured: `studios.services.evaluation_years.year_view(year)` (cold: fresh session, 3 runs,
median) and, apart, `load_rows` (the queries) and the pandas scoring.
"""

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _cached_db import CACHE, analyse, fingerprint, move_sequences, stored_meta, write_meta  # noqa: E402
from _server import flask, scratch_env  # noqa: E402
from _training_data import add_enterprises, add_organiser, add_workers, open_app  # noqa: E402
from contest_data import empty_database, insert  # noqa: E402
from contest_results import peak_mb, rss_mb  # noqa: E402

GENERATOR = "studio evaluation generator 1"
YEARS = (2024, 2025, 2026)
CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市")
INDUSTRIES = ("电力", "机械", "化工")
POOL = 20_000  # workers who sign up for events
SIGNUPS = 15


def _alliances(created: datetime) -> list[int]:
    """The provincial alliance and its 9 sub-alliances; the sub-alliances' ids."""
    from guild.extensions import db
    from studios.models import Alliance, AllianceKind

    top = Alliance(name="浙江省劳模工匠创新工作室联盟", kind=AllianceKind.PROVINCIAL)
    db.session.add(top)
    db.session.flush()
    children = [
        Alliance(name=f"{c}联盟", kind=AllianceKind.CITY, city=c, parent_id=top.id) for c in CITIES
    ]
    children += [
        Alliance(name=f"{i}行业联盟", kind=AllianceKind.INDUSTRY, industry=i, parent_id=top.id)
        for i in INDUSTRIES
    ]
    db.session.add_all(children)
    db.session.commit()
    return [child.id for child in children]


def _studios(rng, count: int, leaders: list[int], alliances: list[int], organiser: int):
    """Approved studios, each in one sub-alliance (one in five also in an industry one)."""
    import pandas as pd

    ids = np.arange(1, count + 1)
    home = np.asarray(alliances)[ids % len(alliances)]
    founded = [date(2012, 1, 1) + timedelta(int(d)) for d in rng.integers(0, 365 * 12, count)]
    when = datetime(2024, 1, 1)
    studios = pd.DataFrame({
        "id": ids, "name": [f"创新工作室{n:05d}" for n in ids], "leader_id": leaders,
        "enterprise_id": None, "city": [CITIES[n % len(CITIES)] for n in ids],
        "industry": [INDUSTRIES[n % len(INDUSTRIES)] for n in ids], "level": "city",
        "founded_on": founded, "description": "", "leader_honours": [[] for _ in ids],
        "status": "approved", "applied_alliance_id": home, "applied_by_id": leaders,
        "decided_by_id": organiser, "decided_at": when, "decision_note": "", "created_at": when,
        "updated_at": when,
    })  # fmt: skip
    second = ids[ids % 5 == 0]
    industry = np.asarray(alliances[len(CITIES) :])
    pairs = [(home[i - 1], i) for i in ids] + [(industry[i % len(industry)], i) for i in second]
    pairs = list(dict.fromkeys(pairs))
    memberships = pd.DataFrame(pairs, columns=["alliance_id", "studio_id"]).assign(
        status="approved", applied_by_id=organiser, applied_at=when, decided_by_id=organiser,
        decided_at=when, note="",
    )  # fmt: skip
    return studios, memberships


def _per_year(rng, studio_ids: np.ndarray, mean: float) -> tuple[np.ndarray, np.ndarray]:
    """(studio_id, year) for each of a Poisson number of rows per studio and year."""
    counts = rng.poisson(mean, (len(YEARS), len(studio_ids)))
    years = np.repeat(np.repeat(YEARS, len(studio_ids)), counts.ravel())
    studios = np.repeat(np.tile(studio_ids, len(YEARS)), counts.ravel())
    return studios, years


def _day_in(rng, years: np.ndarray) -> list[date]:
    last = np.where(years == 2026, 300, 365)  # 2026 up to late October
    offsets = (rng.random(len(years)) * last).astype(int)
    return [date(int(y), 1, 1) + timedelta(int(o)) for y, o in zip(years, offsets, strict=True)]


def _patents(rng, studio_ids, leaders, created):
    import pandas as pd

    from studios.services.patent_numbers import with_check

    studios, years = _per_year(rng, studio_ids, 3.0)
    kinds = rng.choice(["invention", "utility_model", "design"], len(studios), p=[0.3, 0.55, 0.15])
    digit = {"invention": "1", "utility_model": "2", "design": "3"}
    numbers = [
        with_check(f"{y}{digit[k]}{n:07d}")
        for n, (y, k) in enumerate(zip(years, kinds, strict=True))
    ]
    return pd.DataFrame({
        "studio_id": studios, "patent_type": kinds, "application_number": numbers,
        "title": [f"专利{n}" for n in range(len(studios))], "inventors": [[] for _ in studios],
        "filed_on": _day_in(rng, years), "granted_on": None, "status": "pending", "abstract": "",
        "challenge_id": None, "created_by_id": leaders[studios - 1], "created_at": created,
        "updated_at": created,
    })  # fmt: skip


def _results(rng, studio_ids, leaders, created):
    import pandas as pd

    studios, years = _per_year(rng, studio_ids, 2.0)
    benefit = (rng.lognormal(12, 1.5, len(studios))).astype(np.int64) * 100
    return pd.DataFrame({
        "studio_id": studios, "title": [f"成果{n}" for n in range(len(studios))],
        "summary_markdown": "", "summary_html": "", "category": "other", "benefit_fen": benefit,
        "awards": "", "achieved_on": _day_in(rng, years), "challenge_id": None,
        "created_by_id": leaders[studios - 1], "created_at": created, "updated_at": created,
    })  # fmt: skip


def _moments(rng, years) -> list[datetime]:
    days = _day_in(rng, years)
    hours = rng.integers(0, 10, len(years))
    return [
        datetime.combine(d, datetime.min.time()) + timedelta(hours=int(h))
        for d, h in zip(days, hours, strict=True)
    ]


def _courseware(rng, studio_ids, leaders):
    import pandas as pd

    studios, years = _per_year(rng, studio_ids, 3.0)
    at = _moments(rng, years)
    return pd.DataFrame({
        "studio_id": studios, "title": [f"课件{n}" for n in range(len(studios))],
        "description": "", "kind": "pdf", "version_count": 1, "download_count": 0,
        "created_by_id": leaders[studios - 1], "created_at": at, "updated_at": at,
    })  # fmt: skip


def _events(rng, studio_ids, leaders, pool: list[int]):
    import pandas as pd

    studios, years = _per_year(rng, studio_ids, 4.0)
    ids = np.arange(1, len(studios) + 1)
    starts = _moments(rng, years)
    cancelled = rng.random(len(ids)) < 0.05
    off = cancelled.tolist()
    events = pd.DataFrame({
        "id": ids, "studio_id": studios, "alliance_id": None, "title": "技能交流会",
        "description": "", "place": "职工之家", "starts_at": starts,
        "ends_at": [s + timedelta(hours=2) for s in starts], "capacity": 30,
        "confirmed_count": SIGNUPS,
        "cancelled_at": [s - timedelta(1) if c else None for s, c in zip(starts, off, strict=True)],
        "cancel_reason": "", "created_by_id": leaders[studios - 1],
        "created_at": [s - timedelta(10) for s in starts],
    })  # fmt: skip
    event = np.repeat(ids, SIGNUPS)
    slot = np.tile(np.arange(SIGNUPS), len(ids))
    users = np.asarray(pool)[(event * 7919 + slot * 104_729) % len(pool)]
    start = np.repeat(np.asarray(starts, dtype="datetime64[us]"), SIGNUPS)
    came = (rng.random(len(event)) < 0.8) & ~np.repeat(cancelled, SIGNUPS)
    attended = pd.Series(start + np.timedelta64(5, "m")).astype(object).where(came, None)
    checker = leaders[np.repeat(studios, SIGNUPS) - 1]
    signups = pd.DataFrame({
        "event_id": event, "user_id": users, "status": "confirmed",
        "signed_up_at": pd.Series(start - np.timedelta64(3, "D")).astype(object),
        "cancelled_at": None, "attended_at": attended,
        "checked_in_by_id": pd.Series(checker, dtype=object).where(came, None),
    })  # fmt: skip
    return events, signups


def generate(url: str, count: int) -> None:
    """Fill an empty, migrated database (run in a child process)."""

    from guild.extensions import db
    from studios.activity_models import Event, EventSignup
    from studios.models import AllianceMembership, Studio
    from studios.publication_models import Achievement, Courseware, Patent

    started = time.perf_counter()
    with open_app(scratch_env(url)).app_context():
        organiser = add_organiser("19900000001")
        leaders = np.asarray(add_workers(count, add_enterprises(159), 13_000_000_000))
        pool = add_workers(POOL, [(None, None)], 15_000_000_000)
        alliances = _alliances(datetime(2024, 1, 1))
        rng = np.random.default_rng(2026)
        studios, memberships = _studios(rng, count, leaders.tolist(), alliances, organiser)
        insert(Studio.__table__, studios)
        insert(AllianceMembership.__table__, memberships)
        ids, created = studios["id"].to_numpy(), datetime(2026, 11, 1)
        insert(Patent.__table__, _patents(rng, ids, leaders, created))
        insert(Achievement.__table__, _results(rng, ids, leaders, created))
        insert(Courseware.__table__, _courseware(rng, ids, leaders))
        events, signups = _events(rng, ids, leaders, pool)
        insert(Event.__table__, events)
        insert(EventSignup.__table__, signups)
        print(f"  [{time.perf_counter() - started:5.0f} s] {len(signups):,} sign-ups", flush=True)
        move_sequences(("studios", "studio_events"))
        analyse(sqlite=False)
        meta = {"studios": count, "signups": len(signups)}
        meta["seconds"] = round(time.perf_counter() - started)
        write_meta(meta | {"schema": fingerprint(GENERATOR, count)})
        db.engine.dispose()


def prepare(args) -> tuple[str, dict]:
    """The database URL and its facts, generating it when needed."""
    url = args.database
    if url is None:
        CACHE.mkdir(exist_ok=True)
        url = f"sqlite:///{CACHE / f'studio-evaluation-{args.studios}'}.sqlite3"
    meta = None if args.regenerate else stored_meta(url)
    if meta is None or meta.get("schema") != fingerprint(GENERATOR, args.studios):
        print(f"generating {args.studios:,} studios into {url}")
        empty_database(url)
        flask(scratch_env(url), "db", "upgrade")
        command = [sys.executable, __file__, "--generate-into", url, "--studios", str(args.studios)]
        subprocess.run(command, check=True)
        meta = stored_meta(url)
    return url, meta


def timed(function, *args) -> tuple[float, object]:
    """Seconds one call takes in a fresh session (as a request would), and its result."""
    from guild.extensions import db

    db.session.remove()
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def measure(url: str, args) -> None:
    from studios.services import evaluation, evaluation_years

    app = open_app(scratch_env(url))
    with app.test_request_context():
        before, peak_before = rss_mb(), peak_mb()
        runs = [timed(evaluation_years.year_view, args.year) for _ in range(3)]
        peak = peak_mb()
        view = runs[-1][1]
        loads = [timed(evaluation.load_rows, args.year)[0] for _ in range(3)]
        rows = evaluation.load_rows(args.year)
        weights = evaluation_years.weights_of(args.year)

        def pandas_part():
            table = evaluation.indicator_table(rows)
            return evaluation.score_alliances(table, rows.memberships, weights)

        scoring = [timed(pandas_part)[0] for _ in range(3)]
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    ranking = view.ranking
    print(f"{engine}: evaluation {args.year}, {ranking['studio_id'].nunique():,} studios, "
          f"{len(ranking):,} ranked rows in {ranking['alliance_id'].nunique()} alliances; "
          f"raw rows: {len(rows.patents):,} patents, {len(rows.achievements):,} results, "
          f"{len(rows.courseware):,} courseware, {len(rows.events):,} events, "
          f"{len(rows.checkins):,} check-ins")  # fmt: skip
    for name, values in (
        ("year_view (cold, whole)", [r[0] for r in runs]),
        ("  load_rows (queries)", loads),
        ("  pandas scoring", scoring),
    ):
        median, worst = statistics.median(values) * 1e3, max(values) * 1e3
        print(f"{name:<26} median {median:8.1f} ms   max {worst:8.1f} ms")
    print(f"peak memory (ru_maxrss) {peak:,.0f} MB (was {peak_before:,.0f}; RSS {before:,.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a cached SQLite file)")
    parser.add_argument("--studios", type=int, default=5630)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--regenerate", action="store_true", help="make the database again")
    parser.add_argument("--generate-into", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        generate(args.generate_into, args.studios)
        return
    url, _meta = prepare(args)
    measure(url, args)


if __name__ == "__main__":
    main()
