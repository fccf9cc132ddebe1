"""The entrants' contest pages: entering (alone or as a team), an entry's status, withdrawing,
and sitting the theory paper on the training engine. Runs on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest

from competitions.contests.models import Contest, Entry, EntryMember, EntryStatus, Stage
from competitions.contests.services.contests import (
    ContestFields,
    create_contest,
    open_registration,
)
from competitions.contests.services.registration import decide
from competitions.training.models import Attempt
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from tests.conftest import login
from tests.contest_scene import build_contest


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


def url(contest_id: int, rest: str = "entry") -> str:
    return f"/skills/contests/{contest_id}/{rest}"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def rows(app, model, **where) -> list:
    with app.app_context():
        query = db.select(model).filter_by(**where)
        return list(db.session.scalars(query))


def entry_of(app, contest_id: int, user_id: int) -> Entry | None:
    with app.app_context():
        query = db.select(Entry).join(EntryMember, EntryMember.entry_id == Entry.id)
        query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id == user_id)
        entry = db.session.scalar(query)
        if entry is not None:
            db.session.expunge(entry)
        return entry


def team_contest(app, organiser_id: int, trade_id: int, size: int = 2) -> int:
    """A team contest open for registration now, made by the services."""
    now = utcnow()
    fields = ContestFields(
        "全省电工团体赛",
        trade_id,
        team_size=size,
        registration_opens_at=now - timedelta(hours=1),
        registration_closes_at=now + timedelta(hours=1),
    )
    with app.app_context():
        contest_id = create_contest(actor(organiser_id), fields).id
        open_registration(actor(organiser_id), contest_id)
        db.session.commit()
        return contest_id


@pytest.fixture
def registering(app, people, trade_id):
    """A contest at registration (its six workers entered and approved), and a newcomer."""
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION)
    newcomer = people.make(real_name="冯新来", enterprise_id=scene.enterprises[0])
    return scene, newcomer


def test_a_worker_enters_in_a_group_and_sees_the_entry_pending(app, client, registering):
    scene, newcomer = registering
    switch(client, newcomer)
    page = client.get(url(scene.contest_id))
    assert page.status_code == 200
    assert "Enter this contest" in text_of(page) and "甲组" in text_of(page)
    with app.app_context():
        group_id = db.session.get(Contest, scene.contest_id).groups[1].id
    response = client.post(url(scene.contest_id), data={"group_id": str(group_id)})
    assert response.status_code == 302
    entry = entry_of(app, scene.contest_id, newcomer.id)
    assert entry.status is EntryStatus.PENDING and entry.group_id == group_id
    assert rows(app, AuditEntry, action="contest.enter", object_id=str(entry.id))
    page = text_of(client.get(url(scene.contest_id)))
    assert "Waiting for approval" in page and "乙组" in page and "Withdraw my entry" in page


def test_entering_without_a_group_is_refused_with_the_services_message(app, client, registering):
    scene, newcomer = registering
    switch(client, newcomer)
    response = client.post(url(scene.contest_id), data={"group_id": ""})
    assert response.status_code == 400
    assert "Choose a group of this contest." in text_of(response)
    assert entry_of(app, scene.contest_id, newcomer.id) is None
    response = client.post(url(scene.contest_id), data={"group_id": "999999"})
    assert response.status_code == 400 and entry_of(app, scene.contest_id, newcomer.id) is None
    response = client.post(url(scene.contest_id), data={"group_id": "x'; drop"})
    assert response.status_code == 400 and entry_of(app, scene.contest_id, newcomer.id) is None


def test_approval_and_rejection_with_its_note_are_shown(app, client, people, registering):
    scene, newcomer = registering
    switch(client, scene.workers[0])
    page = text_of(client.get(url(scene.contest_id)))
    assert "Approved" in page and "甲组" in page
    switch(client, newcomer)
    with app.app_context():
        group_id = db.session.get(Contest, scene.contest_id).groups[0].id
    client.post(url(scene.contest_id), data={"group_id": str(group_id)})
    entry = entry_of(app, scene.contest_id, newcomer.id)
    with app.app_context():
        decide(actor(scene.organiser.id), entry.id, False, "不符合报名条件")
        db.session.commit()
    page = text_of(client.get(url(scene.contest_id)))
    assert "Turned down" in page and "不符合报名条件" in page


def test_a_worker_withdraws_their_entry_but_not_another_workers(app, client, registering):
    scene, _newcomer = registering
    mine, theirs = (scene.entries[w.id] for w in scene.workers[:2])
    switch(client, scene.workers[0])
    response = client.post(url(scene.contest_id, f"entry/{theirs}/withdraw"))
    assert response.status_code == 400
    assert "You can only withdraw your own entries." in text_of(response)
    assert entry_of(app, scene.contest_id, scene.workers[1].id).status is EntryStatus.APPROVED
    response = client.post(url(scene.contest_id, f"entry/{mine}/withdraw"))
    assert response.status_code == 302
    assert entry_of(app, scene.contest_id, scene.workers[0].id).status is EntryStatus.WITHDRAWN
    assert rows(app, AuditEntry, action="contest.withdraw", object_id=str(mine))
    assert "Withdrawn" in text_of(client.get(url(scene.contest_id)))


def test_forged_ids_answer_404_and_drafts_stay_hidden(app, client, people, trade_id, registering):
    scene, newcomer = registering
    switch(client, newcomer)
    assert client.get(url(999999)).status_code == 404
    assert client.post(url(scene.contest_id, "entry/999999/withdraw")).status_code == 404
    other = team_contest(app, scene.organiser.id, trade_id)
    mine = scene.entries[scene.workers[0].id]
    switch(client, scene.workers[0])
    assert client.post(url(other, f"entry/{mine}/withdraw")).status_code == 404
    assert entry_of(app, scene.contest_id, scene.workers[0].id).status is EntryStatus.APPROVED
    with app.app_context():
        fields = ContestFields("草稿赛", trade_id)
        draft = create_contest(actor(scene.organiser.id), fields).id
        db.session.commit()
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), data={"group_id": ""}).status_code == 404
    assert client.get(url(draft, "entry/result")).status_code == 404
    switch(client, scene.organiser)
    assert client.get(url(draft)).status_code == 200


def test_forms_need_their_csrf_token(make_app, people, trade_id):
    app = make_app(BABEL_DEFAULT_LOCALE="en", WTF_CSRF_ENABLED=True)
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION, workers=2)
    client = app.test_client()
    login_with_csrf(client, scene.workers[0])
    entry_id = scene.entries[scene.workers[0].id]
    response = client.post(url(scene.contest_id, f"entry/{entry_id}/withdraw"))
    assert response.status_code == 400
    assert entry_of(app, scene.contest_id, scene.workers[0].id).status is EntryStatus.APPROVED
    page = text_of(client.get(url(scene.contest_id)))
    assert 'name="csrf_token"' in page


def login_with_csrf(client, person) -> None:
    """Sign in through the login form, token included, as a browser would."""
    import re

    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"phone": person.phone, "password": person.password, "csrf_token": token}
    assert client.post("/account/login", data=data).status_code == 302


def test_a_contact_enters_a_team_of_their_workers_and_withdraws_it(app, client, people, trade_id):
    firm = people.enterprise("杭州电建有限公司")
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="林联络", enterprise_id=firm)
    crew = [people.make(real_name=name, enterprise_id=firm) for name in ("王大力", "刘小巧")]
    outsider = people.make(real_name="外单位", enterprise_id=people.enterprise("别家公司"))
    contest_id = team_contest(app, organiser.id, trade_id)
    switch(client, contact)
    page = text_of(client.get(url(contest_id, "entry/team")))
    assert "王大力" in page and "刘小巧" in page and "外单位" not in page
    data = {"team_name": "电建一队", "captain": str(crew[0].id), "members": [str(crew[1].id)]}
    forged = data | {"members": [str(outsider.id)]}
    response = client.post(url(contest_id, "entry/team"), data=forged)
    assert response.status_code == 400
    assert "Every member must work for the team&#39;s enterprise." in text_of(response)
    for members in (["99999999999999999999"], ["abc"], [str(crew[0].id)]):
        response = client.post(url(contest_id, "entry/team"), data=data | {"members": members})
        assert response.status_code == 400
    assert not rows(app, Entry, contest_id=contest_id)
    response = client.post(url(contest_id, "entry/team"), data=data)
    assert response.status_code == 302
    (team,) = rows(app, Entry, contest_id=contest_id)
    assert team.team_name == "电建一队" and team.enterprise_id == firm
    assert [m.user_id for m in team.members] == [crew[0].id, crew[1].id]
    page = text_of(client.get(url(contest_id, "entry/team")))
    assert "电建一队" in page and "Waiting for approval" in page
    switch(client, crew[1])
    page = text_of(client.get(url(contest_id)))
    assert "电建一队" in page and "王大力 (captain)" in page
    assert client.post(url(contest_id, f"entry/{team.id}/withdraw")).status_code == 400
    switch(client, contact)
    response = client.post(url(contest_id, f"entry/{team.id}/withdraw"))
    assert response.status_code == 302
    assert rows(app, Entry, id=team.id)[0].status is EntryStatus.WITHDRAWN


def test_the_team_page_is_for_enterprise_contacts_only(app, client, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    contest_id = team_contest(app, organiser.id, trade_id)
    worker = people.make(real_name="普通工人", enterprise_id=people.enterprise())
    switch(client, worker)
    assert client.get(url(contest_id, "entry/team")).status_code == 403
    page = text_of(client.get(url(contest_id)))
    assert "Teams enter this contest through their enterprise." in page
    response = client.post(url(contest_id), data={"group_id": ""})
    assert response.status_code == 400 and not rows(app, Entry, contest_id=contest_id)


def test_the_hub_panel_offers_entering_and_shows_the_entry(app, client, registering):
    scene, newcomer = registering
    switch(client, newcomer)
    page = text_of(client.get(f"/skills/contests/{scene.contest_id}"))
    assert 'id="entrant-panel"' in page and "Enter this contest" in page
    switch(client, scene.workers[0])
    page = text_of(client.get(f"/skills/contests/{scene.contest_id}"))
    assert "My entry" in page and "Approved" in page


@pytest.fixture
def theory_open(app, people, trade_id):
    """A contest at its theory stage, the paper's window open now."""
    return build_contest(app, people, trade_id, until=Stage.THEORY, workers=2)


