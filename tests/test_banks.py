"""Question banks: authoring through the pages, versions, retiring, filters and counts."""

import io

import pytest

from competitions.questions.models import Question, QuestionVersion
from competitions.questions.types import QuestionStatus
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.extensions import db
from tests.conftest import login

SINGLE = {
    "type": "single",
    "stem": "低压验电笔的适用电压范围是？",
    "option_a": "60～500V",
    "option_b": "1000V以上",
    "option_c": "36V以下",
    "answer_letters": ["A"],
    "explanation": "低压验电笔用于60～500V。",
    "difficulty": "2",
    "chapter": "安全用具",
    "levels": ["L5", "L4"],
    "tags": "验电, 安全",
}


@pytest.fixture
def trade_id(app, runner):
    """The electrician trade from the seed catalogue."""
    from guild.trades.models import Trade

    with app.app_context():
        from guild.audit.services import Actor
        from guild.trades.levels import SkillLevel
        from guild.trades.services.catalogue import TradeFields, save_trade

        trade = save_trade(
            Actor(None), None, TradeFields("电工", "电力能源", tuple(SkillLevel), "6-31-01-03")
        )
        db.session.commit()
        return db.session.get(Trade, trade.id).id


@pytest.fixture
def organiser(client, people):
    person = people.make(Role.ORGANISER, real_name="陈秀英")
    login(client, person)
    return person


def _versions(app) -> list[QuestionVersion]:
    with app.app_context():
        return list(db.session.scalars(db.select(QuestionVersion).order_by(QuestionVersion.id)))


