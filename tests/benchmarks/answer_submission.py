"""Answers/s under gunicorn (2 sync workers, wrk on loopback) against a bare INSERT + commit.

Run: .venv/bin/python tests/benchmarks/answer_submission.py [--database URL] [--rounds 5]
Target (issue): answer submission at >= 0.5 of a bare endpoint doing one INSERT and commit
into the same database, measured in the same run.

Every request answers a question not answered before: each worker has a fresh daily
practice in a running campaign (so the answer moves the standings, the per-points counts
and the tallies, the realistic expensive path), and wrk walks a prepared list of
(cookie, CSRF token, URL, body), each sent once. The bare endpoint is `POST /bench/insert`
of tests/benchmarks/bench_app.py, served by the same gunicorn. Each round also reports the
CPU time per request of gunicorn's workers and (PostgreSQL) of the database's backends, read
from /proc: the two endpoints share two cores with the database server, so the ratio follows
the total CPU an answer costs. On a PostgreSQL server whose autovacuum is off, a VACUUM
before each round stands in for it. `--profile N` then answers N
more questions in-process under cProfile and counts the SQL statements of each
(PROFILE_SORT=tottime sorts the listing; PROFILE_DUMP=FILE keeps the profile for pstats).
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import (  # noqa: E402
    children,
    cpu_seconds,
    flask,
    postgres_backends,
    scratch_env,
    serving,
)
from _training_data import (  # noqa: E402
    add_campaign,
    add_enterprises,
    add_trades,
    add_workers,
    open_app,
    planned_answers,
    session_cookies,
    start_attempts,
)

WALK_LUA = r"""
-- Sends each prepared answer once: lines "cookie<TAB>csrf<TAB>path<TAB>body", from args[2].
lines, walked, repeats, errors, exhausted = {}, 0, 0, 0, 0
function init(args)
  local skip, n = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n > skip then lines[#lines + 1] = line end
  end
end
function request()
  walked = walked + 1
  local line = lines[walked]
  if line == nil then
    exhausted = exhausted + 1
    return wrk.format("GET", "/ping")
  end
  local cookie, csrf, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  local headers = {Cookie = cookie, ["X-CSRFToken"] = csrf,
                   ["Content-Type"] = "application/json"}
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1
  elseif body:find('"repeated":%s*true') then repeats = repeats + 1 end
end
threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("walked %d repeats %d errors %d exhausted %d\n",
      t:get("walked"), t:get("repeats"), t:get("errors"), t:get("exhausted")))
  end