def test_the_paper_is_started_from_the_page_and_sat_on_the_training_engine(
    app, client, theory_open
):
    scene, worker = theory_open, theory_open.workers[0]
    switch(client, worker)
    page = text_of(client.get(url(scene.contest_id)))
    assert "Sit the theory paper" in page and "Station" in page
    with app.app_context():
        code = db.session.get(Entry, scene.entries[worker.id]).code
    assert code not in page  # the entry code is for the judges
    response = client.post(url(scene.contest_id, "entry/theory"))
    assert response.status_code == 302
    (paper,) = rows(app, Attempt, user_id=worker.id)
    assert response.headers["Location"].endswith(f"/skills/training/attempts/{paper.id}/")
    assert rows(app, Entry, id=scene.entries[worker.id])[0].theory_attempt_id == paper.id
    question = client.get(response.headers["Location"], follow_redirects=True)
    assert question.status_code == 200 and "电工" in text_of(question)
    again = client.post(url(scene.contest_id, "entry/theory"))
    assert again.headers["Location"] == response.headers["Location"]  # the same paper
    submitted = client.post(f"/skills/training/attempts/{paper.id}/submit")
    assert submitted.status_code == 302
    assert client.get(submitted.headers["Location"]).status_code == 200
    assert rows(app, Attempt, id=paper.id)[0].submitted_at is not None


