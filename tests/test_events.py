"""Exchange events: capacity, the waiting list and its promotion, concurrent sign-ups,
cancellation, check-in rights, bad input, and the pages."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.activity_models import Event, EventSignup
from studios.services import events
from studios.services.access import NotAllowed
from tests.conftest import login
from tests.studio_scene import build_studios
from tests.test_training_concurrency import run_together


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def actor(person_or_id) -> Actor:
    user_id = getattr(person_or_id, "id", person_or_id)
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def fields(capacity=2, title="技术交流会", start_in=timedelta(days=3)) -> events.EventFields:
    start = utcnow().replace(microsecond=0) + start_in
    return events.EventFields(title, "创新中心", start, start + timedelta(hours=3), capacity)


def make_event(scene, capacity=2, **kwargs) -> int:
    event = events.create_event(
        actor(scene.leaders[0]), fields(capacity, **kwargs), studio_id=scene.studio_ids[0]
    )
    db.session.commit()
    return event.id


def workers(people, count: int) -> list[int]:
    """New users (made in their own app context: the test's session then reads afresh)."""
    ids = [people.make(real_name=f"工人{n}").id for n in range(count)]
    db.session.commit()
    return ids


def statuses(event_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(EventSignup.user_id, EventSignup.status).where(EventSignup.event_id == event_id)
    )
    return {user_id: status.value for user_id, status in rows}


def test_places_then_a_waiting_list_in_order_and_promotion(ctx, scene, people):
    event_id = make_event(scene, capacity=2)
    a, b, c, d = workers(people, 4)
    for user_id in (a, b, c, d):
        events.sign_up(actor(user_id), event_id)
        db.session.commit()
    assert statuses(event_id) == {a: "confirmed", b: "confirmed", c: "waiting", d: "waiting"}
    waiting_d = events.my_signup(d, event_id)
    assert events.waiting_position(waiting_d) == 2
    with pytest.raises(DomainError, match="already signed up"):
        events.sign_up(actor(a), event_id)
    db.session.rollback()
    events.cancel_signup(actor(b), event_id)  # c, first waiting, gets the place
    db.session.commit()
    assert statuses(event_id) == {a: "confirmed", b: "cancelled", c: "confirmed", d: "waiting"}
    events.cancel_signup(actor(d), event_id)  # leaving the waiting list frees nothing
    events.sign_up(actor(b), event_id)  # back, at the end of the list
    db.session.commit()
    event = db.session.get(Event, event_id)
    assert event.confirmed_count == 2
    assert events.counts(event_id) == events.EventCounts(2, 1, 0, 1)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("event.%")))
    assert {"event.create", "event.sign_up", "event.cancel_signup", "event.promote"} <= set(actions)


@pytest.mark.parametrize("capacity", [1, 5])
def test_concurrent_sign_ups_never_pass_capacity(ctx, scene, people, capacity):
    event_id = make_event(scene, capacity=capacity)
    user_ids = workers(people, 12)

    def sign_up(index: int) -> str:
        begin_writing()
        signup = events.sign_up(actor(user_ids[index]), event_id)
        db.session.commit()
        return signup.status.value

    results = run_together(ctx, sign_up, len(user_ids))
    assert results.count("confirmed") == capacity
    assert results.count("waiting") == len(user_ids) - capacity
    event = db.session.get(Event, event_id)
    db.session.refresh(event)
    assert event.confirmed_count == capacity == events.counts(event_id).confirmed
    confirmed = [u for u, s in statuses(event_id).items() if s == "confirmed"]

    def cancel(index: int) -> None:
        begin_writing()
        events.cancel_signup(actor(confirmed[index]), event_id)
        db.session.commit()

    run_together(ctx, cancel, len(confirmed))  # each freed place goes to a different person
    db.session.refresh(event)
    counts = events.counts(event_id)
    assert (counts.confirmed, counts.waiting) == (capacity, len(user_ids) - 2 * capacity)
    assert event.confirmed_count == capacity


def test_the_organiser_cancels_and_sign_ups_are_kept(ctx, scene, people):
    event_id = make_event(scene)
    (a,) = workers(people, 1)
    events.sign_up(actor(a), event_id)
    with pytest.raises(NotAllowed):
        events.cancel_event(actor(scene.members[0]), event_id, "改期")
    with pytest.raises(DomainError) as refused:
        events.cancel_event(actor(scene.leaders[0]), event_id, "")
    assert refused.value.field == "reason"
    events.cancel_event(actor(scene.leaders[0]), event_id, "<b>场地检修</b>")
    db.session.commit()
    assert statuses(event_id) == {a: "confirmed"}
    with pytest.raises(DomainError, match="cancelled"):
        events.sign_up(actor(scene.outsider), event_id)
    with pytest.raises(DomainError, match="cancelled"):
        events.check_in(actor(scene.leaders[0]), event_id, events.my_signup(a, event_id).id)


