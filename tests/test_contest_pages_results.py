"""The results pages of a skills contest: who sees the ranking at each stage, names never
before the reveal, the score sheets and their Excel files, certificates and judge analytics.
Runs on SQLite and on PostgreSQL."""

import io
import re

import openpyxl
import pandas as pd
import pytest

from competitions.contests.marking_models import AgreedMark
from competitions.contests.models import Entry, Stage
from competitions.contests.services import documents, results
from competitions.contests.services.draw import reveal
from competitions.contests.services.marking import save_agreed_mark
from competitions.contests.services.results import judge_deviations, standings
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from tests.conftest import login
from tests.contest_scene import build_contest


@pytest.fixture
def app(make_app):
    """The app speaking English, so the pages are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with this process's results cache empty (ids repeat across tests)."""
    results.clear_cache()
    yield
    results.clear_cache()


def url(scene, path: str) -> str:
    return f"/skills/contests/{scene.contest_id}/{path}"


def signed_in(app, person):
    """A new client signed in as the person."""
    client = app.test_client()
    login(client, person)
    return client


def codes(app, scene) -> dict[int, str]:
    """Entry codes by worker id."""
    with app.app_context():
        return {
            worker: db.session.get(Entry, entry_id).code
            for worker, entry_id in scene.entries.items()
        }


def test_staff_see_codes_but_no_names_before_the_reveal(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.LOCKED)
    drawn = codes(app, scene)
    for person in (scene.organiser, scene.chief):
        client = signed_in(app, person)
        for path in ("results", "results/sheet", "analytics"):
            page = client.get(url(scene, path))
            assert page.status_code == 200, path
            text = page.get_data(as_text=True)
            assert not any(worker.real_name in text for worker in scene.workers), path
            assert "杭州市电力有限公司" not in text  # no enterprise either
            assert "by entry code until the codes are revealed" in text
        ranking = client.get(url(scene, "results")).get_data(as_text=True)
        group_one = [w for n, w in enumerate(scene.workers) if n % 2 == 0]
        assert all(drawn[worker.id] in ranking for worker in group_one)
        assert "Spreads over the limit" in ranking and "data-print" in ranking


