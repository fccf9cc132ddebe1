"""The results documents service: who sees what, pages of the ranking, certificates as PDF and
the Excel exports, on contests built by the real services. Runs on SQLite and PostgreSQL."""

import io
import re
from datetime import date

import openpyxl
import pytest

from competitions.contests.models import Contest, Entry, Stage
from competitions.contests.services import documents, documents_pdf, documents_xlsx, results
from competitions.contests.services.documents import Audience
from competitions.contests.services.documents_analytics import judge_analytics
from competitions.contests.services.draw import reveal
from competitions.contests.services.results import judge_deviations, standings
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from tests.contest_scene import build_contest

DAY = date(2026, 5, 1)
ODD_NAMES = ("O'Brien <&> (x) \\ %", "𠀀😀 张\x00三\x1f", '=HYPERLINK("http://x")', "长" * 200)


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    results.clear_cache()
    yield
    results.clear_cache()


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def test_who_sees_the_results_at_each_stage(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL)
    with app.app_context():
        for person in (scene.organiser, scene.chief):
            contest, audience = documents.results_audience(actor(person), scene.contest_id)
            assert audience is Audience.STAFF and contest.id == scene.contest_id
        for person in (scene.judges[0], scene.officer, scene.workers[0]):
            with pytest.raises(DomainError, match="not published") as refused:
                documents.results_audience(actor(person), scene.contest_id)
            assert refused.value.field == "stage"  # forbidden, not hidden
            with pytest.raises(DomainError, match="Only the organisers and the chief judge"):
                documents.staff_contest(actor(person), scene.contest_id)
        with pytest.raises(DomainError) as missing:
            documents.results_audience(actor(scene.workers[0]), scene.contest_id + 1)
        assert missing.value.field == "contest_id"
        contest = db.session.get(Contest, scene.contest_id)
        links = documents.results_links(actor(scene.workers[0]), contest)
        assert not any(links.values())


def test_pages_name_nobody_before_the_reveal(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.LOCKED)
    with app.app_context():
        contest = documents.staff_contest(actor(scene.chief), scene.contest_id)
        page = documents.results_page(contest, Audience.STAFF)
        assert [row.rank for row in page.rows] == [1, 2, 3] and page.entrants == 6
        assert all(row.name == "" and row.enterprise == "" for row in page.rows)
        by_name = documents.results_page(contest, Audience.STAFF, query=scene.workers[0].real_name)
        assert by_name.rows == ()  # a name finds nothing while entrants are codes
        code = db.session.get(Entry, scene.entries[scene.workers[1].id]).code
        found = documents.results_page(contest, Audience.STAFF, query=code.lower())
        assert [row.code for row in found.rows] == [code]
        second = documents.results_page(contest, Audience.STAFF, group_id=page.groups[1].id)
        assert {row.group for row in second.rows} == {page.groups[1].name}
        sheet = documents.results_page(contest, Audience.STAFF, sheet=True)
        assert [head.code for head in sheet.aspects] == ["A1.1", "A1.2", "B1.1", "B1.2"]
        assert all(len(row.marks) == 4 for row in sheet.rows)
        assert sum(mark for row in sheet.rows for mark, _f in row.marks) == pytest.approx(
            sum(row.practical for row in sheet.rows)
        )


def test_certificates_after_the_reveal_one_per_winner(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.LOCKED)
    with app.app_context():
        contest = documents.staff_contest(actor(scene.organiser), scene.contest_id)
        with pytest.raises(DomainError, match="once the entry codes are revealed"):
            documents_pdf.certificates(contest, DAY)
    with app.app_context():
        reveal(actor(scene.officer), scene.contest_id)
        db.session.commit()
        contest = documents.staff_contest(actor(scene.organiser), scene.contest_id)
        made = documents_pdf.certificates(contest, DAY)
        table = standings(scene.contest_id).table
    winners = int(((table["prize"] > 0) | table["title"]).sum())
    assert len(made) == winners == 2  # the top of each group: the title, no prize of 3
    assert {c.title for c in made} == {"技术能手"} and {c.trade for c in made} == {"电工"}
    assert {c.contest for c in made} == {"全省电工职业技能竞赛"} and made[0].day == DAY
    assert {c.group for c in made} == {"甲组", "乙组"}
    pdf = documents_pdf.certificates_pdf(made, "全省电工职业技能竞赛")
    assert pdf.startswith(b"%PDF") and pages(pdf) == winners