def test_check_in_by_the_organiser_of_confirmed_people_only(ctx, scene, people):
    event_id = make_event(scene, capacity=1)
    a, b = workers(people, 2)
    first = events.sign_up(actor(a), event_id)
    second = events.sign_up(actor(b), event_id)
    db.session.commit()
    for person in (scene.members[0], scene.leaders[1], scene.outsider):
        with pytest.raises(NotAllowed):
            events.check_in(actor(person), event_id, first.id)
    with pytest.raises(DomainError, match="confirmed place"):
        events.check_in(actor(scene.leaders[0]), event_id, second.id)
    events.check_in(actor(scene.leaders[0]), event_id, first.id)
    with pytest.raises(DomainError, match="already"):
        events.check_in(actor(scene.leaders[0]), event_id, first.id)
    assert events.counts(event_id) == events.EventCounts(1, 1, 1, 0)
    with pytest.raises(DomainError, match="checked in"):
        events.cancel_signup(actor(a), event_id)


def test_who_may_create_events_and_bad_input(ctx, scene):
    with pytest.raises(NotAllowed):  # a member, not the leader
        events.create_event(actor(scene.members[0]), fields(), studio_id=scene.studio_ids[0])
    with pytest.raises(NotAllowed):
        events.create_event(actor(scene.leaders[0]), fields(), alliance_id=scene.city_id)
    made = events.create_event(actor(scene.city_admin), fields(), alliance_id=scene.city_id)
    assert made.alliance_id == scene.city_id and made.studio_id is None
    start = utcnow() + timedelta(days=1)
    bad = {
        "ends_at": events.EventFields("t", "p", start, start - timedelta(hours=1), 5),
        "starts_at": events.EventFields("t", "p", utcnow() - timedelta(hours=1), start, 5),
        "capacity": events.EventFields("t", "p", start, start + timedelta(hours=1), 0),
        "title": events.EventFields("  ", "p", start, start + timedelta(hours=1), 5),
        "place": events.EventFields("t", "p\x07", start, start + timedelta(hours=1), 5),
    }
    for field, values in bad.items():
        with pytest.raises(DomainError) as refused:
            events.create_event(actor(scene.leaders[0]), values, studio_id=scene.studio_ids[0])
        assert refused.value.field == field
    db.session.rollback()


def test_event_pages(app, client, scene, people):
    login(client, scene.leaders[0])
    new_url = f"/studios/{scene.studio_ids[0]}/events/new"
    assert client.get(new_url).status_code == 200
    form = {
        "title": "技术交流会",
        "place": "创新中心",
        "starts_at": "2999-01-01T09:00",
        "ends_at": "2999-01-01T08:00",
        "capacity": "1",
    }
    refused = client.post(new_url, data=form)
    assert refused.status_code == 400 and "must end after it starts" in refused.text
    for bad in ({"capacity": "0"}, {"starts_at": "not a time"}, {"starts_at": "0001-01-01T00:00"}):
        assert client.post(new_url, data={**form, **bad}).status_code == 400
    script = {"title": "<script>alert(1)</script>交流会", "ends_at": "2999-01-01T12:00"}
    scripted = client.post(new_url, data={**form, **script})
    assert scripted.status_code == 400 and "Do not use" in scripted.text  # nothing stored
    created = client.post(new_url, data={**form, "ends_at": "2999-01-01T12:00"})
    assert created.status_code == 302
    event_url = created.headers["Location"]
    event_id = int(event_url.rsplit("/", 1)[-1])
    page = client.get(event_url).text
    assert "技术交流会" in page
    client.post("/account/logout")
    assert client.get(f"{event_url}/signups").status_code == 302
    login(client, scene.outsider)
    assert client.post(f"{event_url}/signup").status_code == 302
    assert client.get(f"{event_url}/signups").status_code == 403
    assert client.get(f"{event_url}/cancel").status_code == 403
    assert client.post(f"{event_url}/signup").status_code == 400  # signed up already
    client.post("/account/logout")
    login(client, scene.members[0])
    client.post(f"{event_url}/signup")
    assert "number 1 on the waiting list" in client.get(event_url).text
    client.post("/account/logout")
    login(client, scene.leaders[0])
    with app.app_context():
        signup_id = events.my_signup(scene.outsider.id, event_id).id
        waiting_id = events.my_signup(scene.members[0].id, event_id).id
    assert client.post(f"{event_url}/signups/{waiting_id}/check-in").status_code == 400
    assert client.post(f"{event_url}/signups/{signup_id}/check-in").status_code == 302
    assert client.post(f"{event_url}/signups/999999/check-in").status_code == 404
    listing = client.get(f"{event_url}/signups").text
    assert "1 confirmed of 1 places · 1 waiting · 1 attended" in listing
    assert client.post(f"{event_url}/cancel", data={"reason": ""}).status_code == 400
    assert client.post(f"{event_url}/cancel", data={"reason": "场地检修"}).status_code == 302
    assert "This event has been cancelled: 场地检修" in client.get(event_url).text
    for url in ("/studios/events", f"/studios/{scene.studio_ids[0]}/events"):
        assert "交流会" in client.get(url).text
    assert client.get(f"/studios/alliances/{scene.city_id}/events").status_code == 200
    for url in ("/studios/events/999999", "/studios/events/99999999999999999999"):
        assert client.get(url).status_code == 404
    assert client.get(f"/studios/alliances/{scene.city_id}/events/new").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventSignup)) == 2
