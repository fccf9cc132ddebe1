"""The judging pages: a judge's sheet of entry codes, saves with versions, the chief judge's
locking and the encryption officer's mapping and reveal. English app; SQLite and PostgreSQL."""

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func

from competitions.contests import lifecycle
from competitions.contests.marking_models import AgreedMark, Aspect, Criterion, JudgeScore
from competitions.contests.models import Contest, Entry, StaffRole, Stage
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    get_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import draw_lots
from competitions.contests.services.locking import reopen_aspect
from competitions.contests.services.marking import save_agreed_mark, save_judge_score
from competitions.contests.services.panels import assign_judge
from competitions.contests.services.registration import decide, enter
from competitions.contests.services.scheme_store import save_scheme
from competitions.contests.services.staff import appoint_staff
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from tests.conftest import Person, login
from tests.contest_scene import build_contest

WORKERS = (("赵一鸣", 0), ("钱二娃", 0), ("孙三强", 0), ("李四海", 1))
FIRMS = ("杭州新能电力有限公司", "宁波钢铁有限公司")
PANELS = {"A1.1": "j1 j2", "A1.2": "j1 j2 own", "B1.1": "j2", "B1.2": "j2"}


@pytest.fixture
def app(make_app):
    """The app in English, so messages are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


@dataclass
class Scene:
    """A contest in the practical: four entries drawn (three power, one steel).

    Panels: A1.1 (measurement) j1 j2; A1.2 (judgement) j1 j2 and `own`, a steel judge seated
    before the steel worker entered; B1.1 (judgement) and B1.2 (measurement) j2 only.
    """

    contest_id: int
    organiser: Person
    chief: Person
    officer: Person
    j1: Person
    j2: Person
    own: Person
    outsider: Person  # a judge with no part in this contest
    workers: list[Person]
    entries: list[int]  # in the workers' order; the last is steel's
    codes: list[str]
    aspects: dict[str, int]
    criteria: dict[str, int]


def actor(person: Person | None) -> Actor:
    """The actor of a person made for the test (None: the system)."""
    return Actor(db.session.get(User, person.id) if person else None, "127.0.0.1")


def _people(people) -> dict:
    firms = [people.enterprise(FIRMS[0]), people.enterprise(FIRMS[1], "宁波市")]
    made = {
        "organiser": people.make(Role.ORGANISER, real_name="陈组织"),
        "chief": people.make(Role.JUDGE, real_name="郑裁判长"),
        "officer": people.make(real_name="钱加密"),
        "j1": people.make(Role.JUDGE, real_name="裁判甲"),
        "j2": people.make(Role.JUDGE, real_name="裁判乙"),
        "own": people.make(Role.JUDGE, real_name="钢厂裁判", enterprise_id=firms[1]),
        "outsider": people.make(Role.JUDGE, real_name="局外裁判"),
    }
    made["workers"] = [people.make(real_name=n, enterprise_id=firms[f]) for n, f in WORKERS]
    return made


@pytest.fixture
def scene(app, people, trade_id) -> Scene:
    made = _people(people)
    with app.app_context():
        boss, now = actor(made["organiser"]), utcnow()
        fields = ContestFields(
            "全省电工职业技能竞赛",
            trade_id,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=1),
        )
        contest_id = create_contest(boss, fields).id
        save_scheme(boss, contest_id, lifecycle.SCHEME)
        open_registration(boss, contest_id)
        roles = {"chief": StaffRole.CHIEF_JUDGE, "officer": StaffRole.ENCRYPTION_OFFICER}
        for name in ("chief", "officer", "j1", "j2", "own"):
            appoint_staff(boss, contest_id, made[name].id, roles.get(name, StaffRole.JUDGE))
        aspects = {a.code: a.id for a in db.session.scalars(db.select(Aspect))}
        for code, names in PANELS.items():
            for name in names.split():
                assign_judge(boss, contest_id, aspects[code], made[name].id)
        entries = []
        for worker in made["workers"]:
            entries.append(enter(actor(worker), contest_id, worker.id).id)
            decide(boss, entries[-1], True, "")
        closed = replace(fields, registration_closes_at=now - timedelta(minutes=1))
        update_contest(boss, contest_id, replace(closed, registration_opens_at=now - timedelta(2)))
        draw_lots(boss, contest_id, 4)
        contest = get_contest(contest_id)
        advance(contest, Stage.DRAWN, Stage.THEORY)
        advance(contest, Stage.THEORY, Stage.PRACTICAL)
        db.session.commit()
        codes = [db.session.get(Entry, entry_id).code for entry_id in entries]
        criteria = {c.code: c.id for c in db.session.scalars(db.select(Criterion))}
    return Scene(
        contest_id, **made, entries=entries, codes=codes, aspects=aspects, criteria=criteria
    )


def url(scene: Scene, tail: str = "") -> str:
    return f"/skills/judging/{scene.contest_id}/{tail}"


def aspect_url(scene: Scene, code: str, json: bool = False) -> str:
    return url(scene, f"aspects/{scene.aspects[code]}" + ("/mark.json" if json else ""))


def as_user(client, person: Person):
    client.post("/account/logout")
    login(client, person)
    return client


def state() -> tuple:
    """Every mark, the marks version and the audit count: what a refusal must leave alone."""
    db.session.expire_all()
    scores = db.session.execute(
        db.select(JudgeScore.entry_id, JudgeScore.score, JudgeScore.version).order_by(JudgeScore.id)
    ).all()
    agreed = db.session.execute(
        db.select(AgreedMark.entry_id, AgreedMark.mark, AgreedMark.version).order_by(AgreedMark.id)
    ).all()
    versions = db.session.scalars(db.select(Contest.marks_version)).all()
    audits = db.session.scalar(db.select(func.count()).select_from(AuditEntry))
    return scores, agreed, versions, audits


def audits(action: str) -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def refused(app, client, path: str, data: dict, status: int, message: str):
    """Post and expect a refusal with the message that changed nothing."""
    with app.app_context():
        before = state()
    response = client.post(path, data=data)
    assert response.status_code == status, page_text(response)[:2000]
    assert message in page_text(response)
    with app.app_context():
        assert state() == before
    return response


def test_index_lists_each_users_part(app, client, scene):
    """Judges, the chief judge and the officer find their contest; others find nothing."""
    as_user(client, scene.j1)
    body = page_text(client.get("/skills/judging/"))
    assert "全省电工职业技能竞赛" in body and "Marking sheet" in body
    assert "Code mapping" not in body
    as_user(client, scene.chief)
    body = page_text(client.get("/skills/judging/"))
    assert "Chief judge" in body and "Progress and locking" in body
    as_user(client, scene.officer)
    body = page_text(client.get("/skills/judging/"))
    assert "Encryption officer" in body and "Code mapping" in body and "Marking sheet" not in body
    as_user(client, scene.workers[0])
    body = page_text(client.get("/skills/judging/"))
    assert "You have no part in any contest yet." in body


def test_hub_panel_links_each_part(app, client, scene):
    """The contest hub shows the judge, chief judge and officer their own links only."""
    hub = f"/skills/contests/{scene.contest_id}"
    as_user(client, scene.j1)
    body = page_text(client.get(hub))
    assert url(scene) in body and url(scene, "mapping") not in body
    as_user(client, scene.chief)
    assert url(scene, "progress") in page_text(client.get(hub))
    as_user(client, scene.officer)
    body = page_text(client.get(hub))
    assert url(scene, "mapping") in body and url(scene, "progress") not in body
    as_user(client, scene.workers[0])
    assert "Your part in this contest" not in page_text(client.get(hub))


def test_judge_sees_codes_of_own_panels_only(app, client, scene):
    """Codes, never names, enterprises or other panels' aspects; recused codes left out."""
    as_user(client, scene.j1)
    body = page_text(client.get(url(scene)))
    assert "A1.1" in body and "A1.2" in body and "B1.1" not in body and "安全防护到位" not in body
    response = client.get(aspect_url(scene, "A1.2"))
    body = page_text(response)
    assert response.status_code == 200
    assert all(code in body for code in scene.codes)
    assert "布线工艺美观" in body and "较好达到" in body  # the aspect and a descriptor
    for name, _firm in WORKERS:
        assert name not in body
    assert all(firm not in body for firm in FIRMS) and "Station" not in body
    assert "0 of 4 marked" in body
    other = client.get(aspect_url(scene, "B1.1"))
    assert other.status_code == 403 and "安全防护到位" not in page_text(other)
    assert client.get(url(scene, "aspects/999999")).status_code == 404
    assert client.get(url(scene, "aspects/99999999999")).status_code == 404
    as_user(client, scene.own)
    body = page_text(client.get(aspect_url(scene, "A1.2")))
    assert all(code in body for code in scene.codes[:3]) and scene.codes[3] not in body
    assert "0 of 3 marked" in body
    as_user(client, scene.outsider)
    assert client.get(url(scene)).status_code == 404
    assert client.get(aspect_url(scene, "A1.2")).status_code == 404
    as_user(client, scene.workers[0])
    assert client.get(url(scene)).status_code == 403


