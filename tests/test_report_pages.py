"""Report and evaluation pages: what visitors and organisers see, .xlsx read back, rights,
bad input."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from guild.accounts.roles import Role
from guild.extensions import db
from studios.activity_models import EvaluationResult, EvaluationYear
from studios.services.evaluation import INDICATORS
from tests.conftest import login
from tests.report_scene import build_activity
from tests.studio_scene import build_studios

H1 = "start=2026-01-01&end=2026-06-30"


@pytest.fixture
def built(make_app, people):
    app = make_app(BABEL_DEFAULT_LOCALE="en")
    people.app = app
    scene = build_studios(app, people)
    activity = build_activity(app, scene)
    organiser = people.make(Role.ORGANISER, real_name="组织者")
    return app, scene, activity, organiser


def test_studio_report_is_public_with_the_sentence_and_tables(built):
    app, _scene, activity, _organiser = built
    page = app.test_client().get(f"/studios/{activity.studio_a}/report?{H1}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 patents, 2 results, 0 courseware, 0 claims, 2 events" in html
    assert "专利1号" in html and "专利2号" in html and "专利3号" not in html
    assert "12,600.50" in html
    assert "challenge board" in html
    assert "data-chart=" in html and "style=" not in html


def test_alliance_report_has_a_row_per_studio(built):
    app, scene, _activity, _organiser = built
    html = (
        app.test_client()
        .get(f"/studios/alliances/{scene.city_id}/report?{H1}")
        .get_data(as_text=True)
    )
    assert "3 patents, 3 results, 0 courseware, 0 claims, 3 events" in html
    assert "王强电力创新工作室" in html and "陈红焊接技能工作室" in html
    assert "刘洋数控工作室" not in html  # pending
    assert "held by the alliance itself" in html


def test_presets_and_default_period(built):
    app, _scene, activity, _organiser = built
    client = app.test_client()
    year = client.get(f"/studios/{activity.studio_a}/report").get_data(as_text=True)
    assert "2 courseware" in year  # this year so far: the two items uploaded now
    last = client.get(f"/studios/{activity.studio_a}/report?preset=last_year").get_data(
        as_text=True
    )
    assert "1 patent, 1 result, 1 courseware, 0 claims, 0 events" in last


def test_studio_xlsx_reads_back(built):
    app, _scene, activity, _organiser = built
    response = app.test_client().get(f"/studios/{activity.studio_a}/report.xlsx?{H1}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f"attachment; filename=activity-studio-{activity.studio_a}-2026-01-01-2026-06-30.xlsx"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况", "专利", "成果", "课件", "活动"]
    summary = list(book["概况"].iter_rows(values_only=True))
    assert summary[0][:3] == ("工作室", "专利", "发明专利")
    assert summary[1][:7] == ("王强电力创新工作室", 2, 1, 1, 0, 2, 12600.5)
    assert summary[2][:7] == ("合计", 2, 1, 1, 0, 2, 12600.5)
    assert summary[2][11] == 2
    patents = list(book["专利"].iter_rows(values_only=True))
    assert [row[1] for row in patents[1:]] == ["专利2号", "专利1号"]
    assert patents[1][3] == "实用新型"


def test_alliance_xlsx_has_each_studio_and_the_total(built):
    app, scene, _activity, _organiser = built
    response = app.test_client().get(f"/studios/alliances/{scene.city_id}/report.xlsx?{H1}")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book["概况"].iter_rows(values_only=True))
    names = [row[0] for row in rows[1:4]]
    assert set(names[:2]) == {"王强电力创新工作室", "陈红焊接技能工作室"} and names[2] == "合计"
    assert (rows[3][1], rows[3][11]) == (3, 3)
    events = list(book["活动"].iter_rows(values_only=True))
    assert len(events) == 4  # header + 2 studio events + the alliance's


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-05-01&end=2026-04-01", "comes before its start"),
        ("start=2010-01-01&end=2026-01-01", "at most ten years"),
        ("start=2026-13-01", "YYYY-MM-DD"),
        ("start=%3Cscript%3E", "YYYY-MM-DD"),
        ("preset=forever", "Choose a period"),
    ],
)
def test_bad_periods_answer_400_with_a_message(built, query, message):
    app, scene, activity, _organiser = built
    client = app.test_client()
    for path in (
        f"/studios/{activity.studio_a}/report",
        f"/studios/alliances/{scene.city_id}/report",
    ):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 400 and message in page.get_data(as_text=True)
        assert "<script>" not in page.get_data(as_text=True)
        assert client.get(f"{path}.xlsx?{query}").status_code == 400


def test_missing_or_pending_studios_are_not_found(built):
    app, scene, _activity, _organiser = built
    client = app.test_client()
    for path in (
        f"/studios/{scene.pending_id}/report",
        "/studios/99999/report",
        "/studios/99999999999999999999/report",
        "/studios/alliances/99999/report.xlsx",
    ):
        assert client.get(path).status_code == 404


def test_only_organisers_open_and_change_the_evaluation(built):
    app, scene, _activity, _organiser = built
    client = app.test_client()
    assert client.get("/studios/evaluation/2026").status_code == 302  # to sign in
    login(client, scene.city_admin)
    assert client.get("/studios/evaluation/2026").status_code == 403
    weights = {name: "1" for name in INDICATORS}
    assert client.post("/studios/evaluation/2026/weights", data=weights).status_code == 403
    assert client.post("/studios/evaluation/2026/name", data={"top": "1"}).status_code == 403
    with app.app_context():
        assert db.session.get(EvaluationYear, 2026) is None
    assert client.get("/studios/evaluation/history").status_code == 200


def test_organiser_sets_weights_sees_the_ranking_and_names(built):
    app, scene, activity, organiser = built
    client = app.test_client()
    login(client, organiser)
    assert "Evaluation 2026" in client.get("/studios/evaluation").get_data(as_text=True)
    page = client.get(f"/studios/evaluation/2026?alliance={scene.city_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "王强电力创新工作室" in html and "data-chart=" in html
    weights = dict.fromkeys(INDICATORS, "0") | {"achievements": "2.5"}
    response = client.post("/studios/evaluation/2026/weights", data=weights)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(EvaluationYear, 2026).weights["achievements"] == 2.5
    picks = {"top": "0", "pick": [f"{scene.city_id}-{activity.studio_b}"]}
    assert client.post("/studios/evaluation/2026/name", data=picks).status_code == 302
    with app.app_context():
        named = db.session.scalars(
            select(EvaluationResult.studio_id).where(EvaluationResult.demonstration.is_(True))
        ).all()
        assert named == [activity.studio_b]
    closed = client.get("/studios/evaluation/2026").get_data(as_text=True)
    assert "this year is closed" in closed
    again = client.post("/studios/evaluation/2026/weights", data=weights)
    assert again.status_code == 400 and "closed" in again.get_data(as_text=True)
    rename = client.post("/studios/evaluation/2026/name", data={"top": "2"})
    assert rename.status_code == 400 and "closed" in rename.get_data(as_text=True)
    history = app.test_client().get("/studios/evaluation/history").get_data(as_text=True)
    assert "2026" in history and "陈红焊接技能工作室" in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"invention_patents": "-1"}, "from 0 to 100"),
        ({"invention_patents": "abc"}, "from 0 to 100"),
        ({"invention_patents": "nan"}, "from 0 to 100"),
        ({"invention_patents": "1e400"}, "from 0 to 100"),
        ({}, "above 0"),
    ],
)
def test_bad_weights_answer_400(built, data, message):
    app, _scene, _activity, organiser = built
    client = app.test_client()
    login(client, organiser)
    form = dict.fromkeys(INDICATORS, "0") | data
    response = client.post("/studios/evaluation/2026/weights", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EvaluationYear, 2026) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"top": "-1"}, "from 0 to 1,000"),
        ({"top": "x"}, "from 0 to 1,000"),
        ({"top": "0"}, "at least one"),
        ({"top": "0", "pick": "1-x"}, "Pick only"),
        ({"top": "0", "pick": "999-1"}, "Pick only"),
    ],
)
def test_bad_naming_answers_400(built, data, message):
    app, _scene, _activity, organiser = built
    client = app.test_client()
    login(client, organiser)
    response = client.post("/studios/evaluation/2026/name", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(EvaluationResult.year)) is None


def test_years_out_of_range_are_not_found(built):
    app, _scene, _activity, organiser = built
    client = app.test_client()
    login(client, organiser)
    for path in (
        "/studios/evaluation/1999",
        "/studios/evaluation/2100",
        "/studios/evaluation/99999999999",
    ):
        assert client.get(path).status_code == 404
    assert client.post("/studios/evaluation/2100/name", data={"top": "1"}).status_code == 404


def test_honours_template_global(built):
    app, scene, activity, organiser = built
    client = app.test_client()
    login(client, organiser)
    client.post("/studios/evaluation/2026/name", data={"top": "1"})
    with app.test_request_context():
        honours = app.jinja_env.globals["studio_honours_by_year"](activity.studio_a)
        assert list(honours) == [2026]
        assert {n.alliance_id for n in honours[2026]} == {scene.city_id, scene.provincial_id}
    page = app.test_client().get(f"/studios/{activity.studio_a}").get_data(as_text=True)
    assert "2026 demonstration studio" in page  # the studio page shows the title, publicly


def test_script_in_names_is_shown_escaped(built):
    app, scene, activity, _organiser = built
    with app.app_context():
        from studios.models import Studio

        db.session.get(Studio, activity.studio_a).name = "<script>alert(1)</script>"
        db.session.commit()
    html = (
        app.test_client()
        .get(f"/studios/alliances/{scene.city_id}/report?{H1}")
        .get_data(as_text=True)
    )
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
