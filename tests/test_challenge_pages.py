"""The challenge board's pages: posting and review through the forms (rows and audit checked),
who sees what, the board's filters and search, dashboards, the bell, and bad input refused
with nothing changed. English app; SQLite and PostgreSQL."""

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from studios.challenge_models import Challenge, ChallengeFile, ChallengeState, Notification
from studios.services import challenge_claims, challenges
from studios.services.challenges import ChallengeFields
from tests.conftest import login
from tests.courseware_files import GOOD_FILES, exe
from tests.studio_scene import build_studios


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def board(app, people):
    scene = build_studios(app, people)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    return scene, contact


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def form(alliance: int, **changes) -> dict:
    values = {
        "post_as": "enterprise",
        "alliance_id": str(alliance),
        "title": "港机减速箱故障预测",
        "problem": "用振动数据提前一周预测减速箱故障。",
        "indicators": "准确率不低于90%",
        "requirements": "有数据分析经验",
        "field": "智能制造",
        "reward_yuan": "200,000.50",
        "deadline": "2031-06-30T18:00",
        "winners_wanted": "1",
    }
    return values | changes


def make_open(scene, poster, when_days=30, studio_id=None, **changes) -> int:
    values = {
        "title": "港机减速箱故障预测",
        "problem": "用振动数据提前一周预测减速箱故障。",
        "deadline": utcnow() + timedelta(days=when_days),
        "alliance_id": scene.city_id,
        "reward_yuan": "1000",
        "studio_id": studio_id,
    }
    challenge = challenges.create_challenge(actor(poster), ChallengeFields(**(values | changes)))
    challenges.submit_challenge(actor(poster), challenge.id)
    challenges.review_challenge(actor(scene.city_admin), challenge.id, True)
    db.session.commit()
    return challenge.id


def audit_actions(challenge_id: int) -> list[str]:
    query = select(AuditEntry.action).where(
        AuditEntry.object_type == "Challenge", AuditEntry.object_id == str(challenge_id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_post_review_reject_resubmit_open_through_the_pages(app, board):
    scene, contact = board
    client, admin_client, public = app.test_client(), app.test_client(), app.test_client()
    login(client, contact)
    login(admin_client, scene.city_admin)
    assert client.get("/challenges/new").status_code == 200
    response = client.post("/challenges/new", data=form(scene.city_id))
    assert response.status_code == 302
    with app.app_context():
        challenge = db.session.scalar(select(Challenge))
        cid = challenge.id
        assert challenge.state == ChallengeState.DRAFT
        assert challenge.reward_fen == 20_000_050
        assert challenge.deadline == datetime(2031, 6, 30, 10, 0)  # 18:00 in Shanghai, as UTC
        assert challenge.poster_enterprise_id is not None and challenge.poster_studio_id is None
    page = client.get(f"/challenges/{cid}").get_data(as_text=True)
    assert "200,000.50" in page and "Submit for review" in page and "Drafted" in page
    # A draft is hidden from the public and from other people.
    assert public.get(f"/challenges/{cid}").status_code == 404
    other = app.test_client()
    login(other, scene.outsider)
    assert other.get(f"/challenges/{cid}").status_code == 404
    assert other.get(f"/challenges/{cid}/edit").status_code == 404
    # An attachment under the courseware rules; a program is refused.
    name, content = GOOD_FILES["pdf"]
    data = {"file": (io.BytesIO(content), name)}
    response = client.post(f"/challenges/{cid}/attachments", data=data)
    assert response.status_code == 302
    bad = {"file": (io.BytesIO(exe()), "setup.pdf")}
    response = client.post(f"/challenges/{cid}/attachments", data=bad)
    assert response.status_code == 400
    with app.app_context():
        files = db.session.scalars(select(ChallengeFile)).all()
        assert [(f.filename, f.claim_id, f.report_id) for f in files] == [(name, None, None)]
    assert name in client.get(f"/challenges/{cid}").get_data(as_text=True)
    # The admin cannot review a draft; the poster submits it.
    assert admin_client.get(f"/challenges/{cid}").status_code == 200
    assert client.post(f"/challenges/{cid}/submit").status_code == 302
    page = admin_client.get("/challenges/review").get_data(as_text=True)
    assert "港机减速箱故障预测" in page
    # A rejection needs a reason.
    response = admin_client.post(f"/challenges/{cid}/review", data={"decision": "reject"})
    assert response.status_code == 400
    assert "Say why the challenge is rejected." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Challenge, cid).state == ChallengeState.SUBMITTED
    response = admin_client.post(
        f"/challenges/{cid}/review", data={"decision": "reject", "reason": "奖金说明不清"}
    )
    assert response.status_code == 302
    page = client.get(f"/challenges/{cid}").get_data(as_text=True)
    assert "Rejected: 奖金说明不清" in page
    # Edit and resubmit; the admin opens it.
    response = client.post(
        f"/challenges/{cid}/edit", data=form(scene.city_id, reward_yuan="250000")
    )
    assert response.status_code == 302
    assert client.post(f"/challenges/{cid}/submit").status_code == 302
    assert public.get(f"/challenges/{cid}").status_code == 404
    response = admin_client.post(f"/challenges/{cid}/review", data={"decision": "approve"})
    assert response.status_code == 302
    with app.app_context():
        challenge = db.session.get(Challenge, cid)
        assert challenge.state == ChallengeState.OPEN and challenge.reward_fen == 25_000_000
        assert audit_actions(cid) == [
            "challenge.create",
            "challenge.attach",
            "challenge.submit",
            "challenge.reject",
            "challenge.edit",
            "challenge.submit",
            "challenge.approve",
        ]
    page = public.get(f"/challenges/{cid}").get_data(as_text=True)
    assert "Approved and opened" in page and "Rejected" not in page  # no insider steps
    assert "港机减速箱故障预测" in public.get("/challenges/").get_data(as_text=True)
    # Open: no more editing; the poster may cancel.
    assert client.post(f"/challenges/{cid}/edit", data=form(scene.city_id)).status_code == 302
    assert client.post(f"/challenges/{cid}/submit").status_code == 400
    assert admin_client.post(f"/challenges/{cid}/cancel").status_code == 403
    assert client.post(f"/challenges/{cid}/cancel").status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, cid).state == ChallengeState.CANCELLED
    assert public.get(f"/challenges/{cid}").status_code == 404


