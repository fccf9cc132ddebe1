"""A worker's own result and appeals, and the organiser's publication, rulings and finalising,
through the pages. Runs on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest

from competitions.contests.marking_models import Appeal, AppealStatus, Criterion
from competitions.contests.models import Contest, Stage
from competitions.contests.services.appeals import file_appeal, publish_results
from competitions.contests.services.results import entrant_result
from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from tests.conftest import login
from tests.contest_scene import build_contest

WINDOW_CLOSED = "Appeals can only be filed while the results are in publicity."


@pytest.fixture
def app(make_app):
    """The app speaking English, so pages are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(user_id: int) -> Actor:
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def switch(client, person) -> None:
    """Sign out whoever is signed in, then sign in as the person."""
    client.post("/account/logout")
    login(client, person)


def url(contest_id: int, rest: str) -> str:
    return f"/skills/contests/{contest_id}/{rest}"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def rows(app, model, **where) -> list:
    with app.app_context():
        return list(db.session.scalars(db.select(model).filter_by(**where)))


def contest_of(app, contest_id: int) -> Contest:
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        db.session.expunge(contest)
        return contest


@pytest.fixture
def published(app, people, trade_id):
    """A contest whose results were published just now: the appeal window is open."""
    return build_contest(app, people, trade_id, until=Stage.PUBLICITY)


def published_days_ago(app, people, trade_id, days: int = 6):
    """A contest published `days` ago through the service (5 appeal days: closed since 1)."""
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED)
    with app.app_context():
        moment = utcnow() - timedelta(days=days)
        publish_results(actor(scene.organiser.id), scene.contest_id, now=moment)
        db.session.commit()
    return scene, moment


def test_a_worker_sees_their_own_marks_and_no_one_elses(app, client, published):
    me, other = published.workers[0], published.workers[1]
    with app.app_context():
        mine = entrant_result(published.contest_id, me.id)
        theirs = entrant_result(published.contest_id, other.id)
    assert f"{mine.total:.2f}" != f"{theirs.total:.2f}"
    switch(client, me)
    page = client.get(url(published.contest_id, "entry/result"))
    assert page.status_code == 200
    body = text_of(page)
    for figure in (mine.total, mine.theory, mine.practical):
        assert f"{figure:.2f}" in body
    assert f"{mine.rank} / {mine.entrants}" in body
    for mark in mine.marks:
        assert mark.code in body and f"{mark.mark:.2f}" in body
    assert f"{theirs.total:.2f}" not in body and other.real_name not in body
    assert mine.code not in body  # entry codes stay with the judges' papers
    if mine.title:
        assert "技术能手" in body
    assert 'id="appeal"' in body  # the window is open


def test_no_result_before_publication_and_none_for_outsiders(app, client, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED, workers=2)
    switch(client, scene.workers[0])
    page = client.get(url(scene.contest_id, "entry/result"))
    assert page.status_code == 200
    assert "Results are not published yet." in text_of(page)
    assert 'id="my-marks"' not in text_of(page) and 'id="appeal"' not in text_of(page)
    response = client.post(url(scene.contest_id, "appeals/new"), data={"reason": "分数有误"})
    assert response.status_code == 400 and WINDOW_CLOSED in text_of(response)
    assert not rows(app, Appeal)
    with app.app_context():
        publish_results(actor(scene.organiser.id), scene.contest_id)
        db.session.commit()
    switch(client, people.make(real_name="旁观者"))
    page = text_of(client.get(url(scene.contest_id, "entry/result")))
    assert "You have no result in this contest." in page and 'id="my-marks"' not in page


def test_an_appeal_in_the_window_is_stored_and_audited(app, client, published):
    worker = published.workers[0]
    switch(client, worker)
    response = client.post(
        url(published.contest_id, "appeals/new"), data={"reason": "A1.2 评分与现场不符"}
    )
    assert response.status_code == 302
    (appeal,) = rows(app, Appeal, contest_id=published.contest_id)
    assert appeal.reason == "A1.2 评分与现场不符" and appeal.status is AppealStatus.OPEN
    assert appeal.entry_id == published.entries[worker.id] and appeal.filed_by_id == worker.id
    assert rows(app, AuditEntry, action="contest.appeal", object_id=str(appeal.id))
    page = text_of(client.get(url(published.contest_id, "entry/result")))
    assert "A1.2 评分与现场不符" in page and "Waiting for a ruling" in page
    # No second form while this one waits: the page says why instead.
    assert 'id="appeal-waiting"' in page and 'id="appeal"' not in page
    again = client.post(url(published.contest_id, "appeals/new"), data={"reason": "再申诉"})
    assert again.status_code == 400
    assert "Your entry already has an appeal waiting for its ruling." in text_of(again)
    assert len(rows(app, Appeal)) == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "This field is required."), ("   ", "This field is required."), ("长" * 2001, "2000")],
)
def test_a_bad_reason_is_refused_and_nothing_stored(app, client, published, reason, message):
    switch(client, published.workers[0])
    response = client.post(url(published.contest_id, "appeals/new"), data={"reason": reason})
    assert response.status_code == 400 and message in text_of(response)
    assert not rows(app, Appeal) and not rows(app, AuditEntry, action="contest.appeal")


