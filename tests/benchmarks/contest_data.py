"""The generated skills contest the contest benchmarks measure: 10,000 entrants × 40 aspects.

Used by contest_results.py (the standings service) and contest_results_page.py (the results
page). The contest is generated once, straight into the tables with guild.bulk (COPY on
PostgreSQL, executemany on SQLite): 10,000 approved entrants in two groups, each with a
submitted theory paper (2 % absent), a scheme of 40 aspects of which `--measured` are
measurements (one agreed mark) and the rest judgements (5 judges of 20 each, scores 0–3
from the entrant's skill, the judge's leaning and noise). With the defaults that is
10,000 × (32 × 5 + 8) = 1,680,000 raw marks; `--measured 0` gives the 2,000,000 of the
issue's arithmetic. The database is kept between runs (default:
/tmp/guild-bench-cache/contest-results-<entrants>-<aspects>-<measured>-<judges>.sqlite3;
with --database, that database) and made again, emptying that database first, when the
migrations, this generator or the sizes change, or with --regenerate.

Generation runs in a child process (this file with --generate-into), so a measuring
process's peak memory is its own.
"""

import argparse
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _cached_db import CACHE, analyse, fingerprint, move_sequences, stored_meta, write_meta  # noqa: E402
from _server import flask, scratch_env  # noqa: E402
from _training_data import add_enterprises, add_organiser, add_trades, add_workers, open_app  # noqa: E402

GENERATOR = "contest results generator 2"  # change when the generated rows change
PANEL_POOL = 20  # judges of the contest; each judgement aspect has `--judges` of them
CHUNK = 200_000


def schema(args) -> str:
    """What a cached database must have been made by: migrations, generator and sizes."""
    return fingerprint(GENERATOR, args.entrants, args.aspects, args.measured, args.judges)


def empty_database(url: str) -> None:
    """Drop everything in the database (a SQLite file is deleted)."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as pg:
        pg.execute("DROP SCHEMA public CASCADE")
        pg.execute("CREATE SCHEMA public")


def make_scheme(args):
    """A valid scheme: criteria of 8 aspects, marks summing to 100, measurements spread out."""
    from competitions.contests.scheme import Aspect, AspectKind, Criterion, Scheme, SubCriterion

    cents = np.full(args.aspects, 10_000 // args.aspects)
    cents[: 10_000 - cents.sum()] += 1
    measured = set(np.linspace(0, args.aspects - 1, args.measured).round().astype(int).tolist())
    criteria = []
    for first in range(0, args.aspects, 8):
        letter = chr(ord("A") + first // 8)
        aspects = []
        for index in range(first, min(first + 8, args.aspects)):
            kind = AspectKind.MEASUREMENT if index in measured else AspectKind.JUDGEMENT
            descriptors = () if index in measured else ("差", "一般", "良好", "优秀")
            code = f"{letter}1.{index - first + 1}"
            mark = f"{cents[index] / 100:.2f}"
            aspects.append(Aspect(code, f"评分项{code}", kind, mark, descriptors))
        criteria.append(
            Criterion(
                letter, f"模块{letter}", (SubCriterion(f"{letter}1", "操作", tuple(aspects)),)
            )
        )
    return Scheme(tuple(criteria))


def set_up_contest(args, trade_id: int, organiser_id: int):
    """The contest made by the services (rules, groups, scheme), then moved to the practical."""
    from competitions.contests.models import Contest, Stage
    from competitions.contests.services.contests import ContestFields, create_contest
    from competitions.contests.services.scheme_store import save_scheme
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db

    actor = Actor(db.session.get(User, organiser_id), "bench")
    fields = ContestFields(
        "全省电工职业技能竞赛", trade_id, groups=("职工组", "学生组"), prize_minimum=60.0,
        title_name="技术能手", title_count=30, registration_opens_at=datetime(2026, 3, 1),
        registration_closes_at=datetime(2026, 3, 31),
    )  # fmt: skip
    contest = create_contest(actor, fields)
    save_scheme(actor, contest.id, make_scheme(args))
    contest = db.session.get(Contest, contest.id)
    contest.stage, contest.lots_drawn_at = Stage.PRACTICAL, datetime(2026, 4, 1)
    db.session.commit()
    return contest.id, [group.id for group in contest.groups]


def insert(table, frame) -> None:
    """Bulk-insert a frame's rows in chunks through guild.bulk, then commit."""
    from guild.bulk import collection_paused, insert_rows
    from guild.extensions import db

    with collection_paused():
        for start in range(0, len(frame), CHUNK):
            part = frame.iloc[start : start + CHUNK].astype(object)
            part = part.where(part.notna(), None)  # NULL, never NaN
            rows = [
                dict(zip(part.columns, values, strict=True))
                for values in part.itertuples(index=False)
            ]
            insert_rows(table, rows)
    db.session.commit()