def test_a_studio_leader_posts_and_others_may_not(app, board):
    scene, _contact = board
    leader, member = app.test_client(), app.test_client()
    login(leader, scene.leaders[0])
    login(member, scene.members[0])
    assert member.get("/challenges/new").status_code == 403
    assert "Post a challenge" not in member.get("/challenges/").get_data(as_text=True)
    data = form(scene.city_id, post_as=f"s{scene.studio_ids[0]}")
    assert leader.post("/challenges/new", data=data).status_code == 302
    # Posting for another studio (a forged choice) is refused, nothing stored.
    forged = form(scene.city_id, post_as=f"s{scene.studio_ids[1]}")
    assert leader.post("/challenges/new", data=forged).status_code == 400
    with app.app_context():
        rows = db.session.scalars(select(Challenge)).all()
        assert [row.poster_studio_id for row in rows] == [scene.studio_ids[0]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reward_yuan": "-5"}, "The amount cannot be negative."),
        ({"reward_yuan": "1e12"}, "The amount is too large to be real."),
        ({"reward_yuan": "abc"}, "Write the amount in yuan, like 12500.50."),
        ({"deadline": "2020-01-01T08:00"}, "The deadline must be in the future."),
        ({"deadline": "soon"}, "Enter a date and time."),
        ({"title": "<script>alert(1)</script>"}, "Do not use"),
        ({"problem": "<img src=x onerror=alert(1)>"}, "Do not use"),
        ({"winners_wanted": "0"}, "Enter a number from 1 to 20."),
        ({"alliance_id": "999999999"}, "Not a valid choice"),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_nothing_stored(app, board, changes, message):
    scene, contact = board
    client = app.test_client()
    login(client, contact)
    response = client.post("/challenges/new", data=form(scene.city_id, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "<script>alert" not in page and "<img src=x" not in page
    with app.app_context():
        actions = select(func.count()).where(AuditEntry.action.like("challenge.%"))
        assert count(Challenge) == 0 and db.session.scalar(actions) == 0


def test_bad_input_on_edit_changes_nothing(app, board):
    scene, contact = board
    client = app.test_client()
    login(client, contact)
    client.post("/challenges/new", data=form(scene.city_id))
    with app.app_context():
        cid = db.session.scalar(select(Challenge.id))
    response = client.post(
        f"/challenges/{cid}/edit", data=form(scene.city_id, title="<b>x</b>", reward_yuan="-1")
    )
    assert response.status_code == 400
    with app.app_context():
        challenge = db.session.get(Challenge, cid)
        assert challenge.title == "港机减速箱故障预测" and challenge.reward_fen == 20_000_050
        assert audit_actions(cid) == ["challenge.create"]


def test_forged_ids_and_junk_query_strings(app, board):
    _scene, contact = board
    client = app.test_client()
    login(client, contact)
    for path in (
        "/challenges/999999",
        "/challenges/99999999999999999999",
        "/challenges/0",
        "/challenges/999999/edit",
        "/challenges/999999/review",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("/challenges/999999/submit", "/challenges/999999/cancel"):
        assert client.post(path).status_code == 404, path
    junk = [
        "?page=abc",
        "?page=-1",
        "?page=99999999999",
        "?status=nope&field=%00&reward_min=-1&reward_max=1e400",
        "?deadline_from=2024-13-45&deadline_to=0000-01-01",
        "?deadline_from=9999-12-31&trade=abc&q=%25%25_",
        "?q=" + "x" * 5000,
        "?q=%E0%A4%A&reward_min=NaN&reward_max=Infinity",
        "?_external=1&_anchor=x",
    ]
    for query in junk:
        assert client.get("/challenges/" + query).status_code in (200, 400), query
    assert client.get("/challenges/?q=%25%25_&trade=abc").status_code == 200
    assert client.get("/challenges/notifications?x=1").status_code == 200
    assert (
        client.post("/challenges/notifications/read", data={"notification_id": "x"}).status_code
        == 302
    )
    assert client.get("/challenges/mine?junk=1").status_code == 200


def test_board_filters_and_search(app, board):
    scene, contact = board
    with app.app_context():
        cheap = make_open(
            scene, contact, 10, title="焊缝缺陷识别", field="智能制造", reward_yuan="5000"
        )
        dear = make_open(
            scene, contact, 40, title="电网负荷预测", field="新能源", reward_yuan="800000"
        )
        other = make_open(
            scene,
            contact,
            20,
            title="Smart Crane Control",
            problem="港口起重机 PLC 优化",
            field="智能制造",
            reward_yuan="30000",
        )
        draft = challenges.create_challenge(
            actor(contact),
            ChallengeFields(
                title="焊缝草稿",
                problem="未提交",
                deadline=utcnow() + timedelta(days=5),
                alliance_id=scene.city_id,
            ),
        )
        db.session.commit()
        draft_id = draft.id
    client = app.test_client()

    def titles(query: str) -> list[str]:
        page = client.get("/challenges/" + query)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        names = ["焊缝缺陷识别", "电网负荷预测", "Smart Crane Control", "焊缝草稿"]
        return sorted((name for name in names if name in text), key=text.index)

    assert titles("") == ["焊缝缺陷识别", "Smart Crane Control", "电网负荷预测"]  # by deadline
    assert titles("?field=智能制造") == ["焊缝缺陷识别", "Smart Crane Control"]
    assert titles("?reward_min=10000") == ["Smart Crane Control", "电网负荷预测"]
    assert titles("?reward_min=10000&reward_max=100,000") == ["Smart Crane Control"]
    assert titles("?q=焊缝") == ["焊缝缺陷识别"]  # never the draft
    assert titles("?q=smart crane") == ["Smart Crane Control"]  # any case, every term
    assert titles("?q=起重机") == ["Smart Crane Control"]  # the problem is searched too
    assert titles("?q=%25") == []  # a wildcard is a character
    later = (utcnow() + timedelta(days=30)).date().isoformat()
    assert titles(f"?deadline_to={later}") == ["焊缝缺陷识别", "Smart Crane Control"]
    assert titles(f"?deadline_from={later}") == ["电网负荷预测"]
    assert titles("?status=finished") == []
    with app.app_context():
        challenges.cancel_challenge(actor(contact), cheap)
        db.session.commit()
    assert titles("?status=all") == ["电网负荷预测", "Smart Crane Control"]  # latest first
    assert dear and other and draft_id


def test_pagination_carries_the_filter(app, board):
    scene, contact = board
    with app.app_context():
        for number in range(23):
            make_open(scene, contact, 10 + number, title=f"课题{number:02d}", field="智能制造")
    client = app.test_client()
    first = client.get("/challenges/?field=智能制造").get_data(as_text=True)
    assert "课题00" in first and "课题20" not in first and "23 in all" in first
    assert "field=%E6%99%BA%E8%83%BD%E5%88%B6%E9%80%A0" in first and "page=2" in first
    second = client.get("/challenges/?field=智能制造&page=2").get_data(as_text=True)
    assert "课题20" in second and "课题00" not in second


def test_dashboards_and_the_review_queue(app, board):
    scene, contact = board
    with app.app_context():
        cid = make_open(scene, contact, title="港口节能改造")
        challenge_claims.claim_challenge(
            actor(scene.leaders[0]), cid, scene.studio_ids[0], challenge_claims.Proposal("方案")
        )
        waiting = challenges.create_challenge(
            actor(contact),
            ChallengeFields(
                title="待审课题",
                problem="问题",
                deadline=utcnow() + timedelta(days=9),
                alliance_id=scene.city_id,
            ),
        )
        challenges.submit_challenge(actor(contact), waiting.id)
        db.session.commit()
        waiting_id = waiting.id
    poster, leader, member, admin, industry = (app.test_client() for _ in range(5))
    login(poster, contact)
    login(leader, scene.leaders[0])
    login(member, scene.members[0])
    login(admin, scene.city_admin)
    login(industry, scene.industry_admin)
    page = poster.get("/challenges/mine").get_data(as_text=True)
    assert "港口节能改造" in page and "待审课题" in page and "waiting for review" in page
    for client in (leader, member):
        page = client.get("/challenges/mine").get_data(as_text=True)
        assert "港口节能改造" in page and "王强电力创新工作室" in page and "active" in page
        assert "待审课题" not in page
    page = admin.get("/challenges/mine").get_data(as_text=True)
    assert "Waiting for your review" in page and "待审课题" in page
    assert "待审课题" in admin.get("/challenges/review").get_data(as_text=True)
    assert "待审课题" not in industry.get("/challenges/review").get_data(as_text=True)
    assert industry.get(f"/challenges/{waiting_id}").status_code == 404
    assert industry.get(f"/challenges/{waiting_id}/review").status_code == 404
    response = industry.post(f"/challenges/{waiting_id}/review", data={"decision": "approve"})
    assert response.status_code == 404
    assert app.test_client().get("/challenges/mine").status_code in (302, 401)


def test_overdue_milestones_on_the_dashboard(app, board):
    scene, contact = board
    with app.app_context():
        cid = make_open(scene, contact, title="过期里程碑")
        claim = challenge_claims.claim_challenge(
            actor(scene.leaders[0]), cid, scene.studio_ids[0], challenge_claims.Proposal("方案")
        )
        today = utcnow().date()
        challenge_claims.select_winner(
            actor(contact), claim.id, [("样机", today + timedelta(days=10))]
        )
        db.session.commit()
        from studios.challenge_models import Milestone

        milestone = db.session.scalar(select(Milestone))
        milestone.due_on = today - timedelta(days=3)
        db.session.commit()
    for person in (contact, scene.leaders[0]):
        client = app.test_client()
        login(client, person)
        page = client.get("/challenges/mine").get_data(as_text=True)
        assert "Overdue milestones" in page and "样机" in page
    client = app.test_client()
    login(client, scene.leaders[1])
    assert "Overdue milestones" not in client.get("/challenges/mine").get_data(as_text=True)
    page = app.test_client().get(f"/challenges/{cid}").get_data(as_text=True)
    assert "Claimed by 王强电力创新工作室" in page and "王强电力创新工作室 selected" in page


def test_the_bell_and_marking_read(app, board):
    scene, contact = board
    client, admin = app.test_client(), app.test_client()
    login(client, contact)
    login(admin, scene.city_admin)
    client.post(
        "/challenges/new",
        data=form(scene.city_id, title="铃声<测试>".replace("<", "").replace(">", "")),
    )
    with app.app_context():
        cid = db.session.scalar(select(Challenge.id))
    client.post(f"/challenges/{cid}/submit")
    page = admin.get("/challenges/").get_data(as_text=True)
    assert 'id="bell-count">1<' in page
    notes = admin.get("/challenges/notifications").get_data(as_text=True)
    assert "“铃声测试” was submitted and waits for your review." in notes
    admin.post(f"/challenges/{cid}/review", data={"decision": "reject", "reason": "<不清楚>"})
    assert admin.get("/challenges/").status_code == 200
    admin.post(f"/challenges/{cid}/review", data={"decision": "reject", "reason": "不清楚"})
    page = client.get("/challenges/notifications").get_data(as_text=True)
    assert "“铃声测试” was rejected: 不清楚" in page and 'id="bell-count">1<' in page
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == contact.id))
        note_id = note.id
    # Someone else's notification id marks nothing.
    admin.post("/challenges/notifications/read", data={"notification_id": str(note_id)})
    assert 'id="bell-count">1<' in client.get("/challenges/").get_data(as_text=True)
    client.post("/challenges/notifications/read", data={"notification_id": str(note_id)})
    assert 'id="bell-count"' not in client.get("/challenges/").get_data(as_text=True)
    assert 'id="bell-count">1<' in admin.get("/challenges/").get_data(as_text=True)
    admin.post("/challenges/notifications/read", data={})
    assert 'id="bell-count"' not in admin.get("/challenges/").get_data(as_text=True)
    assert app.test_client().get("/challenges/notifications").status_code in (302, 401)


def test_every_notification_kind_has_a_message(app):
    import re
    from pathlib import Path

    from studios.challenge_mine_views import MESSAGES

    source = "".join(p.read_text() for p in Path("studios/services").glob("*.py"))
    kinds = set(re.findall(r'notify\([^"]*"(challenge\.[a-z_]+)"', source, re.S))
    kinds |= {f"challenge.{state}" for state in ("passed", "failed")}  # f"challenge.{state}"
    assert kinds and kinds <= set(MESSAGES)
