"""Acknowledged answers survive gunicorn killed with SIGKILL in the middle of a stream of them.

Run: .venv/bin/python tests/benchmarks/kill_durability.py [--database URL] [--kills 3]
Target (issue): no acknowledged answer lost.

Client threads post fresh answers (daily practices in a running campaign) to gunicorn
(2 sync workers) and note every one answered 200. After a few seconds the master and its
workers are killed with SIGKILL, by process id, while requests are in flight; gunicorn is
started again on the same database and the stream resumes, `--kills` times. Then, against
the last server: every acknowledged answer must be in the answers table with the score the
client was told, and posting it again must say `repeated`; the standings, per-points
counts, campaign days and tallies moved in the answers' transactions must equal a rebuild
from the stored answers (competitions.campaigns.services.rebuild, rolled back after).
"""

import argparse
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import children, flask, scratch_env, start_gunicorn  # noqa: E402
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


def post_answer(base: str, plan, cookie: str, csrf: str) -> dict:
    """Post one answer; the JSON reply, or an exception when the server is gone."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/json"}
        connection.request("POST", plan.path, body=plan.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{plan.path}: HTTP {response.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        connection.close()


class Stream:
    """Client threads taking the prepared answers in turn, noting what was acknowledged."""

    def __init__(self, plans, cookies) -> None:
        self.plans, self.cookies = iter(plans), cookies
        self.lock = threading.Lock()
        self.acknowledged: dict[tuple[int, int], bool] = {}  # (attempt, position) -> correct
        self.failed = 0  # requests that got no answer (the server died under them)
        self.errors: list[Exception] = []

    def _next(self):
        with self.lock:
            return next(self.plans, None)

    def run(self, base: str, threads: int, seconds: float, interrupt) -> None:
        """Stream for `seconds`, call `interrupt` (the kill) with requests in flight, stop."""
        stop = threading.Event()
        clients = [threading.Thread(target=self._client, args=(base, stop)) for _ in range(threads)]
        for client in clients:
            client.start()
        time.sleep(seconds)
        interrupt()
        stop.set()
        for client in clients:
            client.join()
        if self.errors:
            raise self.errors[0]

    def _client(self, base: str, stop: threading.Event) -> None:
        try:
            self._send(base, stop)
        except Exception as error:  # reported by run(), in the main thread
            self.errors.append(error)

    def _send(self, base: str, stop: threading.Event) -> None:
        while not stop.is_set():
            plan = self._next()
            if plan is None:
                raise RuntimeError("ran out of prepared answers: raise --workers")
            cookie, csrf = self.cookies[plan.user_id]
            try:
                reply = post_answer(base, plan, cookie, csrf)
            except (OSError, http.client.HTTPException):  # refused, reset or cut off mid-reply
                with self.lock:
                    self.failed += 1
                return  # the server is gone
            if reply["repeated"]:
                raise RuntimeError(f"{plan.path} was sent twice")
            with self.lock:
                self.acknowledged[(plan.attempt_id, plan.position)] = reply["correct"]


def kill_hard(process) -> list[int]:
    """SIGKILL the gunicorn master and its workers by process id; the ids killed."""
    pids = [process.pid, *children(process.pid)]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    for pid in pids[1:]:  # the workers are gone (or zombies) before the next server starts
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    return pids


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def prepare(env: dict[str, str], workers: int):
    from guild.extensions import db
    from guild.timeutil import local_day, utcnow

    app = open_app(env)
    with app.app_context():
        trades = add_trades(4, 60)
        add_campaign(trades, local_day(utcnow(), app.config["BABEL_DEFAULT_TIMEZONE"]))
        ids = add_workers(workers, add_enterprises(20), 17_000_000_000)
        cookies = session_cookies(app, ids)
        plans = planned_answers(start_attempts(ids, trades, "daily"), right_share=0.7)
        db.session.remove()
        db.engine.dispose()
    return app, plans, cookies


def stored_answers(app) -> dict[tuple[int, int], bool]:
    """Every stored answer: (attempt, position) -> right."""
    from sqlalchemy import select

    from competitions.training.models import Answer
    from guild.extensions import db

    with app.app_context():
        rows = db.session.execute(select(Answer.attempt_id, Answer.position, Answer.is_correct))
        stored = {(attempt, position): bool(right) for attempt, position, right in rows}
        db.session.remove()
        db.engine.dispose()
    return stored


def running_equals_rebuild(app) -> dict[str, tuple[int, bool]]:
    """Each running table of the campaign against a rebuild from the stored answers:
    {table: (rows, equal)}; the rebuild is rolled back."""
    from sqlalchemy import select

    from competitions.campaigns.models import (
        Campaign,
        CampaignDay,
        Standing,
        StandingCount,
        StandingMinuteCount,
        Tally,
    )
    from competitions.campaigns.services.rebuild import rebuild_campaign
    from guild.extensions import db

    models = (Standing, StandingCount, StandingMinuteCount, CampaignDay, Tally)

    def snapshot() -> dict[str, set]:
        # Counts that fell to zero stay as rows in the running tables; a rebuild writes none.
        return {
            model.__tablename__: {
                row
                for row in db.session.execute(select(*model.__table__.columns))
                if not model.__tablename__.endswith("counts") or row.participants != 0
            }
            for model in models
        }

    with app.app_context():
        running = snapshot()
        for campaign in db.session.scalars(select(Campaign)):
            rebuild_campaign(campaign)
        db.session.flush()
        rebuilt = snapshot()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return {name: (len(rows), rows == rebuilt[name]) for name, rows in running.items()}


def resend(base: str, plans: list, cookies, acknowledged, count: int) -> int:
    """Post acknowledged answers again to the restarted server: how many said `repeated`
    with the same result."""
    chosen = [plan for plan in plans if (plan.attempt_id, plan.position) in acknowledged]
    same = 0
    for plan in random.Random(3).sample(chosen, min(count, len(chosen))):
        reply = post_answer(base, plan, *cookies[plan.user_id])
        same += (
            reply["repeated"] and reply["correct"] == acknowledged[(plan.attempt_id, plan.position)]
        )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: SQLite)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs, each after a stream")
    parser.add_argument("--seconds", type=float, default=4.0, help="streaming before each kill")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2000, help="workers, 10 answers each")
    parser.add_argument("--resend", type=int, default=300, help="acknowledged answers re-sent")
    args = parser.parse_args()
    env = scratch_env(args.database)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    flask(env, "db", "upgrade")
    app, plans, cookies = prepare(env, args.workers)
    stream = Stream(plans, cookies)
    for number in range(1, args.kills + 1):
        process, base = start_gunicorn(env, 2, new_group=True)
        before = len(stream.acknowledged)
        killed: list[int] = []
        stream.run(
            base, args.threads, args.seconds, lambda p=process, k=killed: k.extend(kill_hard(p))
        )
        print(
            f"kill {number}: SIGKILL to pids {killed} (master first) after "
            f"{len(stream.acknowledged) - before} acknowledged answers"
        )
    verify(env, app, stream, plans, cookies, engine, args)


def verify(env, app, stream: Stream, plans, cookies, engine: str, args) -> None:
    """Restart on the same database and check every acknowledged answer and the standings."""
    process, base = start_gunicorn(env, 2)
    try:
        same = resend(base, plans, cookies, stream.acknowledged, args.resend)
    finally:
        process.terminate()
        process.wait(timeout=30)
    stored = stored_answers(app)
    acknowledged = stream.acknowledged
    missing = [key for key in acknowledged if key not in stored]
    changed = [key for key, right in acknowledged.items() if stored.get(key, right) != right]
    print(f"{engine}, gunicorn 2 sync workers, {args.threads} client threads, {args.kills} kills")
    print(f"acknowledged (HTTP 200): {len(acknowledged)}; stored after restart: {len(stored)}")
    unacknowledged = len(stored.keys() - acknowledged.keys())
    print(f"sent but cut by a kill: {stream.failed}, of which stored anyway: {unacknowledged}")
    print(f"acknowledged but missing: {len(missing)}; stored with another result: {len(changed)}")
    print(f"re-sent to the restarted server: {same} of {min(args.resend, len(acknowledged))}")
    print("  came back `repeated` with the same result")
    for table, (rows, equal) in running_equals_rebuild(app).items():
        print(f"{table}: {rows} rows, {'equal to' if equal else 'DIFFERENT from'} a rebuild")
    if missing or changed:
        sys.exit("FAILED: acknowledged answers were lost")


if __name__ == "__main__":
    main()