def test_names_once_revealed(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    client = signed_in(app, scene.chief)
    text = client.get(url(scene, "results")).get_data(as_text=True)
    first = scene.workers[0]
    assert first.real_name in text and "杭州市电力有限公司" in text
    found = client.get(url(scene, "results"), query_string={"q": scene.workers[1].real_name})
    assert scene.workers[1].real_name in found.get_data(as_text=True)
    assert first.real_name not in found.get_data(as_text=True)


def test_refused_before_publication(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    judge = signed_in(app, scene.judges[0])  # a judge, but not the chief
    worker = signed_in(app, scene.workers[0])
    stranger = signed_in(app, people.make(Role.JUDGE, real_name="外人"))
    for client in (judge, worker, stranger):
        for path in ("results", "results/sheet", "results.xlsx", "results/sheet.xlsx", "analytics"):
            assert client.get(url(scene, path)).status_code == 403, path
        assert client.get(url(scene, "certificates.pdf")).status_code == 403
    assert worker.get(url(scene, "certificates/mine.pdf")).status_code == 403
    assert worker.get(f"/skills/contests/{scene.contest_id + 99}/results").status_code == 404


def test_a_draft_is_not_known_to_exist(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAFT)
    worker = signed_in(app, people.make(real_name="路人"))
    assert worker.get(url(scene, "results")).status_code == 404
    page = signed_in(app, scene.organiser).get(url(scene, "results"))
    assert page.status_code == 200 and "once practical marking has begun" in page.text
    assert signed_in(app, scene.organiser).get(url(scene, "results.xlsx")).status_code == 404


def test_published_ranking_for_every_worker_without_aspect_marks(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PUBLICITY)
    drawn = codes(app, scene)
    outsider = signed_in(app, people.make(real_name="旁观者"))
    page = outsider.get(url(scene, "results"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert scene.workers[0].real_name in text and "杭州市电力有限公司" in text
    assert "技术能手" in text  # the top of each group holds the title
    assert "A1.1" not in text and "A1.2" not in text  # nobody's aspect marks
    assert not any(code in text for code in drawn.values())
    assert "Marks missing" not in text and "Spreads over the limit" not in text
    for path in ("results/sheet", "results.xlsx", "analytics", "certificates.pdf"):
        assert outsider.get(url(scene, path)).status_code == 403, path
    other_group = outsider.get(url(scene, "results"), query_string={"group": 999_999})
    assert other_group.status_code == 200  # an unknown group shows the first


def test_results_excel_read_back(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    response = signed_in(app, scene.organiser).get(url(scene, "results.xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    frame = pd.read_excel(
        io.BytesIO(response.data), sheet_name="成绩", dtype={"参赛号": str}, engine="calamine"
    )
    with app.app_context():
        table = standings(scene.contest_id).table
    assert list(frame.columns[:5]) == ["组别", "名次", "参赛号", "姓名", "单位"]
    assert len(frame) == len(table) == 6
    assert list(frame["参赛号"]) == list(table["code"])
    assert frame["总分"].round(2).tolist() == table["total"].round(2).tolist()
    assert list(frame["名次"]) == list(table["rank"])
    assert frame["称号"].fillna("").eq("技术能手").sum() == int(table["title"].sum())
    assert set(frame["姓名"]) == {worker.real_name for worker in scene.workers}


def test_score_sheet_excel_before_reveal_has_marks_but_no_names(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL)
    response = signed_in(app, scene.chief).get(url(scene, "results/sheet.xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book["成绩单"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("组别", "参赛号", "姓名", "单位")
    assert header[4:8] == ("A1.1（30）", "A1.2（30）", "B1.1（20）", "B1.2（20）")
    with app.app_context():
        current = standings(scene.contest_id)
        marks = current.marks.set_index(["entry_id", "aspect_id"])["mark"]
        ids = dict(zip(current.table["code"], current.table.index, strict=True))
        aspects = list(current.aspects["aspect_id"])
    assert len(body) == 6
    for row in body:
        assert row[2] is None and row[3] is None  # no name, no enterprise before the reveal
        entry_id = ids[row[1]]
        for offset, aspect_id in enumerate(aspects):
            assert row[4 + offset] == pytest.approx(marks[(entry_id, aspect_id)])


def test_score_sheet_page(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    page = signed_in(app, scene.organiser).get(
        url(scene, "results/sheet"), query_string={"group": 0}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "A1.1" in text and "B1.2" in text
    assert scene.workers[0].real_name in text and "Download Excel" in text


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def test_certificates_for_the_organiser_after_the_reveal(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.LOCKED)
    client = signed_in(app, scene.organiser)
    refused = client.get(url(scene, "certificates.pdf"))
    assert refused.status_code == 302  # back to the results, saying why
    assert "revealed" in client.get(refused.location).get_data(as_text=True)
    with app.app_context():
        reveal(Actor(db.session.get(User, scene.officer.id), "127.0.0.1"), scene.contest_id)
        db.session.commit()
    response = client.get(url(scene, "certificates.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF")
    with app.app_context():
        table = standings(scene.contest_id).table
    winners = int(((table["prize"] > 0) | table["title"]).sum())
    assert winners >= 2 and pages(response.data) == winners
    chief = signed_in(app, scene.chief)  # the chief judge is not an organiser
    assert chief.get(url(scene, "certificates.pdf")).status_code == 403


def test_a_worker_downloads_their_own_certificate_once_published(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PUBLICITY)
    with app.app_context():
        table = standings(scene.contest_id).table
    entry_of = {entry: worker for worker, entry in scene.entries.items()}
    titled = {entry_of[entry_id] for entry_id in table.index[table["title"].to_numpy()]}
    winner = next(w for w in scene.workers if w.id in titled)
    loser = next(w for w in scene.workers if w.id not in titled)
    response = signed_in(app, winner).get(url(scene, "certificates/mine.pdf"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pages(response.data) == 1
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert signed_in(app, loser).get(url(scene, "certificates/mine.pdf")).status_code == 404
    hub = signed_in(app, winner).get(f"/skills/contests/{scene.contest_id}").get_data(as_text=True)
    assert "/certificates/mine.pdf" in hub and f"/{scene.contest_id}/results" in hub


def test_analytics_figures_match_the_judges_deviations(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL)
    text = signed_in(app, scene.chief).get(url(scene, "analytics")).get_data(as_text=True)
    with app.app_context():
        figures = judge_deviations(scene.contest_id)
    assert len(figures) == 3
    for _judge_id, row in figures.iterrows():
        assert row["name"] in text  # judges are named
        assert f"{row['deviation']:+.3f}" in text and f"{row['mean_spread']:.2f}" in text
    assert not any(worker.real_name in text for worker in scene.workers)
    assert "data-chart" in text and "echarts.min.js" in text


def test_the_cached_page_changes_after_a_mark_change(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL)
    client = signed_in(app, scene.organiser)
    worker = scene.workers[3]
    code = codes(app, scene)[worker.id]
    first = client.get(url(scene, "results"), query_string={"q": code}).get_data(as_text=True)
    with app.app_context():
        before = float(standings(scene.contest_id).table.loc[scene.entries[worker.id], "total"])
        mark = db.session.scalar(
            db.select(AgreedMark).where(
                AgreedMark.entry_id == scene.entries[worker.id],
                AgreedMark.aspect_id == scene.aspects["B1.2"],
            )
        )
        judge = Actor(db.session.get(User, scene.judges[0].id), "127.0.0.1")
        old, new = float(mark.mark), 0 if float(mark.mark) > 0 else 20
        save_agreed_mark(judge, scene.contest_id, mark.entry_id, mark.aspect_id, new, mark.version)
        db.session.commit()
    after = client.get(url(scene, "results"), query_string={"q": code}).get_data(as_text=True)
    expected = before + (new - old) * 0.7
    assert f"{before:.2f}" in first
    assert f"{expected:.2f}" in after and f"{before:.2f}" not in after


def test_pages_of_a_hundred_rows(app, people, trade_id, monkeypatch):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    monkeypatch.setattr(documents, "PER_PAGE", 2)
    client = signed_in(app, scene.organiser)
    first = client.get(url(scene, "results")).get_data(as_text=True)
    second = client.get(url(scene, "results"), query_string={"page": 2}).get_data(as_text=True)
    far = client.get(url(scene, "results"), query_string={"page": 99})
    assert first.count("<code>") == 2 and second.count("<code>") == 1
    assert "page=2" in first and far.status_code == 200  # past the end: the last page


def test_pages_before_any_mark(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL, marked=False)
    client = signed_in(app, scene.organiser)
    for path in ("results", "results/sheet", "analytics", "results.xlsx", "results/sheet.xlsx"):
        assert client.get(url(scene, path)).status_code == 200, path
    assert "No judgement marks yet." in client.get(url(scene, "analytics")).text
    sheet = client.get(url(scene, "results/sheet")).text
    assert sheet.count("—") >= 4 * 3  # every aspect of the group's three entrants unmarked


def test_odd_queries_never_fail(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    client = signed_in(app, scene.organiser)
    for query in ({"q": "%_\\'\"<>" * 20}, {"group": "x", "page": "-3"}, {"page": "9" * 30}):
        for path in ("results", "results/sheet"):
            page = client.get(url(scene, path), query_string=query)
            assert page.status_code == 200, (path, query)
