"""Claiming pages: a studio leader claims an open challenge with a proposal and files, sees
and withdraws it; the poster's selection page; every refusal with nothing changed; forged
ids 404. SQLite and PostgreSQL."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from studios.challenge_models import (
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ClaimState,
    Milestone,
    MilestoneReport,
    Notification,
)
from studios.demo_activity import tiny_pdf
from studios.services import challenges
from studios.services.challenges import ChallengeFields
from tests.conftest import login
from tests.studio_scene import STUDIO_NAMES, build_studios

SCRIPT = "<script>alert(1)</script>"
NO_MARKUP = "Do not use < > or control characters."
TITLE = "港机减速箱故障预测"


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def open_challenge(app, scene, contact, **changes) -> int:
    """A challenge posted by the contact's enterprise and opened by the city alliance."""
    values = {
        "title": TITLE,
        "problem": "用振动数据提前一周预测减速箱故障。",
        "deadline": utcnow() + timedelta(days=30),
        "alliance_id": scene.city_id,
        "reward_yuan": "200000",
    }
    with app.app_context():
        made = challenges.create_challenge(actor(contact), ChallengeFields(**(values | changes)))
        challenges.submit_challenge(actor(contact), made.id)
        challenges.review_challenge(actor(scene.city_admin), made.id, True)
        db.session.commit()
        return made.id


@pytest.fixture
def board(app, people):
    """The studios, an enterprise contact and an open challenge of theirs."""
    return make_board(app, people)


def make_board(app, people):
    """The studios, an enterprise contact and an open challenge of theirs."""
    scene = build_studios(app, people)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    return scene, contact, open_challenge(app, scene, contact)


def switch(client, person) -> None:
    """Sign out whoever is signed in, then sign in as the person."""
    client.post("/account/logout")
    login(client, person)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def proposal(studio_id: int, **changes) -> dict:
    data = {"studio_id": str(studio_id), "plan": "频谱建模加迁移学习", "team": "王强等3人",
            "schedule": "三个月"}  # fmt: skip
    return data | changes


def pdf(name: str = "方案.pdf"):
    return (io.BytesIO(tiny_pdf("proposal")), name)


def claim_through_page(client, challenge_id: int, studio_id: int, **changes):
    return client.post(
        f"/challenges/{challenge_id}/claims/new",
        data=proposal(studio_id, **changes),
        content_type="multipart/form-data",
    )


def counts() -> tuple:
    """What any refused request must leave as it was."""
    tables = (ChallengeClaim, ChallengeFile, Milestone, MilestoneReport, AuditEntry, Notification)
    numbers = tuple(db.session.scalar(select(func.count()).select_from(t)) for t in tables)
    states = tuple(db.session.scalars(select(ChallengeClaim.state).order_by(ChallengeClaim.id)))
    challenge_states = tuple(db.session.scalars(select(Challenge.state).order_by(Challenge.id)))
    return numbers + states + challenge_states


def unchanged(app, before: tuple) -> None:
    with app.app_context():
        assert counts() == before


def snapshot(app) -> tuple:
    with app.app_context():
        return counts()


