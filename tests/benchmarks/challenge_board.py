"""The challenge board with 50,000 challenges, filtered and searched: p50/p95/max per query.

Run: .venv/bin/python tests/benchmarks/challenge_board.py [--database URL] [--rounds 20]
Target (issue 7, item 10): p95 <= 50 ms on SQLite and PostgreSQL.

`--challenges` challenges (default 50,000) posted by 50 enterprises and 100 studios to one
alliance: 40 % open, 25 % in delivery, 20 % finished, 15 % drafts, submitted, rejected or
cancelled (never shown). Chinese titles and problems from word lists, 12 fields, rewards from
1,000 to 2,000,000 yuan, deadlines over two years. Inserted in bulk (guild.bulk: COPY on
PostgreSQL). The database is generated once and kept (default:
/tmp/guild-bench-cache/challenge-board-<n>.sqlite3; with --database, that database, whose
tables are dropped and made again) until the generator, the models' migrations or the size
change, or with --regenerate. Each board query of QUERIES (the first page of 20 with its
count) runs `--rounds` times through studios.services.challenge_board, and once a round
through GET /challenges/ (Flask's test client).
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from _cached_db import CACHE, analyse, cached_app, fingerprint, move_sequences, write_meta  # noqa: E402
from _stats import report_service_and_page  # noqa: E402
from studio_search import ACTIONS, ADJECTIVES, DEVICES, FIELDS, OBJECTS, completed  # noqa: E402

GENERATOR = "challenge board generator 2"  # 2: challenges in the search index
ENTERPRISES, STUDIOS, CHUNK = 50, 100, 10_000
NOW = datetime(2026, 1, 1)  # the generated deadlines are around this; the board's filters too
STATES = ["open"] * 40 + ["selected"] * 25 + ["finished"] * 20
STATES += ["draft"] * 5 + ["submitted"] * 4 + ["rejected"] * 3 + ["cancelled"] * 3
QUERIES = {
    "board": [{}, {"page": "3"}, {"status": "all"}, {"status": "finished"}],
    "field": [{"field": "电力"}, {"field": "港口", "status": "selected"}],
    "reward": [{"reward_min": "500000"}, {"reward_min": "10000", "reward_max": "20000"}],
    "deadline": [{"deadline_from": "2026-03-01", "deadline_to": "2026-03-31"}],
    "combined": [{"field": "电力", "reward_min": "100000", "deadline_to": "2026-12-31"}],
    "search": [{"q": "变压器"}, {"q": "焊接"}, {"q": "智能 巡检"}, {"q": "量子纠缠"}],
    "search+filter": [{"q": "检测", "field": "机械"}, {"q": "电缆", "status": "all"}],
}


def text_for(rng: random.Random) -> tuple[str, str, str]:
    """A title, a problem of 3-6 sentences and a field."""
    obj, act, field = rng.choice(OBJECTS), rng.choice(ACTIONS), rng.choice(FIELDS)
    title = f"{rng.choice(ADJECTIVES)}{obj}{act}{rng.choice(DEVICES)}攻关"
    sentences = [
        f"现有{obj}{act}依赖人工，效率低",
        f"需研制{rng.choice(ADJECTIVES)}{rng.choice(DEVICES)}用于{rng.choice(OBJECTS)}{act}",
        f"适用于{field}行业的{rng.choice(OBJECTS)}",
        f"要求{act}精度达到{rng.randint(1, 99)}%以上",
        "方案需经现场验证，提交技术报告",
        f"年节约成本不少于{rng.randint(5, 500)}万元",
    ]
    rng.shuffle(sentences)
    return title, "，".join(sentences[: rng.randint(3, 6)]) + "。", field


def _base_rows(app) -> tuple[int, int, list[int], list[int]]:
    """A user, the alliance, the enterprises and the studios: their ids."""
    from sqlalchemy import insert, select

    from guild.accounts.models import Enterprise
    from guild.extensions import db
    from studios.models import Alliance, Studio
    from tests.conftest import People

    user_id = People(app).make(real_name="吴发榜").id
    with app.app_context():
        alliance = Alliance(name="杭州市劳模工匠创新工作室联盟", kind="city", city="杭州市")
        db.session.add(alliance)
        db.session.flush()
        db.session.execute(
            insert(Enterprise), [{"name": f"企业{n}", "city": "杭州市"} for n in range(ENTERPRISES)]
        )
        rows = [
            {
                "name": f"工作室{n}",
                "leader_id": user_id,
                "city": "杭州市",
                "industry": "电力",
                "level": "city",
                "founded_on": date(2015, 1, 1),
                "leader_honours": [],
                "status": "approved",
                "applied_alliance_id": alliance.id,
                "applied_by_id": user_id,
            }
            for n in range(STUDIOS)
        ]
        db.session.execute(insert(Studio), rows)
        db.session.commit()
        enterprises = list(db.session.scalars(select(Enterprise.id)))
        studios = list(db.session.scalars(select(Studio.id)))
        return user_id, alliance.id, enterprises, studios


def _row(rng, number, user_id, alliance_id, enterprises, studios) -> dict:
    title, problem, field = text_for(rng)
    state = STATES[number % len(STATES)]
    deadline = NOW + timedelta(minutes=rng.randint(-365 * 24 * 60, 365 * 24 * 60))
    by_studio = number % 3 == 0
    return {
        "id": number + 1,
        "title": title,
        "problem": problem,
        "indicators": "",
        "requirements": "",
        "field": field,
        "reward_fen": rng.randint(1_000, 2_000_000) * 100,
        "deadline": deadline,
        "winners_wanted": 1 if number % 7 else 3,
        "state": state,
        "poster_enterprise_id": None if by_studio else enterprises[number % len(enterprises)],
        "poster_studio_id": studios[number % len(studios)] if by_studio else None,
        "posted_by_id": user_id,
        "alliance_id": alliance_id,
        "opened_at": deadline - timedelta(days=30) if state in ("open", "selected") else None,
        "created_at": deadline - timedelta(days=40),
        "updated_at": deadline - timedelta(days=40),
    }


def _search_row(row: dict) -> dict:
    """The challenge's search entry, as the challenges service indexes it."""
    from studios.services.challenges import search_text
    from studios.services.search import normalise, term_tokens

    title, body = search_text(row["title"], row["problem"], row["indicators"], row["field"])
    content = normalise(f"{title}\n{body}")
    return {
        "kind": "challenge",
        "object_id": row["id"],
        "studio_id": row["poster_studio_id"],
        "title": title,
        "text": content,
        "tokens": " ".join(term_tokens(content)),
        "published_on": row["created_at"].date(),
        "updated_at": row["created_at"],
    }


