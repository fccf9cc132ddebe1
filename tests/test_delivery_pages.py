"""Selection, delivery and acceptance pages: shortlist, select with milestones, report with
files, confirm, accept; a horse race of two; overdue flags; the published results; the
publications from a challenge; every refusal with nothing changed. SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from guild.audit.models import AuditEntry
from guild.extensions import db
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneReport,
    MilestoneState,
    Notification,
)
from studios.services.achievements import AchievementFields, add_achievement
from studios.services.challenge_claims import Proposal, claim_challenge
from tests.conftest import union_today
from tests.studio_scene import STUDIO_NAMES
from tests.test_challenges import _more_studios
from tests.test_claim_pages import (
    NO_MARKUP,
    SCRIPT,
    TITLE,
    actor,
    claim_through_page,
    make_board,
    open_challenge,
    pdf,
    snapshot,
    switch,
    text_of,
    unchanged,
)

DAY = timedelta(days=1)


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def board(app, people):
    """The studios, an enterprise contact and an open challenge of theirs."""
    return make_board(app, people)


def due(days: int) -> str:
    return (union_today() + timedelta(days=days)).isoformat()


def milestones(*rows: tuple[str, str]) -> dict:
    data = {}
    for n, (title, when) in enumerate(rows):
        data[f"milestones-{n}-title"] = title
        data[f"milestones-{n}-due_on"] = when
    return data


PLAN = milestones(("样机", due(30)), ("现场验证", due(60)))


def kinds_for(user_id: int) -> list[str]:
    query = select(Notification.kind).where(Notification.user_id == user_id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def audit_actions() -> set[str]:
    return set(db.session.scalars(select(AuditEntry.action)))


def claims_by_leaders(client, scene, challenge_id: int, count: int = 2) -> list[int]:
    for leader, studio_id in list(zip(scene.leaders, scene.studio_ids, strict=True))[:count]:
        switch(client, leader)
        assert claim_through_page(client, challenge_id, studio_id).status_code == 302
    return list(db.session.scalars(select(ChallengeClaim.id).order_by(ChallengeClaim.id)))


def report(client, milestone_id: int, text: str = "样机完成，附测试报告", files=()):
    return client.post(
        f"/challenges/milestones/{milestone_id}/report",
        data={"text": text, "files": list(files)},
        content_type="multipart/form-data",
    )


def verdict(**changes) -> dict:
    data = {"passed": "passed", "rating": "5", "comments": "全部达标", "experts": "李专家\n张教授",
            "benefit_yuan": "1,500,000"}  # fmt: skip
    return data | changes


def test_the_whole_story_through_the_pages(app, client, board):
    scene, contact, challenge_id = board
    with app.app_context():
        first, second = claims_by_leaders(client, scene, challenge_id)
    switch(client, contact)
    assert client.post(f"/challenges/claims/{first}/shortlist").status_code == 303
    form = client.get(f"/challenges/claims/{first}/select")
    assert form.status_code == 200 and "milestones-0-title" in text_of(form)
    assert "milestones-11-title" in text_of(
        client.get(f"/challenges/claims/{first}/select?rows=all")
    )
    selected = client.post(f"/challenges/claims/{first}/select", data=PLAN)
    assert selected.status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.SELECTED
        assert db.session.get(ChallengeClaim, first).state is ClaimState.SELECTED
        assert db.session.get(ChallengeClaim, second).state is ClaimState.NOT_SELECTED
        steps = db.session.scalars(select(Milestone).order_by(Milestone.position)).all()
        assert [(m.title, m.due_on.isoformat()) for m in steps] == [
            ("样机", due(30)), ("现场验证", due(60))]  # fmt: skip
        assert kinds_for(scene.leaders[0].id)[-2:] == [
            "challenge.shortlisted",
            "challenge.selected",
        ]
        assert kinds_for(scene.leaders[1].id) == ["challenge.not_selected"]
        assert {"challenge.shortlist", "challenge.select"} <= audit_actions()
        step_ids = [m.id for m in steps]
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert STUDIO_NAMES[0] in page and "样机" in page and "Record the acceptance" not in page
    # The winner reports each milestone with a file; the poster confirms each.
    switch(client, scene.leaders[0])
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "Report progress" in page
    assert client.get(f"/challenges/milestones/{step_ids[0]}/report").status_code == 200
    assert report(client, step_ids[0], files=[pdf("测试报告.pdf")]).status_code == 302
    with app.app_context():
        made = db.session.scalar(select(MilestoneReport))
        attached = db.session.scalar(select(ChallengeFile))
        assert (made.text, attached.report_id, attached.claim_id) == ("样机完成，附测试报告",
                                                                       made.id, None)  # fmt: skip
        assert db.session.get(Milestone, step_ids[0]).state is MilestoneState.REPORTED
        assert kinds_for(contact.id)[-1] == "challenge.reported"
        assert "challenge.report" in audit_actions()
        file_id = attached.id
    switch(client, contact)
    detail = text_of(client.get(f"/challenges/claims/{first}"))
    assert "样机完成，附测试报告" in detail and "测试报告.pdf" in detail and "Confirm" in detail
    assert client.get(f"/challenges/files/{file_id}").status_code == 200
    assert client.post(f"/challenges/milestones/{step_ids[0]}/confirm").status_code == 303
    switch(client, scene.leaders[0])
    assert report(client, step_ids[1], text="现场验证通过").status_code == 302
    switch(client, contact)
    assert client.post(f"/challenges/milestones/{step_ids[1]}/confirm").status_code == 303
    with app.app_context():
        assert db.session.get(ChallengeClaim, first).state is ClaimState.DELIVERED
        assert kinds_for(scene.leaders[0].id).count("challenge.confirmed") == 2
        assert "challenge.confirm" in audit_actions()
    # The acceptance, with a panel and the benefit: the result is published.
    assert "Record the acceptance" in text_of(client.get(f"/challenges/{challenge_id}"))
    assert client.get(f"/challenges/claims/{first}/accept").status_code == 200
    accepted = client.post(f"/challenges/claims/{first}/accept", data=verdict())
    assert accepted.status_code == 302
    with app.app_context():
        record = db.session.get(Acceptance, first)
        assert (record.passed, record.rating, record.experts, record.benefit_fen) == (
            True, 5, ["李专家", "张教授"], 150_000_000)  # fmt: skip
        challenge = db.session.get(Challenge, challenge_id)
        assert challenge.state is ChallengeState.FINISHED and challenge.benefit_fen == 150_000_000
        assert db.session.get(ChallengeClaim, first).state is ClaimState.PASSED
        assert kinds_for(scene.leaders[0].id)[-1] == "challenge.passed"
        assert "challenge.accept" in audit_actions()
    client.post("/account/logout")
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "Passed" in page and "Rating 5 of 5" in page and "1,500,000.00" in page
    assert client.get(f"/challenges/files/{file_id}").status_code == 404  # visitors: no files
    results = text_of(client.get("/challenges/results"))
    assert TITLE in results and "1,500,000.00" in results and STUDIO_NAMES[0] in results


def test_a_horse_race_of_two_winners(app, client, board, people):
    scene, contact, _first_challenge = board
    extra = people.make(real_name="第三领衔人")
    race = open_challenge(app, scene, contact, title="焊缝缺陷识别赛马", winners_wanted=2)
    with app.app_context():
        third_studio = _more_studios(scene, [extra])[0]
        ids = claims_by_leaders(client, scene, race)
        claim_challenge(actor(extra), race, third_studio, Proposal("第三方案"))
        db.session.commit()
        ids = list(db.session.scalars(
            select(ChallengeClaim.id).where(ChallengeClaim.challenge_id == race)
            .order_by(ChallengeClaim.id)))  # fmt: skip
    switch(client, contact)
    one = milestones(("交付", due(10)))
    assert client.post(f"/challenges/claims/{ids[0]}/select", data=one).status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, race).state is ChallengeState.OPEN  # one more wanted
        assert db.session.get(ChallengeClaim, ids[2]).state is ClaimState.ACTIVE
    assert client.post(f"/challenges/claims/{ids[1]}/select", data=one).status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, race).state is ChallengeState.SELECTED
        states = [db.session.get(ChallengeClaim, i).state for i in ids]
        assert states == [ClaimState.SELECTED, ClaimState.SELECTED, ClaimState.NOT_SELECTED]
        assert kinds_for(extra.id)[-1] == "challenge.not_selected"
        steps = {m.claim_id: m.id for m in db.session.scalars(select(Milestone))}
    refused = client.post(f"/challenges/claims/{ids[2]}/select", data=one)
    assert refused.status_code == 400
    page = text_of(client.get(f"/challenges/{race}"))
    assert "Winners" in page and STUDIO_NAMES[0] in page and STUDIO_NAMES[1] in page
    for claim_id, leader in zip(ids[:2], scene.leaders, strict=True):
        switch(client, leader)
        assert report(client, steps[claim_id]).status_code == 302
        switch(client, contact)
        assert client.post(f"/challenges/milestones/{steps[claim_id]}/confirm").status_code == 303
    assert client.post(f"/challenges/claims/{ids[0]}/accept", data=verdict()).status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, race).state is ChallengeState.SELECTED  # one to go
    failed = verdict(passed="failed", rating="2", comments="精度未达标", benefit_yuan="0")
    assert client.post(f"/challenges/claims/{ids[1]}/accept", data=failed).status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, race).state is ChallengeState.FINISHED
        assert db.session.get(ChallengeClaim, ids[1]).state is ClaimState.FAILED
        assert kinds_for(scene.leaders[1].id)[-1] == "challenge.failed"
    client.post("/account/logout")
    page = text_of(client.get(f"/challenges/{race}"))
    assert "精度未达标" not in page  # a failed verdict's comments stay with the parties
    results = text_of(client.get("/challenges/results"))
    assert "焊缝缺陷识别赛马" in results and STUDIO_NAMES[0] in results
    assert STUDIO_NAMES[1] not in results


def _selected(app, client, scene, contact, challenge_id, plan=PLAN) -> tuple[int, list[int]]:
    with app.app_context():
        first, _second = claims_by_leaders(client, scene, challenge_id)
    switch(client, contact)
    assert client.post(f"/challenges/claims/{first}/select", data=plan).status_code == 302
    with app.app_context():
        ids = db.session.scalars(select(Milestone.id).order_by(Milestone.position)).all()
    return first, list(ids)


def test_selection_refusals_change_nothing(app, client, board):
    scene, contact, challenge_id = board
    with app.app_context():
        first, second = claims_by_leaders(client, scene, challenge_id)
    switch(client, scene.leaders[1])
    assert client.post(f"/challenges/claims/{second}/withdraw").status_code == 303
    before = snapshot(app)
    switch(client, contact)
    cases = [
        (second, PLAN, "This cannot be done to a claim that is withdrawn."),
        (first, {}, "Set 1 to 12 milestones for the winner."),
        (first, milestones(("样机", (union_today() - DAY).isoformat())),
         "Each milestone is due today or later."),
        (first, milestones(("晚", due(60)), ("早", due(30))),
         "List the milestones in the order they are due."),
        (first, milestones((SCRIPT, due(30))), NO_MARKUP),
        (first, milestones(("样机", "")), "Give each milestone both a title and a due date."),
        (first, milestones(("样机", "3024-01-01")), "Enter a year from 2000 to 2999."),
        (first, milestones(("样机", "not a date")), "Not a valid date value."),
    ]  # fmt: skip
    for claim_id, data, message in cases:
        response = client.post(f"/challenges/claims/{claim_id}/select", data=data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
    page = text_of(client.get(f"/challenges/claims/{second}/select"))
    assert "This claim cannot be selected now." in page
    # Only the poster selects: the claimant and the reviewing admin are refused.
    for person in (scene.leaders[0], scene.city_admin):
        switch(client, person)
        assert client.post(f"/challenges/claims/{first}/select", data=PLAN).status_code == 403
    switch(client, scene.outsider)
    assert client.post(f"/challenges/claims/{first}/select", data=PLAN).status_code == 404
    assert client.post("/challenges/claims/999999/select", data=PLAN).status_code == 404
    assert client.get("/challenges/claims/99999999999/select").status_code == 404
    unchanged(app, before)


def test_delivery_and_acceptance_refusals_change_nothing(app, client, board):
    scene, contact, challenge_id = board
    first, steps = _selected(app, client, scene, contact, challenge_id)
    before = snapshot(app)
    # Accepting before the delivery, confirming before a report.
    page = text_of(client.get(f"/challenges/claims/{first}/accept"))
    assert "once every milestone has been confirmed" in page
    early = client.post(f"/challenges/claims/{first}/accept", data=verdict())
    assert early.status_code == 400
    assert "This cannot be done to a claim that is selected." in text_of(early)
    unconfirmed = client.post(f"/challenges/milestones/{steps[0]}/confirm")
    assert unconfirmed.status_code == 400
    assert "This cannot be done to a milestone that is pending." in text_of(unconfirmed)
    # Only the winner's leader reports: the poster and the studio's member are refused.
    assert report(client, steps[0]).status_code == 403
    switch(client, scene.members[0])
    assert report(client, steps[0]).status_code == 403
    assert "Progress on this milestone cannot be reported now." in text_of(
        client.get(f"/challenges/milestones/{steps[0]}/report"))  # fmt: skip
    switch(client, scene.leaders[1])  # the studio not selected
    assert client.get(f"/challenges/milestones/{steps[0]}/report").status_code == 404
    assert report(client, steps[0]).status_code == 404
    switch(client, scene.leaders[0])
    for text, message in ((SCRIPT, NO_MARKUP), (" ", "This field is required.")):
        response = report(client, steps[0], text=text)
        assert response.status_code == 400 and message in text_of(response)
    assert client.post(f"/challenges/milestones/{steps[0]}/confirm").status_code == 403
    assert client.get("/challenges/milestones/999999/report").status_code == 404
    assert report(client, 99999999999).status_code == 404
    assert client.post("/challenges/milestones/999999/confirm").status_code == 404
    unchanged(app, before)
    # Delivered, the verdict's bad values are refused too.
    for step in steps:
        switch(client, scene.leaders[0])
        report(client, step)
        switch(client, contact)
        client.post(f"/challenges/milestones/{step}/confirm")
    before = snapshot(app)
    cases = [
        (verdict(rating="9"), "Not a valid choice."),
        (verdict(passed="maybe"), "Not a valid choice."),
        (verdict(benefit_yuan="-5"), "The amount cannot be negative."),
        (verdict(benefit_yuan="1e12"), "The amount is too large to be real."),
        (verdict(comments=SCRIPT), NO_MARKUP),
        (verdict(experts=SCRIPT), NO_MARKUP),
        (verdict(experts="\n".join(f"专家{n}" for n in range(11))),
         "Name at most 10 experts, 30 characters each."),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(f"/challenges/claims/{first}/accept", data=data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
    switch(client, scene.leaders[0])
    assert client.post(f"/challenges/claims/{first}/accept", data=verdict()).status_code == 403
    assert client.post("/challenges/claims/999999/accept", data=verdict()).status_code == 404
    unchanged(app, before)


def test_overdue_milestones_are_flagged(app, client, board):
    scene, contact, challenge_id = board
    plan = milestones(("样机", due(0)), ("验证", due(5)))
    first, steps = _selected(app, client, scene, contact, challenge_id, plan)
    assert "Overdue" not in text_of(client.get(f"/challenges/{challenge_id}"))
    with app.app_context():
        past = union_today() - timedelta(days=3)
        db.session.execute(update(Milestone).where(Milestone.id == steps[0]).values(due_on=past))
        db.session.commit()
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert page.count('class="badge text-bg-danger overdue"') == 1
    assert 'class="badge text-bg-danger overdue"' in text_of(
        client.get(f"/challenges/claims/{first}")
    )
    client.post("/account/logout")  # visitors see the flag too
    assert "Overdue" in text_of(client.get(f"/challenges/{challenge_id}"))
    switch(client, scene.leaders[0])
    assert report(client, steps[0]).status_code == 302
    assert "Overdue" in text_of(client.get(f"/challenges/{challenge_id}"))  # reported, not done
    switch(client, contact)
    client.post(f"/challenges/milestones/{steps[0]}/confirm")
    assert "Overdue" not in text_of(client.get(f"/challenges/{challenge_id}"))


def test_publications_from_a_challenge_are_listed(app, client, board):
    scene, _contact, challenge_id = board
    with app.app_context():
        add_achievement(
            actor(scene.members[0]),
            scene.studio_ids[0],
            AchievementFields("减速箱预测性维护系统", date(2024, 5, 1), challenge_id=challenge_id),
        )
        db.session.commit()
    page = text_of(client.get(f"/challenges/{challenge_id}"))
    assert "From this challenge" in page and "减速箱预测性维护系统" in page
    assert f"/studios/{scene.studio_ids[0]}/achievements/" in page
