"""The contest results page at 10,000 entrants × 40 aspects (2,000,000 raw marks with
--measured 0), served by gunicorn, as the organiser sees it.

Run: .venv/bin/python tests/benchmarks/contest_results_page.py [--database URL]
         [--measured 0] [--requests 300] [--workers 1] [--changes 3]
Target (issue 5): the results page p95 <= 100 ms, cached and invalidated on every mark
change, never stale.

The contest comes from contest_data.py (generated once and cached). The organiser's signed-in
session is made as a sign-in leaves it, gunicorn serves Guild on the database, and the page
is requested sequentially: the first request (cold: the standings are computed), then
`--requests` more, turning over groups and pages (100 rows a page), searches by entry code,
and score sheet pages. Then, `--changes` times: one judge's score is saved through the
marking service (committed, as the judge's request would) on an entry × aspect where it
moves the trimmed mean; the next request for that entry must show its new total and not
the old one, and its time is reported (it recomputes the standings). Each gunicorn worker
has its own cache keyed by the contest's marks_version in the database, so with more
workers each computes once per version.
"""

import argparse
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import gunicorn, scratch_env  # noqa: E402
from _stats import percentile  # noqa: E402
from _training_data import open_app, session_cookies  # noqa: E402
from contest_data import add_size_arguments, prepare  # noqa: E402

TOTAL = re.compile(r'fw-semibold">(\d+\.\d\d)<')
CODE = re.compile(r"<code>([^<]+)</code>")


def organiser_cookie(env: dict[str, str]) -> str:
    """A signed-in session of the generated contest's organiser."""
    from guild.accounts.models import User
    from guild.extensions import db

    app = open_app(env)
    with app.app_context():
        organiser = db.session.scalar(db.select(User.id).where(User.phone == "19900000001"))
        cookie = session_cookies(app, [organiser])[organiser][0]
        db.session.remove()
        db.engine.dispose()
    return cookie


def get(base: str, path: str, cookie: str, **query) -> tuple[float, str]:
    """Seconds a GET takes and the page's text; fails unless it answers 200."""
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback only
        body = response.read()
        if response.status != 200 or "/account/login" in response.geturl():
            raise RuntimeError(f"{url} answered {response.status} at {response.geturl()}")
    return time.perf_counter() - started, body.decode()


def groups_of(page: str, contest_id: int) -> list[int]:
    """The group ids the page's chooser links to."""
    found = re.findall(rf"/skills/contests/{contest_id}/results\?group=(\d+)", page)
    return sorted({int(group) for group in found})


def plan(contest_id: int, groups: list[int], codes: list[str], count: int) -> list[tuple]:
    """The requests to time: (label, path, query), turning over groups, pages and searches."""
    results, sheet = (
        f"/skills/contests/{contest_id}/results",
        f"/skills/contests/{contest_id}/results/sheet",
    )
    made = []
    for number in range(count):
        group = groups[number % len(groups)]
        kind = number % 10
        if kind < 7:
            made.append(("results page", results, {"group": group, "page": 1 + number % 50}))
        elif kind < 9:
            made.append(("find by code", results, {"q": codes[number % len(codes)]}))
        else:
            made.append(("score sheet page", sheet, {"group": group, "page": 1 + number % 50}))
    return made


def change_for(contest_id: int, entry_code: str) -> None:
    """Save one judge's score that moves the entry's trimmed mean on some aspect, and commit."""
    from competitions.contests.marking_models import JudgeScore
    from competitions.contests.models import Entry
    from competitions.contests.services.marking import save_judge_score
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db

    entry_id = db.session.scalar(
        db.select(Entry.id).where(Entry.contest_id == contest_id, Entry.code == entry_code)
    )
    rows = db.session.scalars(db.select(JudgeScore).where(JudgeScore.entry_id == entry_id)).all()
    by_aspect: dict[int, list] = {}
    for row in rows:
        by_aspect.setdefault(row.aspect_id, []).append(row)
    for scores in by_aspect.values():
        for row, value in _moves(scores):
            actor = Actor(db.session.get(User, row.judge_id), "bench")
            save_judge_score(actor, contest_id, entry_id, row.aspect_id, value, row.version)
            db.session.commit()
            return
    raise RuntimeError(f"no single score of {entry_code} moves its practical mark")