def test_create_each_type(app, client, organiser, trade_id):
    """An organiser writes one question of each type; each is stored as typed."""
    forms = [
        SINGLE,
        {
            **SINGLE,
            "type": "multiple",
            "stem": "属于绝缘安全用具的有？",
            "answer_letters": ["A", "C"],
        },
        {
            "type": "true_false",
            "stem": "停电作业前必须验电。",
            "answer_truth": "true",
            "difficulty": "1",
        },
        {
            "type": "fill_blank",
            "stem": "我国工频交流电的频率是____Hz。",
            "answer_text": "50\n五十",
            "difficulty": "1",
        },
    ]
    for form in forms:
        response = client.post(f"/skills/banks/{trade_id}/new", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    versions = _versions(app)
    assert [v.type.value for v in versions] == ["single", "multiple", "true_false", "fill_blank"]
    assert versions[0].options == ["60～500V", "1000V以上", "36V以下"]
    assert versions[0].level_codes == ["L5", "L4"] and versions[0].tags == ["验电", "安全"]
    assert versions[1].answer == ["A", "C"]
    assert versions[2].options == [] and versions[2].answer == ["true"]
    assert versions[3].answer == ["50", "五十"]


@pytest.mark.parametrize(
    "change",
    [
        {"answer_letters": ["A", "B"]},
        {"answer_letters": ["E"]},
        {"option_b": "", "option_c": ""},
        {"stem": ""},
        {"difficulty": "9"},
        {"type": "bogus"},
    ],
)
def test_bad_questions_are_refused(app, client, organiser, trade_id, change):
    """Two answers to a single choice, a letter with no option, one option, no stem: no row."""
    response = client.post(f"/skills/banks/{trade_id}/new", data={**SINGLE, **change})
    assert response.status_code == 200
    assert _versions(app) == []


def test_editing_keeps_the_old_version(app, client, organiser, trade_id):
    """An edit makes version 2 current and keeps version 1 as it was."""
    client.post(f"/skills/banks/{trade_id}/new", data=SINGLE)
    [first] = _versions(app)
    edited = {**SINGLE, "stem": "低压验电笔的检测电压范围一般为？"}
    assert (
        client.post(f"/skills/banks/questions/{first.question_id}/edit", data=edited).status_code
        == 302
    )
    old, new = _versions(app)
    assert (old.number, old.is_current, old.stem) == (1, False, SINGLE["stem"])
    assert (new.number, new.is_current, new.stem) == (2, True, edited["stem"])
    client.post(f"/skills/banks/questions/{first.question_id}/edit", data=edited)
    assert len(_versions(app)) == 2  # saving unchanged content makes no new version
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions.count("question.edit") == 1


def test_preview_shows_the_question_and_its_answer(client, organiser, trade_id):
    """The preview shows the stem and options as a worker sees them, then the answer."""
    client.post(f"/skills/banks/{trade_id}/new", data={**SINGLE, "stem": "<b>粗体</b>？"})
    bank = client.get(f"/skills/banks/{trade_id}/").get_data(as_text=True)
    assert "&lt;b&gt;粗体&lt;/b&gt;" in bank and "<b>粗体</b>" not in bank
    link = bank.split('href="/skills/banks/questions/')[1].split('"')[0]
    html = client.get(f"/skills/banks/questions/{link}").get_data(as_text=True)
    assert "60～500V" in html and "&lt;b&gt;粗体" in html and "低压验电笔用于" in html


def test_retire_and_restore_in_bulk(app, client, organiser, trade_id):
    """Ticked questions are retired together and restored; others are untouched."""
    for n in range(3):
        client.post(f"/skills/banks/{trade_id}/new", data={**SINGLE, "stem": f"第{n}题？"})
    with app.app_context():
        ids = db.session.scalars(db.select(Question.id).order_by(Question.id)).all()
    client.post(
        f"/skills/banks/{trade_id}/status",
        data={"status": "retired", "ids": [str(i) for i in ids[:2]] + ["abc", "999999999999"]},
    )
    with app.app_context():
        statuses = db.session.scalars(db.select(Question.status).order_by(Question.id)).all()
    assert statuses == [QuestionStatus.RETIRED, QuestionStatus.RETIRED, QuestionStatus.ACTIVE]
    client.post(f"/skills/banks/{trade_id}/status", data={"status": "active", "ids": [str(ids[0])]})
    with app.app_context():
        assert db.session.get(Question, ids[0]).status == QuestionStatus.ACTIVE
    assert (
        client.post(f"/skills/banks/{trade_id}/status", data={"status": "gone"}).status_code == 400
    )


def test_filters_search_and_counts(client, organiser, trade_id):
    """Type, chapter, difficulty, level and Chinese text filters narrow the list; counts add up."""
    client.post(f"/skills/banks/{trade_id}/new", data=SINGLE)
    client.post(
        f"/skills/banks/{trade_id}/new",
        data={
            "type": "true_false",
            "stem": "接地线应先接接地端。",
            "answer_truth": "true",
            "difficulty": "4",
            "chapter": "接地",
            "levels": ["L3"],
        },
    )
    url = f"/skills/banks/{trade_id}/"

    def shows(query: str) -> tuple[bool, bool]:
        html = client.get(url + query).get_data(as_text=True)
        return "低压验电笔" in html, "接地线应先接" in html

    assert shows("") == (True, True)
    assert shows("?type=true_false") == (False, True)
    assert shows("?chapter=安全用具") == (True, False)
    assert shows("?difficulty=4") == (False, True)
    assert shows("?level=L4") == (True, False)
    assert shows("?q=接地") == (False, True)
    assert shows("?q=%25&type=nope&difficulty=99&level=L9&status=zz") == (False, False)
    client.set_cookie("guild_lang", "en")
    html = client.get(url).get_data(as_text=True)
    assert "Single choice 1" in html and "True or false 1" in html


def test_workers_cannot_reach_banks(client, people, trade_id):
    """Banks hold answer keys: workers get 403 on every bank page."""
    login(client, people.make())
    for path in (
        "/skills/banks/",
        f"/skills/banks/{trade_id}/",
        f"/skills/banks/{trade_id}/export",
    ):
        assert client.get(path).status_code == 403


def _upload(client, trade_id: int, content: bytes, filename: str):
    return client.post(
        f"/skills/banks/{trade_id}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Question.id)))


def test_web_import_previews_then_imports_everything(app, client, organiser, trade_id):
    """Upload shows the rows and warnings; nothing is written until confirmed."""
    client.post(f"/skills/banks/{trade_id}/new", data=SINGLE)
    template = client.get("/skills/banks/template.xlsx")
    assert template.status_code == 200
    assert "attachment" in template.headers["Content-Disposition"]
    preview = _upload(client, trade_id, template.data, "题库导入模板.xlsx")
    assert preview.status_code == 200
    assert _count(app) == 1  # only the question written by hand
    page = preview.get_data(as_text=True)
    assert f"/skills/banks/{trade_id}/import/confirm" in page
    confirmed = client.post(
        f"/skills/banks/{trade_id}/import/confirm", data={"skip_duplicates": "y"}
    )
    assert confirmed.status_code == 302
    assert _count(app) == 5  # the template's four examples
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "questions.import" in actions


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"", "empty.csv"),
        ("题型,题干,答案\n单选,两个答案？,AB\n".encode(), "two.csv"),
        (b"MZ\x90\x00 not a spreadsheet", "virus.xlsx"),
        (
            b"<?xml version='1.0'?><!DOCTYPE q [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><quiz>&x;</quiz>",
            "x.xml",
        ),
        ("::t:: 未闭合 {=a ~b\n".encode(), "bad.gift"),
        (b"whatever", "notes.docx"),
    ],
)
def test_bad_files_import_nothing(app, client, organiser, trade_id, content, filename):
    """Each bad file shows its errors on the preview and cannot be confirmed."""
    response = _upload(client, trade_id, content, filename)
    assert response.status_code == 200
    assert "alert-danger" in response.get_data(as_text=True)
    assert "root:" not in response.get_data(as_text=True)
    confirmed = client.post(f"/skills/banks/{trade_id}/import/confirm", data={})
    assert confirmed.status_code == 302
    assert _count(app) == 0