def test_certificates_pdf_with_awkward_names():
    made = [
        documents_pdf.Certificate(name, name, name, "电工", "", "First prize", "技术能手", DAY)
        for name in ODD_NAMES
    ]
    pdf = documents_pdf.certificates_pdf(made, "\x00<title>")
    assert pdf.startswith(b"%PDF-") and pages(pdf) == len(ODD_NAMES)
    assert pdf.rstrip().endswith(b"%%EOF")


def test_own_certificate_only_once_published_and_won(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PUBLICITY)
    with app.app_context():
        table = standings(scene.contest_id).table
        entry_of = {entry: worker for worker, entry in scene.entries.items()}
        titled = {entry_of[e] for e in table.index[table["title"].to_numpy()]}
        winner = next(w for w in scene.workers if w.id in titled)
        loser = next(w for w in scene.workers if w.id not in titled)
        own = documents_pdf.own_certificate(scene.contest_id, db.session.get(User, winner.id), DAY)
        assert own.name == winner.real_name and own.title == "技术能手"
        assert own.enterprise.endswith("电力有限公司")
        with pytest.raises(DomainError, match="no prize or title"):
            documents_pdf.own_certificate(scene.contest_id, db.session.get(User, loser.id), DAY)
        contest = db.session.get(Contest, scene.contest_id)
        links = documents.results_links(actor(loser), contest)
    assert links["results"] and links["own"] and not links["sheet"] and not links["analytics"]


def test_excel_text_is_never_a_formula():
    book = documents_xlsx._Book()
    sheet = book.sheet("成绩", ["姓名", "总分", "称号"])
    for column, value in enumerate((ODD_NAMES[2], 95.5, True)):
        book.cell(sheet, 1, column, value)
    cells = next(openpyxl.load_workbook(io.BytesIO(book.close()))["成绩"].iter_rows(min_row=2))
    assert [cell.value for cell in cells] == [ODD_NAMES[2], 95.5, "是"]
    assert cells[0].data_type == "s"  # a string, never a formula


def test_excel_files_of_a_revealed_contest(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    with app.app_context():
        contest = documents.staff_contest(actor(scene.organiser), scene.contest_id)
        content = documents_xlsx.results_xlsx(contest)
        sheet = documents_xlsx.sheet_xlsx(contest)
        name = documents_xlsx.export_filename(contest, "成绩")
    rows = list(openpyxl.load_workbook(io.BytesIO(content))["成绩"].values)
    assert len(rows) == 7 and {row[3] for row in rows[1:]} == {w.real_name for w in scene.workers}
    marks = list(openpyxl.load_workbook(io.BytesIO(sheet))["成绩单"].values)
    assert marks[0][-4:] == ("实操", "理论", "总分", "名次") and len(marks) == 7
    assert name == f"成绩-全省电工职业技能竞赛-contest-{scene.contest_id}.xlsx"


def test_judge_analytics_matches_the_deviations(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL)
    with app.app_context():
        contest = documents.staff_contest(actor(scene.chief), scene.contest_id)
        report = judge_analytics(contest)
        figures = judge_deviations(scene.contest_id)
    assert {row.judge_id for row in report.judges} == set(figures.index)
    for row in report.judges:
        assert row.deviation == pytest.approx(figures.loc[row.judge_id, "deviation"])
        assert row.marks == figures.loc[row.judge_id, "marks"]
        expected = "lenient" if row.deviation > 0.1 else "severe" if row.deviation < -0.1 else None
        assert row.leaning == (expected or "balanced")
    assert sum(pairs for _spread, pairs in report.spreads) == 6 * 2  # entrants × judged aspects
    assert report.flagged_total == 0 and report.spread_limit == 1.0


def test_prize_labels(app):
    with app.test_request_context():
        assert [documents.prize_label(n) for n in (0, 1, 2, 3, 4)] == [
            "", "First prize", "Second prize", "Third prize", "Prize 4",
        ]  # fmt: skip
    assert documents_xlsx.prize_name(2) == "二等奖" and documents_xlsx.prize_name(0) == ""


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisers_and_admins_see_drafts(app, people, trade_id, role):
    scene = build_contest(app, people, trade_id, until=Stage.DRAFT)
    boss = people.make(role, real_name="管理")
    with app.app_context():
        assert documents.visible_contest(actor(boss), scene.contest_id).stage is Stage.DRAFT
        with pytest.raises(DomainError):
            documents.visible_contest(actor(scene.workers[0]), scene.contest_id)