def test_the_paper_is_refused_to_non_entrants(app, client, people, theory_open):
    switch(client, people.make(real_name="旁观者"))
    response = client.post(url(theory_open.contest_id, "entry/theory"))
    assert response.status_code == 400
    assert "Only approved entrants of this contest sit its theory paper." in text_of(response)
    assert not rows(app, Attempt)


def test_the_paper_is_refused_before_the_theory_stage(app, client, people, trade_id):
    drawn = build_contest(app, people, trade_id, until=Stage.DRAWN, workers=1)
    switch(client, drawn.workers[0])
    assert "Sit the theory paper" not in text_of(client.get(url(drawn.contest_id)))
    response = client.post(url(drawn.contest_id, "entry/theory"))
    assert response.status_code == 400
    assert "The theory paper is not open now." in text_of(response)
    assert not rows(app, Attempt, user_id=drawn.workers[0].id)


def test_the_hub_panel_reads_at_most_two_queries(app, people, trade_id):
    from flask_login import login_user
    from sqlalchemy import event

    from competitions.contests.entry_pages import entrant_panel

    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION, workers=2)
    team_id = team_contest(app, scene.organiser.id, trade_id)
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    for person, contest_id in ((scene.workers[0], scene.contest_id), (scene.contact, team_id)):
        with app.test_request_context():
            login_user(db.session.get(User, person.id))
            contest = db.session.get(Contest, contest_id)
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                panel = entrant_panel(contest)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert len(statements) <= 2, statements
            statements.clear()
            assert (panel.entry is not None) is (person is scene.workers[0])
            assert panel.contact is (person is scene.contact)