def test_a_non_entrant_cannot_appeal(app, client, people, published):
    switch(client, people.make(real_name="旁观者"))
    response = client.post(url(published.contest_id, "appeals/new"), data={"reason": "不服"})
    assert response.status_code == 400
    assert "Only an entrant of this contest may appeal its results." in text_of(response)
    assert not rows(app, Appeal)


def test_an_appeal_after_the_window_is_refused(app, client, people, trade_id):
    scene, _published_at = published_days_ago(app, people, trade_id)
    switch(client, scene.workers[0])
    page = text_of(client.get(url(scene.contest_id, "entry/result")))
    assert "The appeal window closed on" in page and 'id="appeal"' not in page
    response = client.post(url(scene.contest_id, "appeals/new"), data={"reason": "迟到的申诉"})
    assert response.status_code == 400 and WINDOW_CLOSED in text_of(response)
    assert not rows(app, Appeal) and not rows(app, AuditEntry, action="contest.appeal")


def file_through_page(client, scene, worker, reason: str = "B1.1 安全防护评分偏低") -> None:
    switch(client, worker)
    response = client.post(url(scene.contest_id, "appeals/new"), data={"reason": reason})
    assert response.status_code == 302


def test_an_upheld_ruling_reopens_the_aspect_with_the_ruling_as_reason(app, client, published):
    file_through_page(client, published, published.workers[0])
    (appeal,) = rows(app, Appeal)
    switch(client, published.organiser)
    page = text_of(client.get(url(published.contest_id, "appeals")))
    assert "B1.1 安全防护评分偏低" in page and published.workers[0].real_name in page
    assert f'name="appeal-{appeal.id}-ruling"' in page
    data = {
        f"appeal-{appeal.id}-decision": "upheld",
        f"appeal-{appeal.id}-ruling": "经复核录像，安全防护项应重评",
        f"appeal-{appeal.id}-reopen_aspect_id": str(published.aspects["B1.1"]),
    }
    response = client.post(url(published.contest_id, f"appeals/{appeal.id}/ruling"), data=data)
    assert response.status_code == 302
    (ruled,) = rows(app, Appeal)
    assert ruled.status is AppealStatus.UPHELD and ruled.ruling == "经复核录像，安全防护项应重评"
    assert ruled.reopened_aspect_id == published.aspects["B1.1"]
    assert rows(app, Criterion, id=published.criteria["B"])[0].locked_at is None
    assert rows(app, Criterion, id=published.criteria["A"])[0].locked_at is not None
    (reopened,) = rows(app, AuditEntry, action="contest.aspect_reopen")
    assert "经复核录像，安全防护项应重评" in reopened.after["reason"]
    assert rows(app, AuditEntry, action="contest.ruling", object_id=str(appeal.id))
    switch(client, published.workers[0])
    page = text_of(client.get(url(published.contest_id, "entry/result")))
    assert "Upheld" in page and "经复核录像，安全防护项应重评" in page


