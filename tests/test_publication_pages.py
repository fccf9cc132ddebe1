"""The publication pages: patents, achievements, photos and search, as visitors, members and
outsiders see them; rights, escaping, forged ids, bad input."""

import io
import re

import pytest
from sqlalchemy import func, select

from guild.extensions import db
from studios.publication_models import Achievement, AchievementPhoto, Patent, PatentStatusChange
from tests.conftest import login
from tests.studio_scene import build_studios

SCRIPT = "<script>alert('x')</script>"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 300


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


def patent_form(**changes) -> dict:
    data = {
        "patent_type": "invention",
        "application_number": "ZL 2023 1 0123456.6",
        "title": "一种电力电缆焊接装置",
        "filed_on": "2023-03-01",
        "granted_on": "",
        "other_inventors": "外部专家 刘工\n张三",
        "abstract": "本发明涉及焊接技术领域。",
        "challenge_id": "",
    }
    data.update(changes)
    return data


def achievement_form(**changes) -> dict:
    data = {
        "title": "变电站巡检机器人",
        "category": "technical_innovation",
        "achieved_on": "2024-03-01",
        "benefit_yuan": "1,200,000.50",
        "summary_markdown": "**巡检效率**提升 3 倍",
        "awards": "省职工技术创新成果一等奖",
        "challenge_id": "",
    }
    data.update(changes)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_member_publishes_a_patent_and_a_visitor_finds_it(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.members[0])
    assert client.get(f"/studios/{sid}/patents/new").status_code == 200
    data = patent_form(member_ids=[str(scene.leaders[0].id)])
    response = client.post(f"/studios/{sid}/patents/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        patent = db.session.scalars(select(Patent)).one()
        assert patent.application_number == "202310123456.6"
        assert [i["name"] for i in patent.inventors] == ["王强", "外部专家 刘工", "张三"]
        pid = patent.id
    client.post("/account/logout")
    visitor = app.test_client()
    page = visitor.get(f"/studios/{sid}/patents/{pid}").get_data(as_text=True)
    assert "202310123456.6" in page and "王强、外部专家 刘工、张三" in page
    assert "Under examination" in page
    assert "Record a change of status" not in page
    listing = visitor.get(f"/studios/{sid}/patents").get_data(as_text=True)
    assert "一种电力电缆焊接装置" in listing and "Add a patent" not in listing
    found = visitor.get("/studios/search?q=焊接装置").get_data(as_text=True)
    assert f"/studios/{sid}/patents/{pid}" in found
    found = visitor.get("/studios/search?q=CN2023&kind=patent").get_data(as_text=True)
    assert "一种电力电缆焊接装置" in found


def test_a_wrong_check_character_is_explained_and_nothing_stored(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.leaders[0])
    response = client.post(
        f"/studios/{sid}/patents/new", data=patent_form(application_number="202310123456.5")
    )
    assert response.status_code == 400
    assert "check character" in response.get_data(as_text=True)
    response = client.post(
        f"/studios/{sid}/patents/new",
        data=patent_form(patent_type="design", application_number="202310123456.6"),
    )
    assert response.status_code == 400 and "Invention" in response.get_data(as_text=True)
    with app.app_context():
        assert count(Patent) == 0


def test_duplicate_number_refused_on_the_page(app, client, scene):
    login(client, scene.leaders[0])
    assert (
        client.post(f"/studios/{scene.studio_ids[0]}/patents/new", data=patent_form()).status_code
        == 302
    )
    client.post("/account/logout")
    login(client, scene.leaders[1])
    response = client.post(
        f"/studios/{scene.studio_ids[1]}/patents/new",
        data=patent_form(application_number="CN202310123456.6"),
    )
    assert response.status_code == 400 and "already registered" in response.get_data(as_text=True)
    with app.app_context():
        assert count(Patent) == 1


def test_status_change_on_the_page(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.leaders[0])
    client.post(f"/studios/{sid}/patents/new", data=patent_form())
    with app.app_context():
        pid = db.session.scalar(select(Patent.id))
    url = f"/studios/{sid}/patents/{pid}/status"
    bad = client.post(url, data={"status": "in_force", "changed_on": "2020-01-01", "note": ""})
    assert bad.status_code == 400 and "filing date" in bad.get_data(as_text=True)
    scripted = {"status": "in_force", "changed_on": "2024-02-02", "note": SCRIPT}
    assert client.post(url, data=scripted).status_code == 400
    good = client.post(url, data=scripted | {"note": "授权公告"})
    assert good.status_code == 302
    page = client.get(f"/studios/{sid}/patents/{pid}").get_data(as_text=True)
    assert "In force" in page and "授权公告" in page
    history = page[page.index('id="patent-history"') :]
    steps = [history.index(text) for text in ("Under examination", "In force", "授权公告")]
    assert steps == sorted(steps)
    client.post("/account/logout")
    login(client, scene.outsider)
    assert (
        client.post(url, data={"status": "lapsed", "changed_on": "2025-01-01"}).status_code == 403
    )
    with app.app_context():
        assert count(PatentStatusChange) == 2


def test_script_in_every_text_field_is_refused_and_nothing_stored(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.leaders[0])
    for name in ("title", "other_inventors", "abstract"):
        response = client.post(f"/studios/{sid}/patents/new", data=patent_form(**{name: SCRIPT}))
        assert response.status_code == 400 and "Do not use" in response.text, name
    for name in ("title", "summary_markdown", "awards"):
        data = achievement_form(**{name: SCRIPT})
        response = client.post(f"/studios/{sid}/achievements/new", data=data)
        assert response.status_code == 400 and "Do not use" in response.text, name
    with app.app_context():
        assert count(Patent) == 0 and count(Achievement) == 0
    for url in ("/studios/search?q=alert", f"/studios/search?q={SCRIPT}"):
        page = client.get(url).get_data(as_text=True)  # a search only reads: shown escaped
        assert page and "<script>alert" not in page, url


def test_achievement_pages_and_photos(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.members[0])
    response = client.post(f"/studios/{sid}/achievements/new", data=achievement_form())
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalars(select(Achievement)).one()
        aid = item.id
        assert item.benefit_fen == 120000050
    page = client.get(f"/studios/{sid}/achievements/{aid}").get_data(as_text=True)
    assert "¥1,200,000.50" in page and "<strong>巡检效率</strong>" in page
    upload = {"photo": (io.BytesIO(JPEG), "photo.png")}
    response = client.post(f"/studios/{sid}/achievements/{aid}/photos", data=upload)
    assert response.status_code == 302
    fake = {"photo": (io.BytesIO(b"<html><script>alert(1)</script>"), "photo.jpg")}
    response = client.post(f"/studios/{sid}/achievements/{aid}/photos", data=fake)
    assert response.status_code == 400 and "JPEG, PNG or WebP" in response.get_data(as_text=True)
    with app.app_context():
        photo_id = db.session.scalars(select(AchievementPhoto.id)).one()
    served = app.test_client().get(f"/studios/{sid}/achievements/{aid}/photos/{photo_id}")
    assert served.status_code == 200 and served.data == JPEG
    assert served.mimetype == "image/jpeg"  # by the bytes, not the name
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/studios/{sid}/achievements/{aid}/photos/{photo_id + 1}").status_code == 404
    other = scene.studio_ids[1]
    assert client.get(f"/studios/{other}/achievements/{aid}/photos/{photo_id}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("benefit_yuan", "-3", "negative"),
        ("benefit_yuan", "1.234", "two decimals"),
        ("benefit_yuan", "99999999999999", "too large"),
        ("category", "hacked", "Not a valid choice"),
        ("achieved_on", "2999-01-01", "future"),
        ("achieved_on", "yesterday", "required"),
        ("title", "", "required"),
    ],
)
def test_bad_achievement_input_gives_400_and_stores_nothing(
    app, client, scene, field, value, message
):
    login(client, scene.leaders[0])
    response = client.post(
        f"/studios/{scene.studio_ids[0]}/achievements/new", data=achievement_form(**{field: value})
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert count(Achievement) == 0


def test_outsiders_are_refused_and_nothing_is_stored(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.leaders[0])
    client.post(f"/studios/{sid}/patents/new", data=patent_form())
    client.post(f"/studios/{sid}/achievements/new", data=achievement_form())
    with app.app_context():
        pid, aid = db.session.scalar(select(Patent.id)), db.session.scalar(select(Achievement.id))
    client.post("/account/logout")
    for person in (scene.outsider, scene.leaders[1], scene.city_admin):
        login(client, person)
        for method, url, data in (
            ("get", f"/studios/{sid}/patents/new", None),
            ("post", f"/studios/{sid}/patents/new", patent_form(application_number="98123456.9")),
            ("get", f"/studios/{sid}/patents/{pid}/edit", None),
            ("post", f"/studios/{sid}/patents/{pid}/edit", patent_form(title="改")),
            ("post", f"/studios/{sid}/patents/{pid}/delete", {}),
            ("get", f"/studios/{sid}/achievements/new", None),
            ("post", f"/studios/{sid}/achievements/new", achievement_form()),
            ("post", f"/studios/{sid}/achievements/{aid}/edit", achievement_form(title="改")),
            ("post", f"/studios/{sid}/achievements/{aid}/delete", {}),
            (
                "post",
                f"/studios/{sid}/achievements/{aid}/photos",
                {"photo": (io.BytesIO(JPEG), "a.jpg")},
            ),
        ):
            response = getattr(client, method)(url, data=data)
            assert response.status_code == 403, (person.real_name, url)
        client.post("/account/logout")
    anonymous = app.test_client().post(f"/studios/{sid}/patents/new", data=patent_form())
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    with app.app_context():
        assert count(Patent) == 1 and count(Achievement) == 1 and count(AchievementPhoto) == 0
        assert db.session.get(Patent, pid).title == "一种电力电缆焊接装置"


def test_forged_and_foreign_ids_are_404(app, client, scene):
    sid, other = scene.studio_ids
    login(client, scene.leaders[0])
    client.post(f"/studios/{sid}/patents/new", data=patent_form())
    client.post(f"/studios/{sid}/achievements/new", data=achievement_form())
    with app.app_context():
        pid, aid = db.session.scalar(select(Patent.id)), db.session.scalar(select(Achievement.id))
    big = 2**31
    for url in (
        f"/studios/{big}/patents",
        f"/studios/{sid}/patents/{big}",
        f"/studios/{sid}/patents/{pid + 1}",
        f"/studios/{other}/patents/{pid}",  # another studio's path
        f"/studios/{scene.pending_id}/patents",  # a studio not approved
        f"/studios/{sid}/achievements/{aid + 99}",
        f"/studios/{other}/achievements/{aid}",
        f"/studios/{sid}/achievements/{aid}/photos/{big * 100}",
        f"/studios/{sid}/patents/{pid + 1}/edit",
        "/studios/99999999999999999999/achievements",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/studios/{sid}/patents/{pid + 1}/status",
        f"/studios/{sid}/patents/{pid + 1}/delete",
        f"/studios/{sid}/achievements/{aid + 1}/delete",
        f"/studios/{sid}/achievements/{aid + 1}/photos",
    ):
        response = client.post(url, data={"status": "lapsed", "changed_on": "2025-01-01"})
        assert response.status_code == 404, url


def test_search_page(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.leaders[0])
    for number in ("202310123456.6", "202220123457.1", "98123456.9"):
        kind = {"1": "invention", "2": "utility_model"}[number[4] if len(number) > 10 else "1"]
        data = patent_form(application_number=number, patent_type=kind, title=f"焊接夹具{number}")
        assert client.post(f"/studios/{sid}/patents/new", data=data).status_code == 302
    client.post(f"/studios/{sid}/achievements/new", data=achievement_form(title="焊接机器人"))
    visitor = app.test_client()
    page = visitor.get("/studios/search?q=焊接").get_data(as_text=True)
    assert len(re.findall(r'href="/studios/\d+/(?:patents|achievements)/\d+"', page)) == 4
    page = visitor.get("/studios/search?q=焊接&kind=achievement").get_data(as_text=True)
    assert "焊接机器人" in page and "焊接夹具" not in page
    assert "Nothing matches" in visitor.get("/studios/search?q=月球基地").get_data(as_text=True)
    for query in ("", "%", '"', "*", "NEAR(", "a" * 500, "焊 " * 50):
        assert visitor.get("/studios/search", query_string={"q": query}).status_code == 200
    for args in ("page=0", "page=-1", "page=abc", "page=99999999999", "kind=bogus", "kind="):
        assert visitor.get(f"/studios/search?q=焊接&{args}").status_code == 200, args


def test_members_edit_and_delete_through_the_pages(app, client, scene):
    sid = scene.studio_ids[0]
    login(client, scene.members[0])
    client.post(f"/studios/{sid}/patents/new", data=patent_form())
    client.post(f"/studios/{sid}/achievements/new", data=achievement_form())
    with app.app_context():
        pid, aid = db.session.scalar(select(Patent.id)), db.session.scalar(select(Achievement.id))
    form = client.get(f"/studios/{sid}/patents/{pid}/edit").get_data(as_text=True)
    assert 'value="202310123456.6"' in form and "外部专家 刘工" in form
    edited = patent_form(title="一种变压器散热片", member_ids=[str(scene.members[0].id)])
    response = client.post(f"/studios/{sid}/patents/{pid}/edit", data=edited)
    assert response.status_code == 302
    form = client.get(f"/studios/{sid}/achievements/{aid}/edit").get_data(as_text=True)
    assert 'value="1200000.50"' in form
    response = client.post(
        f"/studios/{sid}/achievements/{aid}/edit", data=achievement_form(benefit_yuan="88")
    )
    assert response.status_code == 302
    visitor = app.test_client()
    found = visitor.get("/studios/search?q=散热片").get_data(as_text=True)
    assert "一种变压器散热片" in found and "王强电力创新工作室" in found  # the studio's name
    assert "Nothing matches" in visitor.get("/studios/search?q=焊接装置").get_data(as_text=True)
    page = visitor.get(f"/studios/{sid}/achievements/{aid}").get_data(as_text=True)
    assert "¥88.00" in page
    # the member added both, so may delete them; the leader may delete anything
    assert client.post(f"/studios/{sid}/patents/{pid}/delete").status_code == 302
    client.post("/account/logout")
    login(client, scene.leaders[0])
    assert client.post(f"/studios/{sid}/achievements/{aid}/delete").status_code == 302
    with app.app_context():
        assert count(Patent) == 0 and count(Achievement) == 0
    assert "Nothing matches" in visitor.get("/studios/search?q=散热片").get_data(as_text=True)