end
"""
BARE_LUA = 'wrk.method = "POST"\n'
WRK = ["wrk", "-t1", "-c8"]  # one client thread: the walk is one ordered list


def wrk(url: str, seconds: float, script: Path, *args: str) -> tuple[float, str]:
    """Requests/s wrk measured, and its output; any error response fails the run."""
    command = [*WRK, f"-d{seconds}s", "-s", str(script), url, *(["--", *args] if args else [])]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if failed or "Socket errors" in output:
        raise RuntimeError(f"{url}: errors\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), output


class Walk:
    """The prepared answers and how far wrk has gone through them."""

    def __init__(self, path: Path, total: int) -> None:
        self.path, self.total, self.sent, self.repeats = path, total, 0, 0

    def run(self, base: str, seconds: float, script: Path) -> float:
        rate, output = wrk(base + "/", seconds, script, str(self.path), str(self.sent))
        walked, repeats, errors, exhausted = map(
            int,
            re.search(r"walked (\d+) repeats (\d+) errors (\d+) exhausted (\d+)", output).groups(),
        )
        if exhausted or errors:
            raise RuntimeError(f"ran out of prepared answers or got errors: {output}")
        self.sent += walked
        self.repeats += repeats
        return rate


def prepare(env: dict[str, str], args) -> tuple[Path, int, dict]:
    """Trades, campaign, workers with a fresh attempt each, and the walk file of answers."""
    from bench_app import create_bench_table

    from guild.extensions import db

    app = open_app(env)
    started = time.perf_counter()
    with app.app_context():
        create_bench_table()
        trades = add_trades(args.trades, 60)
        add_campaign(trades, _today(app))
        workers = add_workers(args.workers, add_enterprises(50), 15_000_000_000)
        cookies = session_cookies(app, workers)
        attempts = start_attempts(workers, trades, args.mode)
        plans = planned_answers(attempts, right_share=0.7)
        analyze()
        db.session.remove()
        db.engine.dispose()
    path = Path(tempfile.mkdtemp(prefix="guild-answers-")) / "walk.tsv"
    with path.open("w") as out:
        for plan in plans:
            cookie, csrf = cookies[plan.user_id]
            out.write(f"{cookie}\t{csrf}\t{plan.path}\t{plan.body}\n")
    print(f"prepared {len(plans)} answers of {len(attempts)} {args.mode} attempts", end="")
    print(f" in {time.perf_counter() - started:.0f} s")
    return path, len(plans), {"app": app, "plans": plans, "cookies": cookies}


def analyze() -> None:
    """Give the planner statistics of the fresh tables, as autovacuum would on a live server.

    Without them PostgreSQL may look a worker's standing up by the leaderboard index and
    filter a whole board, instead of by its primary key.
    """
    from sqlalchemy import text

    from guild.extensions import db

    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def autovacuum_stand_in(database_url: str):
    """A VACUUM of the benchmark's database to run before each round where the server's
    autovacuum is off (this machine's CI server sets it so); otherwise nothing to do.

    Without it the rows every answer updates (tallies, counts, standings) pile up dead
    versions through the run, and each round is slower than the one before.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return lambda: None
    import psycopg

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        if connection.execute("SHOW autovacuum").fetchone()[0] == "on":
            return lambda: None
    print("autovacuum is off on this server: VACUUM before each round stands in for it")

    def vacuum() -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("VACUUM")

    return vacuum


def _today(app):
    from guild.timeutil import local_day, utcnow

    return local_day(utcnow(), app.config["BABEL_DEFAULT_TIMEZONE"])


class CpuMeter:
    """CPU seconds used by gunicorn's workers and, on PostgreSQL, the database's backends."""

    def __init__(self, master: int, database_url: str) -> None:
        self.master = master
        url = make_url(database_url)
        self.database = url.database if url.get_backend_name() == "postgresql" else None

    def pids(self) -> tuple[list[int], list[int]]:
        backends = postgres_backends(self.database) if self.database else []
        return children(self.master), backends

    def used(self, pids: tuple[list[int], list[int]]) -> tuple[float, float]:
        return cpu_seconds(pids[0]), cpu_seconds(pids[1])


def measure(env: dict[str, str], walk: Walk, args) -> tuple[dict, dict]:
    """Alternate rounds: the bare insert, then the answers; requests/s of each, and the CPU
    milliseconds per request of the app's workers and of the database server."""
    folder = walk.path.parent
    scripts = {"bare": folder / "bare.lua", "answer": folder / "walk.lua"}
    scripts["bare"].write_text(BARE_LUA)
    scripts["answer"].write_text(WALK_LUA)
    runs = {
        "bare": lambda base: wrk(base + "/bench/insert", args.seconds, scripts["bare"])[0],
        "answer": lambda base: walk.run(base, args.seconds, scripts["answer"]),
    }
    figures: dict[str, list[float]] = {"bare": [], "answer": []}
    cpu: dict[str, list[tuple[float, float]]] = {"bare": [], "answer": []}
    with serving(env, 2, app="bench_app:app", pythonpath=str(HERE)) as (process, base):
        wrk(base + "/bench/insert", 1, scripts["bare"])  # warm up both workers
        walk.run(base, 1, scripts["answer"])
        meter = CpuMeter(process.pid, env["DATABASE_URL"])
        vacuum = autovacuum_stand_in(env["DATABASE_URL"])
        for _ in range(args.rounds):
            for name, run in runs.items():
                vacuum()
                pids = meter.pids()
                before = meter.used(pids)
                rate = run(base)
                after, requests = meter.used(pids), rate * args.seconds
                figures[name].append(rate)
                used = zip(after, before, strict=True)
                cpu[name].append(tuple((end - start) / requests * 1e3 for end, start in used))
    return figures, cpu


def stored_answers(app) -> int:
    from sqlalchemy import func, select

    from competitions.training.models import Answer
    from guild.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Answer))
        db.session.remove()
        db.engine.dispose()
        return count