def _trimmed(values: list[float]) -> float:
    """The mean the scoring takes: without the highest and lowest from 5 judges on."""
    ordered = sorted(values)
    kept = ordered[1:-1] if len(ordered) >= 5 else ordered
    return sum(kept) / len(kept)


def _moves(scores: list) -> list[tuple]:
    """(row, new score) pairs of one entry × aspect that would change its mark."""
    values = [float(row.score) for row in scores]
    found = []
    for index, row in enumerate(scores):
        for value in (0.0, 1.0, 2.0, 3.0):
            changed = [*values[:index], value, *values[index + 1 :]]
            if value != values[index] and _trimmed(changed) != _trimmed(values):
                found.append((row, value))
    return found


def total_of(base: str, contest_id: int, cookie: str, code: str) -> tuple[float, str]:
    """Time of the search for one entry code and the total the page shows for it."""
    seconds, page = get(base, f"/skills/contests/{contest_id}/results", cookie, q=code)
    totals = TOTAL.findall(page)
    if len(totals) != 1:
        raise RuntimeError(f"expected one row for {code}, found {len(totals)}")
    return seconds, totals[0]


def measure(base: str, url: str, meta: dict, args, cookie: str) -> list[tuple]:
    """Rows of the report: (step, times, note)."""
    contest_id = int(meta["contest_id"])
    path = f"/skills/contests/{contest_id}/results"
    cold, first = get(base, path, cookie)
    groups, codes = groups_of(first, contest_id), CODE.findall(first)
    rows = [("first request (cold)", [cold], f"{len(first):,} bytes, {len(codes)} rows")]
    for _ in range(3 * args.workers):  # every worker computes its cache once
        get(base, path, cookie)
    timed: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for label, where, query in plan(contest_id, groups, codes, args.requests):
        seconds, page = get(base, where, cookie, **query)
        timed.setdefault(label, []).append(seconds)
        sizes[label] = max(sizes.get(label, 0), len(page))
    every = [value for values in timed.values() for value in values]
    rows.append(("all warm requests", every, f"{len(groups)} groups, pages of 100 rows"))
    rows += [(label, values, f"largest {sizes[label]:,} bytes") for label, values in timed.items()]
    rows.append(("after a mark change", *changes(base, url, contest_id, cookie, codes, args)))
    return rows


def changes(base: str, url: str, contest_id: int, cookie: str, codes: list[str], args) -> tuple:
    """Change marks one at a time; the next request must show the new total, never the old."""
    from guild.extensions import db

    app, seconds, notes = open_app(scratch_env(url)), [], []
    for code in codes[: args.changes]:
        _, before = total_of(base, contest_id, cookie, code)
        with app.app_context():
            change_for(contest_id, code)
            db.session.remove()
        took, after = total_of(base, contest_id, cookie, code)
        if after == before:
            raise RuntimeError(f"stale: {code} still shows {before} after its mark changed")
        seconds.append(took)
        notes.append(f"{code} {before}→{after}")
        for _ in range(args.workers - 1):  # the other workers see the new version too
            if total_of(base, contest_id, cookie, code)[1] != after:
                raise RuntimeError(f"stale on another worker: {code}")
    with app.app_context():
        db.engine.dispose()
    return seconds, ", ".join(notes)


def report(rows: list[tuple], url: str, meta: dict, args) -> None:
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{engine}: {int(meta['marks']):,} raw marks, {args.entrants:,} entrants, "
        f"gunicorn {args.workers} sync worker(s); times in ms"
    )
    print(f"{'step':<24}{'runs':>5}{'p50':>9}{'p95':>9}{'max':>9}  note")
    for step, values, note in rows:
        figures = (statistics.median(values), percentile(values, 0.95), max(values))
        line = "".join(f"{value * 1e3:>9.1f}" for value in figures)
        print(f"{step:<24}{len(values):>5}{line}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_arguments(parser)
    parser.add_argument("--requests", type=int, default=300, help="warm requests to time")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn sync workers")
    parser.add_argument("--changes", type=int, default=3, help="marks changed, one at a time")
    args = parser.parse_args()
    url, meta = prepare(args)
    env = scratch_env(url)
    cookie = organiser_cookie(env)
    with gunicorn(env, workers=args.workers) as base:
        rows = measure(base, url, meta, args, cookie)
    report(rows, url, meta, args)


if __name__ == "__main__":
    main()
