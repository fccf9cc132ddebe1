"""Studio pages by the viewer's part: a visitor, a worker in no studio, a member and the leader
of the studio, the admin of its alliance and of another alliance, a platform admin and an
organiser. Studio pages are public; editing is the studio's members' as their role allows;
approvals are the alliance admins'; the evaluation is the organisers'. GET pages are walked
by part; posts by the wrong part are refused with nothing changed."""

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.extensions import db
from studios.models import Decision, Studio, StudioMember
from studios.publication_models import Patent
from tests.conftest import PASSWORD, Person, login
from tests.test_access import _studio_samples

BLUEPRINTS = {"studios", "publications", "courseware", "studio_reports"}
PARTS = ("visitor", "outsider", "member", "leader", "city_admin", "industry_admin", "admin",
         "organiser")  # fmt: skip
# Pages everyone reaches, signed in or not.
PUBLIC = {
    "courseware.alliance_events",
    "courseware.detail",
    "courseware.download",
    "courseware.event_detail",
    "courseware.events_index",
    "courseware.studio_courseware",
    "courseware.studio_events",
    "publications.achievement",
    "publications.achievements",
    "publications.patent",
    "publications.patents",
    "publications.photo",
    "publications.search",
    "studio_reports.alliance_report",
    "studio_reports.alliance_report_xlsx",
    "studio_reports.evaluation_history",
    "studio_reports.studio_report",
    "studio_reports.studio_report_xlsx",
    "studios.alliance",
    "studios.index",
    "studios.studio",
}
# Everything else, as (visitor, outsider, member, leader, city admin, industry admin, admin,
# organiser): 302 sends a visitor to sign in.
BY_PART = {
    "courseware.cancel_event": (302, 403, 403, 200, 403, 403, 403, 403),
    "courseware.event_signups": (302, 403, 403, 200, 403, 403, 403, 403),
    "courseware.new_alliance_event": (302, 403, 403, 403, 200, 403, 403, 403),
    "courseware.new_studio_event": (302, 403, 403, 200, 403, 403, 403, 403),
    "courseware.new_version": (302, 403, 200, 200, 403, 403, 403, 403),
    "courseware.upload": (302, 403, 200, 200, 403, 403, 403, 403),
    "publications.edit_achievement": (302, 403, 200, 200, 403, 403, 403, 403),
    "publications.edit_patent": (302, 403, 200, 200, 403, 403, 403, 403),
    "publications.new_achievement": (302, 403, 200, 200, 403, 403, 403, 403),
    "publications.new_patent": (302, 403, 200, 200, 403, 403, 403, 403),
    "studio_reports.evaluation": (302, 403, 403, 403, 403, 403, 200, 200),
    "studio_reports.evaluation_year": (302, 403, 403, 403, 403, 403, 200, 200),
    "studios.alliance_admins_page": (302, 403, 403, 403, 403, 403, 200, 403),
    "studios.apply": (302, 200, 200, 200, 200, 200, 200, 200),
    "studios.approvals": (302, 403, 403, 403, 200, 200, 403, 403),
    "studios.edit": (302, 403, 403, 200, 403, 403, 403, 403),
    "studios.members": (302, 200, 200, 200, 200, 200, 200, 200),
    "studios.mine": (302, 200, 200, 200, 200, 200, 200, 200),
    "studios.new_alliance": (302, 403, 403, 403, 403, 403, 200, 403),
    "studios.studio_alliances": (302, 200, 200, 200, 200, 200, 200, 200),
}


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def walk(app, people):
    values = _studio_samples(app, people)
    with app.app_context():
        users = {user.real_name: user for user in db.session.scalars(select(User))}

    def person(name: str) -> Person:
        user = users[name]
        return Person(user.id, user.phone, PASSWORD, user.real_name)

    organiser = people.make(Role.ORGANISER, real_name="组织者")
    parts = {
        "visitor": None,
        "outsider": person("周游"),
        "member": person("赵敏"),
        "leader": person("王强"),
        "city_admin": person("杭联盟管"),
        "industry_admin": person("电联盟管"),
        "admin": person("管理员"),
        "organiser": organiser,
    }
    return values, parts


def _client(app, person):
    client = app.test_client()
    if person is not None:
        login(client, person)
    return client


def test_every_studio_page_by_part(app, walk):
    values, parts = walk
    pages = {
        rule.endpoint: rule.build({k: values[k] for k in rule.arguments})[1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in BLUEPRINTS and "GET" in rule.methods
    }
    assert set(pages) == PUBLIC | set(BY_PART)
    for part in PARTS:
        client = _client(app, parts[part])
        for endpoint, url in pages.items():
            expected = 200 if endpoint in PUBLIC else BY_PART[endpoint][PARTS.index(part)]
            assert client.get(url).status_code == expected, (part, endpoint)


def _state(studio_id: int) -> tuple:
    db.session.expire_all()
    studio = db.session.get(Studio, studio_id)
    members = db.session.scalar(select(func.count()).select_from(StudioMember))
    patents = db.session.scalar(select(func.count()).select_from(Patent))
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    return studio.name, studio.status, members, patents, audits


def test_posts_by_the_wrong_part_are_refused_and_change_nothing(app, walk):
    values, parts = walk
    sid = values["studio_id"]
    with app.app_context():
        pending = db.session.scalar(select(Studio.id).where(Studio.status == Decision.PENDING))
        before = _state(sid)
    attempts = [
        ("member", f"/studios/{sid}/edit", {"name": "篡改", "city": "杭州市", "level": "city",
                                             "founded_on": "2020-01-01"}),
        ("member", f"/studios/{sid}/members/invite", {"phone": parts["outsider"].phone}),
        ("outsider", f"/studios/{sid}/patents/new", {"title": "偷发专利"}),
        ("industry_admin", f"/studios/approvals/studios/{pending}", {"decision": "approve"}),
        ("leader", f"/studios/approvals/studios/{pending}", {"decision": "approve"}),
        ("admin", f"/studios/approvals/studios/{pending}", {"decision": "approve"}),
        ("city_admin", f"/studios/{sid}/members/remove", {"member_id": "1"}),
        ("member", "/studios/evaluation/2026/name", {"top": "1"}),
    ]  # fmt: skip
    for part, url, data in attempts:
        response = _client(app, parts[part]).post(url, data=data)
        assert response.status_code == 403, (part, url)
    with app.app_context():
        assert _state(sid) == before
        assert db.session.get(Studio, pending).status is Decision.PENDING