def entries_and_papers(rng, contest_id, groups, workers, trade_id, organiser_id) -> tuple:
    """Approved entries with codes and stations, their members and theory papers; skills."""
    import pandas as pd

    from guild.accounts.models import User
    from guild.extensions import db

    count = len(workers)
    enterprises = dict(db.session.execute(db.select(User.id, User.enterprise_id)).all())
    ids = np.arange(1, count + 1)
    skill = rng.beta(4.0, 2.0, count)
    start = datetime(2026, 4, 2, 1, 0)
    seconds = rng.integers(1800, 5400, count)
    sat = rng.random(count) >= 0.02
    papers = pd.DataFrame({
        "id": ids, "user_id": workers, "trade_id": trade_id, "mode": "exam", "chapter": "",
        "partial_credit": False, "day": date(2026, 4, 2), "started_at": start,
        "last_activity_at": [start + timedelta(seconds=int(s)) for s in seconds],
        "deadline_at": start + timedelta(hours=2), "item_count": 100, "answered_count": 100,
        "correct_count": (skill * 100).astype(int), "score": np.round(skill * 100, 1),
        "max_score": 100.0,
    })  # fmt: skip
    papers["submitted_at"] = papers["last_activity_at"]
    entries = pd.DataFrame({
        "id": ids, "contest_id": contest_id, "group_id": np.asarray(groups)[ids % len(groups)],
        "enterprise_id": pd.array([enterprises[w] for w in workers], dtype="Int64"),
        "team_name": "", "status": "approved",
        "registered_by_id": workers, "registered_at": datetime(2026, 3, 2),
        "decided_by_id": organiser_id, "decided_at": datetime(2026, 3, 3), "decision_note": "",
        "code": [f"J{n:05d}" for n in ids], "station": [f"{n:05d}" for n in ids],
        "theory_attempt_id": pd.array(np.where(sat, ids, 0), dtype="Int64").astype(object),
    })  # fmt: skip
    entries.loc[~sat, "theory_attempt_id"] = None
    members = pd.DataFrame(
        {"entry_id": ids, "user_id": workers, "contest_id": contest_id, "position": 1}
    )
    return papers, entries, members, skill


def marks(rng, contest_id, aspects, judges, skill, judges_per_panel) -> tuple:
    """Judges' 0–3 scores and agreed marks from skill, a judge's leaning and noise; panels."""
    import pandas as pd

    entries = np.arange(1, len(skill) + 1)
    judged = aspects[aspects["kind"] == "judgement"]
    seats = [
        (a, judges[(k * judges_per_panel + i) % len(judges)])
        for k, a in enumerate(aspects["id"])
        for i in range(judges_per_panel)
    ]
    panels = pd.DataFrame(seats, columns=["aspect_id", "user_id"]).assign(contest_id=contest_id)
    panel = panels[panels["aspect_id"].isin(judged["id"])]
    leaning = dict(zip(judges, rng.normal(0, 0.15, len(judges)), strict=True))
    entry = np.repeat(entries, len(panel))
    lean = np.tile(panel["user_id"].map(leaning).to_numpy(), len(entries))
    noise = rng.normal(0, 0.3, len(entry))
    scores = np.clip(np.rint(skill[entry - 1] * 3.3 + lean + noise - 0.3), 0, 3)
    saved = datetime(2026, 4, 3, 9, 0)
    scores_frame = pd.DataFrame({
        "contest_id": contest_id, "entry_id": entry,
        "aspect_id": np.tile(panel["aspect_id"].to_numpy(), len(entries)),
        "judge_id": np.tile(panel["user_id"].to_numpy(), len(entries)),
        "score": scores, "version": 1, "saved_at": saved,
    })  # fmt: skip
    measured = aspects[aspects["kind"] == "measurement"]
    top = np.tile(measured["max_mark"].to_numpy(), len(entries))
    entry = np.repeat(entries, len(measured))
    agreed = np.clip(np.round(top * (skill[entry - 1] + rng.normal(0, 0.1, len(entry))), 2), 0, top)
    first = panels.groupby("aspect_id")["user_id"].first()
    agreed_frame = pd.DataFrame({
        "contest_id": contest_id, "entry_id": entry,
        "aspect_id": np.tile(measured["id"].to_numpy(), len(entries)), "mark": agreed,
        "entered_by_id": np.tile(measured["id"].map(first).to_numpy(), len(entries)),
        "version": 1, "saved_at": saved,
    })  # fmt: skip
    return scores_frame, agreed_frame, panels


def _people(contest_args) -> tuple:
    """Trade, organiser, 10,000 workers in 100 enterprises, and the judges (no enterprise)."""
    import pandas as pd

    from guild.accounts.models import UserRole

    trade_id = add_trades(1, 6)[0]
    organiser_id = add_organiser("19900000001")
    workers = add_workers(contest_args.entrants, add_enterprises(100), 13_000_000_000)
    judges = add_workers(PANEL_POOL, [(None, None)], 15_000_000_000)
    roles = {"user_id": judges, "role": "judge", "granted_at": datetime(2026, 1, 1)}
    insert(UserRole.__table__, pd.DataFrame(roles))
    return trade_id, organiser_id, workers, judges