def test_bad_rulings_are_refused_and_change_nothing(app, client, people, published):
    file_through_page(client, published, published.workers[0])
    (appeal,) = rows(app, Appeal)
    ruling = url(published.contest_id, f"appeals/{appeal.id}/ruling")
    prefix = f"appeal-{appeal.id}-"
    switch(client, published.workers[1])
    assert client.get(url(published.contest_id, "appeals")).status_code == 403
    data = {prefix + "decision": "dismissed", prefix + "ruling": "驳回"}
    assert client.post(ruling, data=data).status_code == 403
    switch(client, published.organiser)
    assert (
        client.post(url(published.contest_id, "appeals/999999/ruling"), data=data).status_code
        == 404
    )
    assert client.post(url(999999, f"appeals/{appeal.id}/ruling"), data=data).status_code == 404
    response = client.post(ruling, data={prefix + "decision": "dismissed", prefix + "ruling": ""})
    assert response.status_code == 400 and "This field is required." in text_of(response)
    response = client.post(ruling, data={prefix + "ruling": "无结论"})
    assert response.status_code == 400
    assert "Choose whether the appeal is upheld or dismissed." in text_of(response)
    upheld = data | {prefix + "decision": "upheld"}
    for aspect in ("abc", "99999999999999999999", "999999"):
        response = client.post(ruling, data=upheld | {prefix + "reopen_aspect_id": aspect})
        assert response.status_code == 400
    reopen = data | {prefix + "reopen_aspect_id": str(published.aspects["A1.1"])}
    response = client.post(ruling, data=reopen)
    assert response.status_code == 400
    assert "Only an upheld appeal reopens an aspect." in text_of(response)
    assert rows(app, Appeal)[0].status is AppealStatus.OPEN
    assert all(row.locked_at is not None for row in rows(app, Criterion))
    assert not rows(app, AuditEntry, action="contest.ruling")


def test_finalise_is_refused_while_an_appeal_is_open_then_allowed(app, client, people, trade_id):
    scene, published_at = published_days_ago(app, people, trade_id)
    with app.app_context():  # filed on the window's first day, through the service
        worker = actor(scene.workers[0].id)
        file_appeal(worker, scene.contest_id, "理论成绩有误", now=published_at + timedelta(days=1))
        db.session.commit()
    (appeal,) = rows(app, Appeal)
    switch(client, scene.organiser)
    response = client.post(url(scene.contest_id, "finalise"))
    assert response.status_code == 400
    assert "Rule on every appeal before making the results final." in text_of(response)
    assert contest_of(app, scene.contest_id).stage is Stage.PUBLICITY
    prefix = f"appeal-{appeal.id}-"
    data = {prefix + "decision": "dismissed", prefix + "ruling": "经核实成绩无误"}
    ruled = client.post(url(scene.contest_id, f"appeals/{appeal.id}/ruling"), data=data)
    assert ruled.status_code == 302
    assert rows(app, Appeal)[0].status is AppealStatus.DISMISSED
    response = client.post(url(scene.contest_id, "finalise"))
    assert response.status_code == 302
    contest = contest_of(app, scene.contest_id)
    assert contest.stage is Stage.FINAL and contest.finalised_at is not None
    assert rows(app, AuditEntry, action="contest.finalise")
    switch(client, scene.workers[0])
    page = text_of(client.get(url(scene.contest_id, "entry/result")))
    assert "Dismissed" in page and "经核实成绩无误" in page


def test_finalise_is_refused_while_the_window_is_open(app, client, published):
    switch(client, published.organiser)
    response = client.post(url(published.contest_id, "finalise"))
    assert response.status_code == 400
    assert "Results are made final once the appeal window has closed." in text_of(response)
    assert contest_of(app, published.contest_id).stage is Stage.PUBLICITY


def test_the_organiser_publishes_results_from_the_hub(app, client, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REVEALED, workers=2)
    switch(client, scene.workers[0])
    assert client.post(url(scene.contest_id, "publish")).status_code == 403
    assert contest_of(app, scene.contest_id).stage is Stage.REVEALED
    switch(client, scene.organiser)
    hub = text_of(client.get(f"/skills/contests/{scene.contest_id}"))
    assert "Publish results" in hub
    response = client.post(url(scene.contest_id, "publish"))
    assert response.status_code == 302
    contest = contest_of(app, scene.contest_id)
    assert contest.stage is Stage.PUBLICITY and contest.published_at is not None
    assert contest.appeals_close_at == contest.published_at + timedelta(days=contest.appeal_days)
    assert rows(app, AuditEntry, action="contest.publish")
    again = client.post(url(scene.contest_id, "publish"))
    assert again.status_code == 400
    assert "Results are published once the codes are revealed." in text_of(again)
    hub = text_of(client.get(f"/skills/contests/{scene.contest_id}"))
    assert "Make results final" in hub and "Publication and appeals" in hub
    switch(client, scene.workers[0])
    hub = text_of(client.get(f"/skills/contests/{scene.contest_id}"))
    assert "My result" in hub and "Publish results" not in hub