def generate(app, count: int) -> None:
    """Every challenge, in chunks, through guild.bulk."""
    from guild.bulk import collection_paused, insert_rows
    from guild.extensions import db
    from studios.challenge_models import Challenge
    from studios.search_models import SearchEntry

    user_id, alliance_id, enterprises, studios = _base_rows(app)
    rng, started = random.Random(7), time.perf_counter()
    with app.app_context(), collection_paused():
        for start in range(0, count, CHUNK):
            rows = [
                _row(rng, number, user_id, alliance_id, enterprises, studios)
                for number in range(start, min(count, start + CHUNK))
            ]
            insert_rows(Challenge.__table__, completed(Challenge.__table__, rows))
            insert_rows(SearchEntry.__table__, [_search_row(row) for row in rows])
            db.session.commit()
            print(
                f"  {min(count, start + CHUNK):,} challenges, {time.perf_counter() - started:.0f} s"
            )
        move_sequences(("challenges",))
        analyse()
        write_meta({"schema": fingerprint(GENERATOR, count)})


def _board(app, args: dict):
    """The board's filter as the page reads it from these query arguments."""
    from studios.challenge_views import _day_start, board_filter
    from studios.services.challenge_board import board_page

    with app.test_request_context("/challenges/", query_string=args):
        page = int(args.get("page", 1))
        return board_page(board_filter(), page, 20, _day_start)


def measure(app, rounds: int) -> None:
    """Every query `rounds` times through the service, and once a round through the page."""
    from guild.extensions import db

    client = app.test_client()
    service: dict[str, list[float]] = {group: [] for group in QUERIES}
    page: list[float] = []
    with app.app_context():
        for group, queries in QUERIES.items():  # warm the caches once, show the counts
            for args in queries:
                found = _board(app, args)
                print(f"  {group:14} {args!s:70.70} {found.total:6} found")
        for _ in range(rounds):
            for group, queries in QUERIES.items():
                for args in queries:
                    started = time.perf_counter()
                    _board(app, args)
                    service[group].append(time.perf_counter() - started)
                    db.session.rollback()
    client.get("/challenges/")  # templates compiled once
    for _ in range(rounds):
        for queries in QUERIES.values():
            for args in queries:
                started = time.perf_counter()
                response = client.get("/challenges/", query_string=args)
                page.append(time.perf_counter() - started)
                assert response.status_code == 200
    names = ("board service (page of 20 and its count)", "board page GET /challenges/")
    report_service_and_page(app, service, page, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a scratch database URL (default: cached SQLite)")
    parser.add_argument("--challenges", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = CACHE / "challenge-board-files"
    folder.mkdir(exist_ok=True)
    count = args.challenges
    url = args.database or f"sqlite:///{CACHE / f'challenge-board-{count}.sqlite3'}"
    schema = fingerprint(GENERATOR, count)
    app = cached_app(url, folder, schema, args.regenerate, lambda app: generate(app, count))
    measure(app, args.rounds)


if __name__ == "__main__":
    main()
