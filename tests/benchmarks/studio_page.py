"""The public studio page (`GET /studios/<id>`) of a studio with 1,000 publications.

Run: .venv/bin/python tests/benchmarks/studio_page.py [--database URL] [--requests 300]
Target (issue 6, item 13): p95 <= 100 ms on SQLite and PostgreSQL.

The alliances and the studio (leader and 10 members) are made through the real services; its
publications are inserted in bulk: 400 patents, 300 achievements, 300 courseware and 50
events, plus a second studio with as many, so counts must filter. The page is requested
sequentially through Flask's test client (in process, no HTTP server), first by a visitor,
then alternately by a visitor and by the signed-in leader; p50/p95/max are reported.
--database takes an empty scratch database: every table in it is dropped and created.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from _stats import percentile  # noqa: E402

PATENTS, ACHIEVEMENTS, COURSEWARE, EVENTS = 400, 300, 300, 50


def build(app, people) -> tuple[int, object]:
    """The scene through the services, then the publications in bulk; the studio and leader."""
    from tests.studio_scene import build_studios

    scene = build_studios(app, people)
    with app.app_context():
        for number, studio_id in enumerate(scene.studio_ids):
            leader = scene.leaders[number]
            _bulk(studio_id, leader.id, number)
            for extra in range(9):
                _member(app, people, studio_id, leader, extra + 10 * number)
    return scene.studio_ids[0], scene.leaders[0]


def _member(app, people, studio_id: int, leader, number: int) -> None:
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db
    from studios.services.members import answer_invitation, invite_member

    person = people.make(real_name=f"成员{number}")
    invite_member(Actor(db.session.get(User, leader.id)), studio_id, person.phone)
    answer_invitation(Actor(db.session.get(User, person.id)), studio_id, True)
    db.session.commit()


def _bulk(studio_id: int, user_id: int, tag: int) -> None:
    from sqlalchemy import insert

    from guild.extensions import db
    from studios.activity_models import Event
    from studios.publication_models import Achievement, Courseware, Patent

    start = date(2015, 1, 1)
    patents = [
        {
            "studio_id": studio_id,
            "patent_type": "invention",
            "application_number": f"20{tag}{n:09d}X",
            "title": f"一种输电线路带电作业工具{n}",
            "inventors": [{"name": "王强"}],
            "filed_on": start + timedelta(days=n),
            "status": "pending",
            "abstract": "本发明公开了一种带电作业工具。" * 20,
            "created_by_id": user_id,
        }
        for n in range(PATENTS)
    ]
    achievements = [
        {
            "studio_id": studio_id,
            "title": f"技术革新成果{n}",
            "summary_markdown": "成果摘要" * 50,
            "summary_html": "<p>成果摘要</p>" * 50,
            "achieved_on": start + timedelta(days=n),
            "benefit_fen": 100_000 * n,
            "created_by_id": user_id,
        }
        for n in range(ACHIEVEMENTS)
    ]
    courseware = [
        {"studio_id": studio_id, "title": f"培训课件{n}", "kind": "pdf", "created_by_id": user_id}
        for n in range(COURSEWARE)
    ]
    moment = datetime(2024, 1, 1, 1)
    events = [
        {
            "studio_id": studio_id,
            "title": f"技术交流会{n}",
            "place": "杭州",
            "capacity": 50,
            "starts_at": moment + timedelta(days=n),
            "ends_at": moment + timedelta(days=n, hours=2),
            "created_by_id": user_id,
        }
        for n in range(EVENTS)
    ]
    for model, rows in ((Patent, patents), (Achievement, achievements)):
        db.session.execute(insert(model), rows)
    db.session.execute(insert(Courseware), courseware)
    db.session.execute(insert(Event), events)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an empty scratch database URL (default: SQLite)")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="guild-bench-studio-"))
    url = args.database or f"sqlite:///{folder / 'bench.sqlite3'}"

    from guild import create_app
    from guild.extensions import db
    from tests.conftest import People, login, test_config

    app = create_app(test_config(url, folder, TESTING=False))
    with app.app_context():
        db.drop_all()
        db.create_all()
    studio_id, leader = build(app, People(app))
    visitor, member = app.test_client(), app.test_client()
    login(member, leader)
    path = f"/studios/{studio_id}"
    first = time.perf_counter()
    body = visitor.get(path).get_data(as_text=True)
    cold = time.perf_counter() - first
    assert f"All {PATENTS}" in body or str(PATENTS) in body, "the page lacks the counts"
    times = []
    for number in range(args.requests):
        client = member if number % 2 else visitor
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    engine = url.split(":", 1)[0]
    print(
        f"studio page, {PATENTS + ACHIEVEMENTS + COURSEWARE} publications + {EVENTS} events, "
        f"{engine}, {args.requests} requests: first {cold * 1000:.1f} ms, "
        f"p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