def report(figures: dict[str, list[float]], cpu: dict, engine: str, args) -> None:
    bare, answer = figures["bare"], figures["answer"]
    ratios = [a / b for a, b in zip(answer, bare, strict=True)]
    print(f"gunicorn 2 sync workers, {' '.join(WRK)}, {args.rounds} rounds x {args.seconds}s,")
    print(f"{engine}, {args.mode} attempts in a running campaign")
    print(f"{'endpoint':<30}{'req/s (median)':>15}{'ratio to bare':>15}{'CPU ms/request':>16}")
    label = "answer (fresh, " + args.mode + ")"
    for name, title, ratio in (("bare", "bare INSERT + commit", 1), ("answer", label, None)):
        app_ms, database_ms = (statistics.median(column) for column in zip(*cpu[name], strict=True))
        where = f"{app_ms:.2f} + {database_ms:.2f}" if engine == "PostgreSQL" else f"{app_ms:.2f}"
        ratio = statistics.median(ratios) if ratio is None else ratio
        print(f"{title:<30}{statistics.median(figures[name]):>15.0f}{ratio:>15.2f}{where:>16}")
    print("ratios by round: " + ", ".join(f"{ratio:.2f}" for ratio in ratios))
    server = " + PostgreSQL's backends" if engine == "PostgreSQL" else ""
    print(f"CPU ms/request: gunicorn's workers{server}, median of the rounds")


def profile(context: dict, count: int, skip: int) -> None:
    """In-process (test client, no gunicorn): time `count` fresh answers and as many bare
    inserts, counting SQL statements and compilations, then profile `count` more answers."""
    from bench_app import bench_insert
    from sqlalchemy import event

    from guild.extensions import db

    app, plans, cookies = context["app"], context["plans"][skip:], context["cookies"]
    count = min(count, len(plans) // 2)
    app.add_url_rule("/bench/insert", view_func=bench_insert, methods=["POST"])
    client = app.test_client(use_cookies=False)
    with app.app_context():  # each request pushes its own (flask.g is per app context)
        engine = db.engine
    sql: Counter[str] = Counter()

    def before(conn, *_args) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, _cursor, statement, _parameters, context, _many) -> None:
        sql["driver seconds"] += time.perf_counter() - conn.info.pop("bench_started")
        sql[statement.split(None, 1)[0].upper()] += 1
        if getattr(context, "compiled", None) is not None:
            sql["compiled anew"] += context.cache_hit != context.dialect.CACHE_HIT

    def answer(plan) -> None:
        cookie, csrf = cookies[plan.user_id]
        headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/json"}
        response = client.post(plan.path, data=plan.body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)

    timings = {}
    for name, action, items in (
        ("bare", lambda _: client.post("/bench/insert"), range(count)),
        ("answer", answer, plans[:count]),
    ):
        sql.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        for item in items:
            action(item)
        timings[name] = ((time.perf_counter() - started) / count, dict(sql))
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    profiler.enable()
    for plan in plans[count : 2 * count]:
        answer(plan)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    _print_profile(profiler, timings, count)


def _print_profile(profiler, timings: dict, count: int) -> None:
    print(f"\nin-process (test client, no gunicorn), {count} requests each:")
    for name, (seconds, sql) in timings.items():
        compiled = sql.pop("compiled anew", 0)
        driver = sql.pop("driver seconds", 0.0) / count
        statements = ", ".join(f"{kind} {number / count:.1f}" for kind, number in sql.items())
        print(f"  {name:<7}{seconds * 1e3:7.2f} ms, of which {driver * 1e3:.2f} ms in the driver;")
        print(f"         SQL per request: {statements}; compiled anew {compiled / count:.1f}")
    bare, answer = timings["bare"][0], timings["answer"][0]
    print(f"  ratio (bare time / answer time): {bare / answer:.2f}")
    text = io.StringIO()
    stats = (
        pstats.Stats(profiler, stream=text)
        .strip_dirs()
        .sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    )
    stats.print_stats(45)
    print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: SQLite)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--workers", type=int, default=6000, help="workers, one attempt each")
    parser.add_argument("--trades", type=int, default=4, help="trades of the campaign")
    parser.add_argument("--mode", choices=["daily", "random"], default="daily")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="then profile N")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    env = scratch_env(args.database)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    flask(env, "db", "upgrade")
    path, total, context = prepare(env, args)
    walk = Walk(path, total)
    try:
        figures, cpu = measure(env, walk, args)
    finally:
        shutil.rmtree(path.parent)  # the walk holds signed-in cookies
    report(figures, cpu, engine, args)
    stored = stored_answers(context["app"])
    print(f"answers sent {walk.sent}, stored {stored}, repeats {walk.repeats} (must be 0)")
    if args.profile:
        profile(context, args.profile, walk.sent)


if __name__ == "__main__":
    main()