def test_export_reimports_to_the_same_questions(app, client, organiser, trade_id, people):
    """Each export format, imported into another trade's bank, gives back the same questions."""
    from competitions.questions.services.bank import BankFilter
    from competitions.questions.services.exporting import bank_questions
    from guild.trades.models import Trade

    client.post(f"/skills/banks/{trade_id}/new", data=SINGLE)
    client.post(
        f"/skills/banks/{trade_id}/new",
        data={
            "type": "fill_blank",
            "stem": "频率____Hz。",
            "answer_text": "50\n五十",
            "difficulty": "1",
            "chapter": "基础",
            "tags": "频率",
        },
    )
    for kind, suffix in (("xlsx", "xlsx"), ("csv", "csv"), ("moodle-xml", "xml")):
        exported = client.get(f"/skills/banks/{trade_id}/export?format={kind}")
        assert exported.status_code == 200
        other = client.post(
            "/trades/new", data={"name": f"焊工{kind}", "category": "机械制造", "levels": ["L5"]}
        )
        assert other.status_code == 302
        with app.app_context():
            other_id = db.session.scalar(db.select(Trade.id).where(Trade.name == f"焊工{kind}"))
        _upload(client, other_id, exported.data, f"bank.{suffix}")
        client.post(f"/skills/banks/{other_id}/import/confirm", data={})
        with app.app_context():
            original = bank_questions(db.session.get(Trade, trade_id), BankFilter())
            copied = bank_questions(db.session.get(Trade, other_id), BankFilter())
        if kind == "moodle-xml":  # Moodle has no difficulty or skill levels
            for question in original + copied:
                question.difficulty, question.levels = 3, []
        assert copied == original, kind
    assert client.get(f"/skills/banks/{trade_id}/export?format=pdf").status_code == 400


def test_cli_import_and_export(app, runner, trade_id, tmp_path):
    """`questions import` and `questions export` use the same services, by trade code."""
    from competitions.questions.interchange.tabular import template_xlsx

    source = tmp_path / "bank.xlsx"
    source.write_bytes(template_xlsx())
    result = runner.invoke(args=["questions", "import", "--trade", "6-31-01-03", str(source)])
    assert result.exit_code == 0, result.output
    assert _count(app) == 4
    target = tmp_path / "out.xml"
    result = runner.invoke(
        args=["questions", "export", "--trade", "电工", "--format", "moodle-xml", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"<?xml")
    bad = tmp_path / "bad.csv"
    bad.write_bytes("题型,题干,答案\n判断,有选项的判断题,正确\n单选,越界？,Z\n".encode())
    result = runner.invoke(args=["questions", "import", "--trade", "6-31-01-03", str(bad)])
    assert result.exit_code != 0 and "3" in result.output
    assert _count(app) == 4


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def test_a_stem_picture_is_checked_kept_and_served(app, client, organiser, trade_id, people):
    """A PNG is stored and shown; an .exe named .png is refused; the picture survives edits."""
    bad = {**SINGLE, "image": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "photo.png")}
    response = client.post(
        f"/skills/banks/{trade_id}/new", data=bad, content_type="multipart/form-data"
    )
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    assert _versions(app) == []
    good = {**SINGLE, "image": (io.BytesIO(PNG), "../../etc/photo.png")}
    client.post(f"/skills/banks/{trade_id}/new", data=good, content_type="multipart/form-data")
    [version] = _versions(app)
    assert (
        version.image_key and ".." not in version.image_key and version.image_key.endswith(".png")
    )
    picture = client.get(f"/skills/banks/images/{version.image_key}")
    assert picture.status_code == 200 and picture.data == PNG
    assert (
        picture.mimetype == "image/png" and "sandbox" in picture.headers["Content-Security-Policy"]
    )
    edited = {**SINGLE, "stem": "改过的题干？"}
    client.post(
        f"/skills/banks/questions/{version.question_id}/edit",
        data=edited,
        content_type="multipart/form-data",
    )
    assert _versions(app)[-1].image_key == version.image_key
    removed = {**edited, "remove_image": "y"}
    client.post(
        f"/skills/banks/questions/{version.question_id}/edit",
        data=removed,
        content_type="multipart/form-data",
    )
    assert _versions(app)[-1].image_key is None
    assert client.get("/skills/banks/images/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/skills/banks/images/nonexistentkey0000000000.png").status_code == 404
    login(client, people.make(real_name="李四"))  # workers see stem pictures in training
    assert client.get(f"/skills/banks/images/{version.image_key}").status_code == 200