def _scheme_frame(contest_id: int):
    """The saved scheme's aspects: id, kind, max_mark."""
    import pandas as pd

    from competitions.contests.marking_models import Aspect
    from guild.extensions import db

    query = db.select(Aspect.id, Aspect.kind, Aspect.max_mark)
    rows = db.session.execute(query.where(Aspect.contest_id == contest_id)).all()
    aspects = pd.DataFrame(rows, columns=["id", "kind", "max_mark"])
    return aspects.assign(
        kind=aspects["kind"].astype(str), max_mark=aspects["max_mark"].astype(float)
    )


def generate(args, url: str) -> None:
    """Fill an empty, migrated database with the contest (run in a child process)."""
    import pandas as pd

    from competitions.contests.marking_models import AgreedMark, JudgeScore, PanelJudge
    from competitions.contests.models import ContestStaff, Entry, EntryMember
    from competitions.training.models import Attempt

    started = time.perf_counter()
    with open_app(scratch_env(url)).app_context():
        trade_id, organiser_id, workers, judges = _people(args)
        contest_id, groups = set_up_contest(args, trade_id, organiser_id)
        staff = {"contest_id": contest_id, "user_id": judges, "role": "judge"}
        staff |= {"enterprise_id": None, "appointed_at": datetime(2026, 3, 1)}
        insert(ContestStaff.__table__, pd.DataFrame(staff))
        rng = np.random.default_rng(2026)
        made = entries_and_papers(rng, contest_id, groups, workers, trade_id, organiser_id)
        for table, frame in zip((Attempt, Entry, EntryMember), made[:3], strict=True):
            insert(table.__table__, frame)
        aspects = _scheme_frame(contest_id)
        scores, agreed, panels = marks(rng, contest_id, aspects, judges, made[3], args.judges)
        insert(PanelJudge.__table__, panels)
        print(f"  [{time.perf_counter() - started:5.0f} s] contest, entrants, papers", flush=True)
        insert(JudgeScore.__table__, scores)
        insert(AgreedMark.__table__, agreed)
        count = len(scores) + len(agreed)
        print(f"  [{time.perf_counter() - started:5.0f} s] {count:,} raw marks", flush=True)
        seconds = round(time.perf_counter() - started)
        meta = {"contest_id": contest_id, "marks": count, "seconds": seconds}
        move_sequences(("attempts", "contest_entries"))
        analyse(sqlite=False)
        write_meta(meta | {"schema": schema(args)})


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """The generated contest's sizes and where it is kept, for every contest benchmark."""
    parser.add_argument("--database", help="SQLAlchemy URL (default: a cached SQLite file)")
    parser.add_argument("--entrants", type=int, default=10_000)
    parser.add_argument("--aspects", type=int, default=40)
    parser.add_argument("--measured", type=int, default=8, help="measurement aspects")
    parser.add_argument("--judges", type=int, default=5, help="judges per judgement aspect")
    parser.add_argument("--regenerate", action="store_true", help="make the database again")


def prepare(args) -> tuple[str, dict]:
    """The database URL and the generated contest's facts, generating it when needed."""
    url = args.database
    if url is None:
        CACHE.mkdir(exist_ok=True)
        name = f"contest-results-{args.entrants}-{args.aspects}-{args.measured}-{args.judges}"
        url = f"sqlite:///{CACHE / name}.sqlite3"
    meta = None if args.regenerate else stored_meta(url)
    if meta is None or meta.get("schema") != schema(args):
        print(f"generating {args.entrants:,} entrants × {args.aspects} aspects into {url}")
        empty_database(url)
        flask(scratch_env(url), "db", "upgrade")
        sizes = ["--entrants", args.entrants, "--aspects", args.aspects]
        sizes += ["--measured", args.measured, "--judges", args.judges]
        command = [sys.executable, __file__, "--generate-into", url, *map(str, sizes)]
        subprocess.run(command, check=True)
        meta = stored_meta(url)
    return url, meta


def change_one_mark(contest_id: int, entry_id: int) -> None:
    """A judge changes one score through the marking service, committed as a request would;
    where every aspect is measured (no judge scores), the panel changes an agreed mark."""
    from competitions.contests.marking_models import AgreedMark, JudgeScore
    from competitions.contests.services.marking import save_agreed_mark, save_judge_score
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db

    def first(model):
        query = db.select(model).where(model.contest_id == contest_id, model.entry_id == entry_id)
        return db.session.scalars(query.limit(1)).first()

    if (score := first(JudgeScore)) is not None:
        actor = Actor(db.session.get(User, score.judge_id), "bench")
        new = 3 - int(score.score) if int(score.score) != 1 else 2
        save_judge_score(actor, contest_id, entry_id, score.aspect_id, new, score.version)
    else:
        agreed = first(AgreedMark)
        actor = Actor(db.session.get(User, agreed.entered_by_id), "bench")
        new = Decimal("0.00") if agreed.mark else Decimal("0.01")  # a change, always in range
        save_agreed_mark(actor, contest_id, entry_id, agreed.aspect_id, new, agreed.version)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_arguments(parser)
    parser.add_argument("--generate-into", required=True, help="the migrated, empty database")
    args = parser.parse_args()
    generate(args, args.generate_into)


if __name__ == "__main__":
    main()
