"""Studio pages: public pages, founding and approvals, members, alliances, rights, bad input."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from guild.audit.models import AuditEntry
from guild.extensions import db
from studios.activity_models import Event
from studios.models import (
    AllianceMembership,
    Decision,
    MemberStatus,
    Studio,
    StudioMember,
)
from studios.publication_models import Achievement, Courseware, CoursewareKind, Patent, PatentType
from tests.conftest import login, union_today
from tests.studio_scene import CITY_NAME, PENDING_NAME, STUDIO_NAMES, build_studios

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


def switch(client, person) -> None:
    """Sign out whoever is signed in, then sign in as the person."""
    client.post("/account/logout")
    login(client, person)


def apply_data(alliance: int, **changes) -> dict:
    data = {
        "alliance_id": str(alliance),
        "name": "李军数控创新工作室",
        "enterprise_id": "",
        "city": "杭州市",
        "industry": "机械",
        "level": "city",
        "founded_on": "2020-05-01",
        "leader_honours": "全国劳动模范\n浙江工匠",
        "description": "数控加工技术攻关",
        "leader_phone": "",
    }
    data.update(changes)
    return data


def text_of(response) -> str:
    return response.get_data(as_text=True)


def studio_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Studio))


def test_public_pages_open_to_visitors(client, scene):
    front = text_of(client.get("/studios/"))
    assert CITY_NAME in front and STUDIO_NAMES[0] in front
    assert 'action="/studios/search"' in front and 'name="q"' in front
    page = client.get(f"/studios/alliances/{scene.city_id}")
    assert page.status_code == 200 and STUDIO_NAMES[1] in text_of(page)
    studio = text_of(client.get(f"/studios/{scene.studio_ids[0]}"))
    assert STUDIO_NAMES[0] in studio and "全国劳动模范" in studio and "王强" in studio
    assert "赵*" in studio or "赵敏" not in studio  # members shown masked to visitors
    assert client.get(f"/studios/{scene.pending_id}").status_code == 404
    assert client.get("/studios/999999").status_code == 404
    assert client.get("/studios/alliances/999999").status_code == 404
    assert client.get("/studios/99999999999").status_code == 404
    assert client.get("/studios/mine").status_code == 302  # to sign in


def test_found_approve_and_see_the_page(client, scene, app):
    switch(client, scene.outsider)
    response = client.post("/studios/apply", data=apply_data(scene.city_id))
    assert response.status_code == 302
    with app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.name == "李军数控创新工作室"))
        assert studio.status == Decision.PENDING and studio.leader_honours == [
            "全国劳动模范",
            "浙江工匠",
        ]
        sid = studio.id
    assert "Waiting for approval" in text_of(client.get("/studios/mine"))
    assert client.get(f"/studios/{sid}").status_code == 200  # the applicant sees it
    switch(client, scene.city_admin)
    approvals = text_of(client.get("/studios/approvals"))
    assert "李军数控创新工作室" in approvals and PENDING_NAME in approvals
    done = client.post(f"/studios/approvals/studios/{sid}", data={"decision": "approve"})
    assert done.status_code == 302
    page = text_of(client.get(f"/studios/{sid}"))
    assert "李军数控创新工作室" in page and CITY_NAME in page
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry.actor_id).where(AuditEntry.action == "studio.approve")
            .order_by(AuditEntry.id.desc()).limit(1)
        ) == scene.city_admin.id  # fmt: skip


def test_rejection_with_note(client, scene, app):
    switch(client, scene.city_admin)
    url = f"/studios/approvals/studios/{scene.pending_id}"
    refused = client.post(url, data={"decision": "reject", "note": ""})
    assert refused.status_code == 400 and "Say why" in text_of(refused)
    assert client.post(url, data={"decision": "reject", "note": "材料不全"}).status_code == 302
    switch(client, scene.applicant)
    mine = text_of(client.get("/studios/mine"))
    assert "Rejected" in mine and "材料不全" in mine
    with app.app_context():
        assert db.session.get(Studio, scene.pending_id).status == Decision.REJECTED


@pytest.mark.parametrize("who", ["outsider", "industry_admin", "members", "admin"])
def test_only_the_alliances_admins_approve(client, scene, app, who):
    person = getattr(scene, who)
    switch(client, person[0] if isinstance(person, list) else person)
    url = f"/studios/approvals/studios/{scene.pending_id}"
    assert client.post(url, data={"decision": "approve"}).status_code == 403
    with app.app_context():
        assert db.session.get(Studio, scene.pending_id).status == Decision.PENDING
        assert (
            db.session.scalar(select(func.count()).where(AuditEntry.action == "studio.approve"))
            == 2
        )
    if who != "industry_admin":
        assert client.get("/studios/approvals").status_code == 403
    assert (
        client.post("/studios/approvals/studios/999999", data={"decision": "approve"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "x" * 81}, "between 2 and 80"),
        ({"name": STUDIO_NAMES[0]}, "already exists"),
        ({"founded_on": (union_today() + timedelta(days=3)).isoformat()}, "future"),
        ({"founded_on": "yesterday"}, "Not a valid date"),
        ({"level": "galactic"}, "Not a valid choice"),
        ({"alliance_id": "999999"}, "Not a valid choice"),
        ({"leader_phone": "13000000000"}, "No active user"),
        ({"city": "东京"}, "Not a valid choice"),
    ],
)
def test_bad_applications_get_400_and_nothing_stored(client, scene, app, changes, message):
    switch(client, scene.outsider)
    response = client.post("/studios/apply", data=apply_data(scene.city_id, **changes))
    assert response.status_code == 400 and message in text_of(response)
    with app.app_context():
        assert studio_count() == 3


def test_script_in_every_text_field_is_refused_and_nothing_stored(client, scene, app):
    switch(client, scene.outsider)
    for name in ("name", "industry", "leader_honours", "description"):
        data = apply_data(scene.city_id, **{name: SCRIPT[:40]})
        response = client.post("/studios/apply", data=data)
        assert response.status_code == 400, name
        assert "Do not use" in text_of(response), name
    with app.app_context():
        assert studio_count() == 3
    switch(client, scene.city_admin)
    refused = client.post(
        f"/studios/approvals/studios/{scene.pending_id}",
        data={"decision": "reject", "note": SCRIPT},
    )
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(Studio, scene.pending_id).status is Decision.PENDING


def test_leader_edits_member_cannot(client, scene, app):
    sid = scene.studio_ids[0]
    switch(client, scene.members[0])
    assert client.get(f"/studios/{sid}/edit").status_code == 403
    data = apply_data(scene.city_id, name="篡改")
    assert client.post(f"/studios/{sid}/edit", data=data).status_code == 403
    switch(client, scene.leaders[0])
    form = text_of(client.get(f"/studios/{sid}/edit"))
    assert "全国劳动模范" in form and STUDIO_NAMES[0] in form
    bad = client.post(f"/studios/{sid}/edit", data=apply_data(scene.city_id, name=STUDIO_NAMES[1]))
    assert bad.status_code == 400 and "already exists" in text_of(bad)
    saved = client.post(f"/studios/{sid}/edit", data=apply_data(scene.city_id, name="王强新工作室"))
    assert saved.status_code == 302
    assert "王强新工作室" in text_of(client.get(f"/studios/{sid}"))
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(AuditEntry.action == "studio.update")) == 1
        )
        assert db.session.get(Studio, sid).name == "王强新工作室"


def _member_id(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(StudioMember.id).where(StudioMember.user_id == user_id))


def test_invite_accept_decline_leave_remove(client, scene, app, people):
    sid = scene.studio_ids[0]
    newcomer = people.make(real_name="吴新人")
    switch(client, scene.members[0])
    assert (
        client.post(f"/studios/{sid}/members/invite", data={"phone": newcomer.phone}).status_code
        == 403
    )
    switch(client, scene.leaders[0])
    unknown = client.post(f"/studios/{sid}/members/invite", data={"phone": "13000000000"})
    assert unknown.status_code == 400 and "No active user" in text_of(unknown)
    for person in (newcomer, scene.outsider):
        assert (
            client.post(f"/studios/{sid}/members/invite", data={"phone": person.phone}).status_code
            == 302
        )
    switch(client, newcomer)
    assert "Accept" in text_of(client.get("/studios/mine"))
    assert client.post(f"/studios/{sid}/members/accept").status_code == 302
    assert client.post(f"/studios/{sid}/members/accept").status_code == 404  # no invitation left
    switch(client, scene.outsider)
    assert client.post(f"/studios/{sid}/members/decline").status_code == 302
    switch(client, newcomer)
    assert client.post(f"/studios/{sid}/members/leave").status_code == 302
    switch(client, scene.leaders[0])
    refused = client.post(f"/studios/{sid}/members/leave")
    assert refused.status_code == 400 and "Hand the studio over" in text_of(refused)
    member_id = _member_id(app, scene.members[0].id)
    assert (
        client.post(f"/studios/{sid}/members/remove", data={"member_id": "999999"}).status_code
        == 404
    )
    other = _member_id(app, scene.members[1].id)  # a member of the other studio
    assert (
        client.post(f"/studios/{sid}/members/remove", data={"member_id": other}).status_code == 404
    )
    assert (
        client.post(f"/studios/{sid}/members/remove", data={"member_id": member_id}).status_code
        == 302
    )
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(StudioMember.user_id, StudioMember.status).where(
                    StudioMember.studio_id == sid
                )
            ).all()
        )
        assert statuses[newcomer.id] == MemberStatus.LEFT
        assert statuses[scene.outsider.id] == MemberStatus.DECLINED
        assert statuses[scene.members[0].id] == MemberStatus.LEFT
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {
            f"studio_member.{a}" for a in ("invite", "accept", "decline", "leave", "remove")
        } <= actions


def test_hand_over_then_leave(client, scene, app):
    sid = scene.studio_ids[0]
    switch(client, scene.leaders[0])
    member_id = _member_id(app, scene.members[0].id)
    assert (
        client.post(f"/studios/{sid}/members/hand-over", data={"member_id": member_id}).status_code
        == 302
    )
    assert client.post(f"/studios/{sid}/members/leave").status_code == 302
    with app.app_context():
        assert db.session.get(Studio, sid).leader_id == scene.members[0].id


def test_join_approve_and_leave_an_alliance(client, scene, app):
    sid = scene.studio_ids[0]
    switch(client, scene.members[0])
    assert (
        client.post(
            f"/studios/{sid}/alliances/join", data={"alliance_id": scene.industry_id}
        ).status_code
        == 403
    )
    switch(client, scene.leaders[0])
    assert (
        client.post(
            f"/studios/{sid}/alliances/join", data={"alliance_id": scene.industry_id}
        ).status_code
        == 302
    )
    with app.app_context():
        membership_id = db.session.scalar(
            select(AllianceMembership.id).where(
                AllianceMembership.studio_id == sid, AllianceMembership.status == Decision.PENDING
            )
        )
    switch(client, scene.city_admin)
    url = f"/studios/approvals/memberships/{membership_id}"
    assert client.post(url, data={"decision": "approve"}).status_code == 403
    switch(client, scene.industry_admin)
    assert "Studios applying to join" in text_of(client.get("/studios/approvals"))
    assert client.post(url, data={"decision": "approve"}).status_code == 302
    industry_page = text_of(client.get(f"/studios/alliances/{scene.industry_id}"))
    assert STUDIO_NAMES[0] in industry_page
    switch(client, scene.leaders[0])
    assert client.post(f"/studios/{sid}/alliances/{scene.city_id}/leave").status_code == 302
    last = client.post(f"/studios/{sid}/alliances/{scene.industry_id}/leave")
    assert last.status_code == 400 and "last alliance" in text_of(last)
    with app.app_context():
        rows = dict(
            db.session.execute(
                select(AllianceMembership.alliance_id, AllianceMembership.status).where(
                    AllianceMembership.studio_id == sid
                )
            ).all()
        )
        assert rows == {scene.city_id: Decision.WITHDRAWN, scene.industry_id: Decision.APPROVED}


def _publish(app, studio_id: int, user_id: int, patents: int, achievements: int, courseware: int):
    with app.app_context():
        for n in range(patents):
            db.session.add(Patent(
                studio_id=studio_id, patent_type=PatentType.INVENTION,
                application_number=f"2023{studio_id}{n:07d}"[:12] + f"{n % 10}",
                title=f"专利{n}", filed_on=date(2023, 1, 1), created_by_id=user_id,
            ))  # fmt: skip
        for n in range(achievements):
            db.session.add(Achievement(
                studio_id=studio_id, title=f"成果{n}", achieved_on=date(2023, 2, 1),
                created_by_id=user_id,
            ))  # fmt: skip
        for n in range(courseware):
            db.session.add(Courseware(
                studio_id=studio_id, title=f"课件{n}", kind=CoursewareKind.PDF,
                created_by_id=user_id,
            ))  # fmt: skip
        db.session.add(Event(
            studio_id=studio_id, title="交流会", place="杭州", capacity=30,
            starts_at=datetime(2024, 5, 1, 1), ends_at=datetime(2024, 5, 1, 3),
            created_by_id=user_id,
        ))  # fmt: skip
        db.session.commit()


def _counts(body: str) -> dict[str, int]:
    pattern = r'data-count="(\w+)"><div class="fs-4 fw-semibold">(\d+)</div>'
    return {key: int(value) for key, value in re.findall(pattern, body)}


def test_alliance_counts_include_sub_alliances(client, scene, app):
    _publish(app, scene.studio_ids[0], scene.leaders[0].id, 2, 1, 3)
    _publish(app, scene.studio_ids[1], scene.leaders[1].id, 1, 2, 0)
    expected = {"enterprises": 1, "studios": 2, "patents": 3, "achievements": 3,
                "courseware": 3, "events": 2}  # fmt: skip
    city = text_of(client.get(f"/studios/alliances/{scene.city_id}"))
    assert _counts(city) == expected
    top = text_of(client.get(f"/studios/alliances/{scene.provincial_id}"))
    assert _counts(top) == expected
    assert "data-chart=" in top and CITY_NAME in top
    industry = text_of(client.get(f"/studios/alliances/{scene.industry_id}"))
    assert _counts(industry)["studios"] == 0
    studio = text_of(client.get(f"/studios/{scene.studio_ids[0]}"))
    assert "All 2" in studio and "All 3" in studio and "专利1" in studio and "交流会" in studio


def test_platform_admin_pages(client, scene, app):
    switch(client, scene.city_admin)
    assert client.get("/studios/alliances/new").status_code == 403
    assert (
        client.post(
            f"/studios/alliances/{scene.city_id}/admins/appoint",
            data={"phone": scene.outsider.phone},
        ).status_code
        == 403
    )
    switch(client, scene.admin)
    made = client.post(
        "/studios/alliances/new", data={"name": "宁波市联盟", "kind": "city", "city": "宁波市"}
    )
    assert made.status_code == 302
    bad = client.post(
        "/studios/alliances/new", data={"name": "温州联盟", "kind": "city", "city": ""}
    )
    assert bad.status_code == 400 and "needs its city" in text_of(bad)
    url = f"/studios/alliances/{scene.city_id}/admins"
    assert client.post(f"{url}/appoint", data={"phone": scene.outsider.phone}).status_code == 302
    assert "周游" in text_of(client.get(url))
    assert client.post(f"{url}/remove", data={"member_id": scene.outsider.id}).status_code == 302
    assert client.post(f"{url}/remove", data={"member_id": scene.outsider.id}).status_code == 400
    assert client.get("/studios/alliances/999999/admins").status_code == 404
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert actions.count("alliance.admin_appoint") == 4 and "alliance.admin_remove" in actions