def test_a_leader_claims_with_files_then_withdraws(app, client, board):
    scene, contact, challenge_id = board
    leader, studio_id = scene.leaders[0], scene.studio_ids[0]
    switch(client, leader)
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "Claim this challenge" in page and "Studios that have claimed: 0" in page
    form = client.get(f"/challenges/{challenge_id}/claims/new")
    assert form.status_code == 200 and STUDIO_NAMES[0] in text_of(form)
    response = claim_through_page(client, challenge_id, studio_id, files=[pdf()])
    assert response.status_code == 302
    with app.app_context():
        claim = db.session.scalar(select(ChallengeClaim))
        assert (claim.state, claim.plan, claim.team) == (ClaimState.ACTIVE, "频谱建模加迁移学习",
                                                         "王强等3人")  # fmt: skip
        assert response.headers["Location"].endswith(f"/challenges/claims/{claim.id}")
        attached = db.session.scalar(select(ChallengeFile))
        assert attached.claim_id == claim.id and attached.filename == "方案.pdf"
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"challenge.claim", "challenge.attach"} <= actions
        told = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "challenge.claimed")).all()  # fmt: skip
        assert told == [contact.id]
        claim_id, file_id = claim.id, attached.id
    detail = text_of(client.get(f"/challenges/claims/{claim_id}"))
    assert (
        "频谱建模加迁移学习" in detail and "方案.pdf" in detail and "Withdraw the claim" in detail
    )
    download = client.get(f"/challenges/files/{file_id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "Your studio&#39;s claim" in page and "Claim this challenge" not in page
    # The poster sees the claim, its proposal and file; an outsider sees neither.
    switch(client, contact)
    listed = text_of(client.get(f"/challenges/{challenge_id}/claims"))
    assert STUDIO_NAMES[0] in listed and "Shortlist" in listed and "Select as winner" in listed
    assert client.get(f"/challenges/files/{file_id}").status_code == 200
    switch(client, scene.outsider)
    assert client.get(f"/challenges/claims/{claim_id}").status_code == 404
    assert client.get(f"/challenges/files/{file_id}").status_code == 404
    assert client.get(f"/challenges/{challenge_id}/claims").status_code == 403
    switch(client, scene.leaders[1])
    assert client.get(f"/challenges/claims/{claim_id}").status_code == 404
    assert client.post(f"/challenges/claims/{claim_id}/withdraw").status_code == 404
    # The member of the claiming studio reads the claim but cannot withdraw it.
    switch(client, scene.members[0])
    assert client.get(f"/challenges/claims/{claim_id}").status_code == 200
    assert client.post(f"/challenges/claims/{claim_id}/withdraw").status_code == 403
    switch(client, leader)
    withdrawn = client.post(f"/challenges/claims/{claim_id}/withdraw")
    assert withdrawn.status_code == 303
    with app.app_context():
        assert db.session.get(ChallengeClaim, claim_id).state is ClaimState.WITHDRAWN
        kinds = set(db.session.scalars(select(Notification.kind)))
        assert "challenge.withdrawn" in kinds
        assert "challenge.withdraw" in set(db.session.scalars(select(AuditEntry.action)))
    # Withdrawn, the studio may claim again.
    assert "Claim this challenge" in text_of(client.get(f"/challenges/{challenge_id}"))
    assert claim_through_page(client, challenge_id, studio_id).status_code == 302
    with app.app_context():
        assert db.session.get(ChallengeClaim, claim_id).state is ClaimState.ACTIVE


def test_claims_refused_with_a_message_and_nothing_changed(app, client, board):
    scene, contact, challenge_id = board
    studio_id = scene.studio_ids[0]
    before = snapshot(app)
    # A member who does not lead the studio, and a worker in no studio.
    switch(client, scene.members[0])
    page = client.get(f"/challenges/{challenge_id}/claims/new")
    assert page.status_code == 403
    assert "Only the leader of an approved studio may claim a challenge." in text_of(page)
    refused = claim_through_page(client, challenge_id, studio_id)
    assert refused.status_code == 403
    assert "Only the leader of an approved studio may claim a challenge." in text_of(refused)
    switch(client, scene.outsider)
    assert claim_through_page(client, challenge_id, studio_id).status_code == 403
    assert "Claim this challenge" not in text_of(client.get(f"/challenges/{challenge_id}"))
    # The poster cannot claim its own challenge through a studio it does not lead either.
    switch(client, contact)
    assert claim_through_page(client, challenge_id, studio_id).status_code == 403
    unchanged(app, before)
    switch(client, scene.leaders[0])
    # Script in a text field: refused, the message shown, nothing stored.
    for name in ("plan", "team", "schedule"):
        response = claim_through_page(client, challenge_id, studio_id, **{name: SCRIPT})
        assert response.status_code == 400
        assert NO_MARKUP in text_of(response)
    assert claim_through_page(client, challenge_id, studio_id, plan=" ").status_code == 400
    # A file that is not what it claims: refused, and the claim is not stored without it.
    fake = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "方案.pdf")
    response = claim_through_page(client, challenge_id, studio_id, files=[pdf(), fake])
    assert response.status_code == 400
    assert "Programs cannot be uploaded as courseware." in text_of(response)
    stored = Path(app.config["UPLOAD_FOLDER"]) / "challenges"
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]
    too_many = [pdf(f"{n}.pdf") for n in range(4)]
    response = claim_through_page(client, challenge_id, studio_id, files=too_many)
    assert response.status_code == 400 and "Attach at most 3 files at once." in text_of(response)
    # Forged ids.
    assert claim_through_page(client, challenge_id, 999_999).status_code == 404
    assert claim_through_page(client, 999_999, studio_id).status_code == 404
    assert client.get("/challenges/99999999999/claims/new").status_code == 404
    assert client.get("/challenges/claims/999999").status_code == 404
    assert client.get("/challenges/claims/99999999999999").status_code == 404
    assert client.post("/challenges/claims/999999/withdraw").status_code == 404
    assert client.post("/challenges/claims/999999/shortlist").status_code == 404
    assert client.get("/challenges/files/999999").status_code == 404
    assert client.get("/challenges/999999/claims").status_code == 404
    unchanged(app, before)
    # After the deadline: the button gives way to the reason, and a claim is refused.
    with app.app_context():
        late = utcnow() - timedelta(minutes=1)
        db.session.execute(update(Challenge).values(deadline=late))
        db.session.commit()
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "The challenge&#39;s deadline has passed." in page and "Claim this challenge" not in page
    response = claim_through_page(client, challenge_id, studio_id)
    assert response.status_code == 400
    assert "The challenge&#39;s deadline has passed." in text_of(response)
    unchanged(app, before)


def test_one_live_claim_per_studio_and_the_selection_page_rights(app, client, board):
    scene, contact, challenge_id = board
    switch(client, scene.leaders[0])
    assert claim_through_page(client, challenge_id, scene.studio_ids[0]).status_code == 302
    before = snapshot(app)
    again = claim_through_page(client, challenge_id, scene.studio_ids[0])
    assert again.status_code == 400
    assert "This cannot be done to a claim that is active." in text_of(again)
    unchanged(app, before)
    with app.app_context():
        claim_id = db.session.scalar(select(ChallengeClaim.id))
    # Only the poster shortlists; the reviewing admin reads the claims but cannot.
    assert client.post(f"/challenges/claims/{claim_id}/shortlist").status_code == 403
    switch(client, scene.city_admin)
    assert client.get(f"/challenges/{challenge_id}/claims").status_code == 200
    assert client.post(f"/challenges/claims/{claim_id}/shortlist").status_code == 403
    unchanged(app, before)
    switch(client, contact)
    assert client.post(f"/challenges/claims/{claim_id}/shortlist").status_code == 303
    with app.app_context():
        assert db.session.get(ChallengeClaim, claim_id).state is ClaimState.SHORTLISTED
        shortlisted = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "challenge.shortlisted")).all()  # fmt: skip
        assert shortlisted == [scene.leaders[0].id]
    before = snapshot(app)
    again = client.post(f"/challenges/claims/{claim_id}/shortlist")
    assert again.status_code == 400
    assert "This cannot be done to a claim that is shortlisted." in text_of(again)
    unchanged(app, before)