def test_form_save_redirects_to_the_row_and_audits(app, client, scene):
    """A score and an agreed mark saved by plain forms land in the db with audit rows."""
    as_user(client, scene.j1)
    entry = scene.entries[0]
    response = client.post(aspect_url(scene, "A1.2"), data={"entry_id": entry, "value": "2"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{aspect_url(scene, 'A1.2')}#entry-{entry}")
    body = page_text(client.get(aspect_url(scene, "A1.2")))
    assert f"Mark 2 saved for {scene.codes[0]}." in body and "1 of 4 marked" in body
    data = {"entry_id": entry, "value": "27.5"}
    assert client.post(aspect_url(scene, "A1.1"), data=data).status_code == 302
    with app.app_context():
        score = db.session.scalar(db.select(JudgeScore))
        assert (score.entry_id, score.judge_id, score.score, score.version) == (
            entry,
            scene.j1.id,
            Decimal("2.00"),
            1,
        )
        assert db.session.scalar(db.select(AgreedMark.mark)) == Decimal("27.50")
        assert len(audits("contest.mark_save")) == 2
    data = {"entry_id": entry, "value": "3", "version": "1"}
    assert client.post(aspect_url(scene, "A1.2"), data=data).status_code == 302
    with app.app_context():
        [change] = audits("contest.mark_change")
        assert change.before["score"] == "2" and change.after["score"] == "3"


def test_bad_marks_are_refused_with_a_message(app, client, scene):
    """Out of range, too many decimals, junk: 400, a clear message, nothing saved."""
    as_user(client, scene.j1)
    entry = scene.entries[0]
    a12, a11 = aspect_url(scene, "A1.2"), aspect_url(scene, "A1.1")
    refused(
        app,
        client,
        a12,
        {"entry_id": entry, "value": "4"},
        400,
        "A judge&#39;s score is a whole number from 0 to 3.",
    )
    refused(app, client, a11, {"entry_id": entry, "value": "31"}, 400, "from 0 to 30.")
    refused(app, client, a11, {"entry_id": entry, "value": "-1"}, 400, "from 0 to 30.")
    refused(app, client, a11, {"entry_id": entry, "value": "1.234"}, 400, "at most two decimals")
    refused(app, client, a11, {"entry_id": entry, "value": "abc"}, 400, "from 0 to 30.")
    refused(app, client, a11, {"entry_id": "x", "value": "3"}, 400, "could not be read")
    refused(app, client, a11, {"entry_id": entry, "value": "3", "version": "-2"}, 400, "reload")
    refused(app, client, a11, {"entry_id": 999999, "value": "3"}, 400, "no such entry")
    response = client.post(a11, data={"entry_id": entry, "value": "31"})
    assert 'value="31"' in page_text(response)  # what the judge typed, to correct


def test_recused_and_other_panels_refused(app, client, scene):
    """A forged post for one's own enterprise's entrant or another panel's aspect saves nothing."""
    as_user(client, scene.own)
    message = "You cannot mark an entrant of your own enterprise."
    data = {"entry_id": scene.entries[3], "value": "3"}
    refused(app, client, aspect_url(scene, "A1.2"), data, 400, message)
    as_user(client, scene.j1)
    data = {"entry_id": scene.entries[0], "value": "3"}
    refused(app, client, aspect_url(scene, "B1.1"), data, 403, "not on the panel of this aspect")
    with app.app_context():
        before = state()
    response = client.post(aspect_url(scene, "B1.1", json=True), data=data)
    assert response.status_code == 400
    assert "not on the panel" in response.get_json()["message"]
    as_user(client, scene.outsider)
    response = client.post(aspect_url(scene, "A1.2", json=True), data=data)
    assert response.status_code == 400 and "Only a judge" in response.get_json()["message"]
    assert client.post(aspect_url(scene, "A1.2"), data=data).status_code == 404
    with app.app_context():
        assert state() == before


def test_stale_saves_keep_the_first_judges_mark(app, client, scene):
    """Two judges on one agreed mark: the second, from an old page, is shown the mark again."""
    entry = scene.entries[1]
    as_user(client, scene.j1)
    reply = client.post(
        aspect_url(scene, "A1.1", json=True), data={"entry_id": entry, "value": "20"}
    )
    assert reply.status_code == 200
    assert reply.get_json() | {"message": ""} == {
        "ok": True,
        "entry_id": entry,
        "value": "20",
        "version": 1,
        "message": "",
    }
    as_user(client, scene.j2)
    data = {"entry_id": entry, "value": "18", "version": ""}  # read before j1 saved
    with app.app_context():
        before = state()
    reply = client.post(aspect_url(scene, "A1.1", json=True), data=data)
    assert reply.status_code == 409
    assert reply.get_json()["current"] == "20" and reply.get_json()["version"] == 1
    assert "it is now 20" in reply.get_json()["message"]
    response = client.post(aspect_url(scene, "A1.1"), data=data)
    assert response.status_code == 409 and "it is now 20" in page_text(response)
    assert 'value="20"' in page_text(response)  # the row shows what is saved now
    as_user(client, scene.j1)  # a second tab of j1, at version 1, after the first tab moved on
    client.post(aspect_url(scene, "A1.1"), data={"entry_id": entry, "value": "22", "version": 1})
    stale = client.post(aspect_url(scene, "A1.1", json=True), data=data | {"version": "1"})
    assert stale.status_code == 409 and stale.get_json()["version"] == 2
    with app.app_context():
        assert db.session.scalar(db.select(AgreedMark.mark)) == Decimal("22.00")
        assert state()[3] == before[3] + 1  # only the second tab's change was audited


def test_json_errors_are_json(app, client, scene):
    """The script's address answers 400 with a message for bad forms and refused marks."""
    as_user(client, scene.j1)
    reply = client.post(aspect_url(scene, "A1.2", json=True), data={"value": "2"})
    assert reply.status_code == 400 and "reload" in reply.get_json()["message"]
    data = {"entry_id": scene.entries[0], "value": "7"}
    reply = client.post(aspect_url(scene, "A1.2", json=True), data=data)
    assert reply.status_code == 400 and reply.get_json()["field"] == "score"
    assert client.get(aspect_url(scene, "A1.2", json=True)).status_code == 405


def _mark_criterion_b(app, scene: Scene, spread: bool = False) -> None:
    with app.app_context():
        for number, entry in enumerate(scene.entries):
            save_judge_score(
                actor(scene.j2), scene.contest_id, entry, scene.aspects["B1.1"], 2, None
            )
            save_agreed_mark(
                actor(scene.j2), scene.contest_id, entry, scene.aspects["B1.2"], 10 + number, None
            )
        db.session.commit()


def test_chief_locks_a_criterion_then_marks_refuse(app, client, scene):
    """The chief judge sees progress and locks; a locked criterion's marks refuse changes."""
    _mark_criterion_b(app, scene)
    as_user(client, scene.j1)
    assert client.get(url(scene, "progress")).status_code == 404
    lock_b = url(scene, f"criteria/{scene.criteria['B']}/lock")
    assert client.post(lock_b).status_code == 404
    as_user(client, scene.chief)
    body = page_text(client.get(url(scene, "progress")))
    assert "8 of 8 marks in" in body and "0 of 15 marks in" in body
    assert all(name not in body for name, _ in WORKERS)
    lock_a = url(scene, f"criteria/{scene.criteria['A']}/lock")
    refused(app, client, lock_a, {}, 400, "0 of 15 marks of criterion A are in")
    response = client.post(lock_b)
    assert response.status_code == 302
    assert "Criterion B is locked." in page_text(client.get(url(scene, "progress")))
    with app.app_context():
        assert [row.after["criterion"] for row in audits("contest.criterion_lock")] == ["B"]
    as_user(client, scene.j2)
    data = {"entry_id": scene.entries[0], "value": "3", "version": 1}
    refused(app, client, aspect_url(scene, "B1.1"), data, 400, "Criterion B is locked")
    body = page_text(client.get(aspect_url(scene, "B1.1")))
    assert "Criterion B is locked" in body and "disabled" in body


def test_reopened_criterion_needs_a_reason(app, client, scene):
    """After an organiser reopens an aspect every change needs a reason, kept in the audit."""
    _mark_criterion_b(app, scene)
    as_user(client, scene.chief)
    client.post(url(scene, f"criteria/{scene.criteria['B']}/lock"))
    with app.app_context():
        reopen_aspect(actor(scene.organiser), scene.contest_id, scene.aspects["B1.1"], "复核")
        db.session.commit()
    as_user(client, scene.j2)
    body = page_text(client.get(aspect_url(scene, "B1.1")))
    assert "give a reason with every change" in body and 'name="reason"' in body
    data = {"entry_id": scene.entries[0], "value": "3", "version": 1}
    refused(app, client, aspect_url(scene, "B1.1"), data, 400, "needs a reason")
    response = client.post(aspect_url(scene, "B1.1"), data=data | {"reason": "重新测量"})
    assert response.status_code == 302
    with app.app_context():
        [change] = audits("contest.mark_change")
        assert change.after["reason"] == "重新测量" and change.after["score"] == "3"


def test_chief_sees_flagged_spreads_by_code(app, client, scene):
    """A spread above the limit is listed with the code and scores, and blocks locking."""
    entry, code = scene.entries[0], scene.codes[0]
    with app.app_context():
        for judge, score in ((scene.j1, 0), (scene.j2, 3), (scene.own, 1)):
            save_judge_score(
                actor(judge), scene.contest_id, entry, scene.aspects["A1.2"], score, None
            )
        db.session.commit()
    as_user(client, scene.chief)
    body = page_text(client.get(url(scene, "progress")))
    assert "1 spreads above the limit" in body and "Spreads above 1" in body
    assert f'<td class="font-monospace">{code}</td>' in body
    assert "0 (裁判甲), 1 (钢厂裁判), 3 (裁判乙)" in body
    assert WORKERS[0][0] not in body


def test_mapping_is_the_officers_alone(app, client, scene):
    """Names behind codes for the officer; 404 for judges, the chief, organisers and workers."""
    as_user(client, scene.officer)
    body = page_text(client.get(url(scene, "mapping")))
    assert all(name in body for name, _ in WORKERS) and all(c in body for c in scene.codes)
    assert "exactly what the recorded draw gives" in body
    for person in (scene.j1, scene.chief, scene.organiser, scene.workers[0]):
        as_user(client, person)
        response = client.get(url(scene, "mapping"))
        assert response.status_code == 404, person
        assert WORKERS[3][0] not in page_text(response)
        assert client.post(url(scene, "reveal")).status_code == 404


def test_reveal_refused_before_everything_is_locked(app, client, scene):
    """The officer's reveal in the practical is refused with the reason; nothing changes."""
    as_user(client, scene.officer)
    refused(app, client, url(scene, "reveal"), {}, 400, "once every criterion is locked")
    with app.app_context():
        assert db.session.get(Contest, scene.contest_id).stage is Stage.PRACTICAL


def test_reveal_once_locked(app, client, people, trade_id):
    """With every criterion locked the officer reveals the codes: stage and audit row."""
    built = build_contest(app, people, trade_id, until=Stage.LOCKED)
    login(client, built.officer)
    response = client.post(f"/skills/judging/{built.contest_id}/reveal")
    assert response.status_code == 302
    body = page_text(client.get(f"/skills/judging/{built.contest_id}/mapping"))
    assert "The entry codes are revealed" in body
    with app.app_context():
        assert db.session.get(Contest, built.contest_id).stage is Stage.REVEALED
        assert len(audits("contest.reveal")) == 1
