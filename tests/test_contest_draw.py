"""The lot drawing of a contest: codes and stations for approved entries, the secret mapping,
verification from the seed, and the reveal. Runs on SQLite and on PostgreSQL."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest

from competitions.contests.lots import CODE_PATTERN
from competitions.contests.models import Contest, Entry, EntryStatus, StaffRole, Stage
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    get_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import (
    codes_for_judges,
    draw_lots,
    lot_mapping,
    reveal,
    verify_draw,
)
from competitions.contests.services.registration import decide, enter, withdraw
from competitions.contests.services.staff import appoint_staff
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow

NAMES = ("张小三", "李大明", "王五六", "赵不来", "孙晓燕")


@dataclass
class Scene:
    """A contest at the end of registration: three entries approved, one rejected, one pending."""

    contest_id: int
    organiser: int
    officer: int
    judge: int
    workers: list[int]
    approved: list[int]  # entry ids
    rejected: int
    pending: int


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(user_id: int) -> Actor:
    """The actor of a user made for the test."""
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def window(contest: Contest, opens, closes) -> ContestFields:
    """The contest's fields with another registration window."""
    return ContestFields(
        contest.name, contest.trade_id, registration_opens_at=opens, registration_closes_at=closes
    )


@pytest.fixture
def scene(app, people, trade_id) -> Scene:
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    officer = people.make(real_name="钱加密")
    judge = people.make(Role.JUDGE, real_name="王裁判")
    power, steel = people.enterprise(), people.enterprise("宁波钢铁有限公司", "宁波市")
    workers = [
        people.make(real_name=name, enterprise_id=(power, steel)[number % 2]).id
        for number, name in enumerate(NAMES)
    ]
    with app.app_context():
        boss, now = actor(organiser.id), utcnow()
        fields = ContestFields("全省电工技能竞赛", trade_id)
        contest = create_contest(boss, fields)
        update_contest(
            boss, contest.id, window(contest, now - timedelta(days=1), now + timedelta(1))
        )
        open_registration(boss, contest.id)
        appoint_staff(boss, contest.id, officer.id, StaffRole.ENCRYPTION_OFFICER)
        appoint_staff(boss, contest.id, judge.id, StaffRole.JUDGE)
        entries = [enter(actor(user_id), contest.id, user_id).id for user_id in workers]
        for entry_id in entries[:3]:
            decide(boss, entry_id, True, "")
        decide(boss, entries[3], False, "名额已满")
        closed = window(contest, now - timedelta(days=1), now - timedelta(seconds=1))
        update_contest(boss, contest.id, closed)
        db.session.commit()
        return Scene(
            contest.id,
            organiser.id,
            officer.id,
            judge.id,
            workers,
            entries[:3],
            entries[3],
            entries[4],
        )


def drawn(app, scene: Scene, stations=5):
    """Draw the scene's lots as its organiser, and commit."""
    with app.app_context():
        record = draw_lots(actor(scene.organiser), scene.contest_id, stations)
        db.session.commit()
        return record


def entries(contest_id: int) -> dict[int, Entry]:
    """The contest's entries by id."""
    query = db.select(Entry).where(Entry.contest_id == contest_id)
    return {entry.id: entry for entry in db.session.scalars(query)}


def test_every_approved_entry_gets_a_unique_code_and_station(app, scene):
    record = drawn(app, scene)
    with app.app_context():
        contest = get_contest(scene.contest_id)
        assert contest.stage is Stage.DRAWN
        assert contest.lot_seed == record.seed and contest.lot_fingerprint == record.fingerprint
        assert contest.lots_drawn_at == record.drawn_at and record.entry_count == 3
        found = entries(scene.contest_id)
        approved = [found[entry_id] for entry_id in scene.approved]
        assert all(CODE_PATTERN.fullmatch(entry.code) for entry in approved)
        assert len({entry.code for entry in approved}) == 3
        stations = {entry.station for entry in approved}
        assert len(stations) == 3 and stations <= {"01", "02", "03", "04", "05"}
        for other in (scene.rejected, scene.pending):
            assert found[other].code is None and found[other].station is None
        assert found[scene.pending].status is EntryStatus.PENDING
        assert verify_draw(scene.contest_id)


def test_stations_may_be_given_by_label(app, scene):
    drawn(app, scene, [" B-2", "A-1", "B-1", "A-2 "])
    with app.app_context():
        stations = {entry.station for entry in entries(scene.contest_id).values()} - {None}
        assert len(stations) == 3 and stations <= {"A-1", "A-2", "B-1", "B-2"}
        assert verify_draw(scene.contest_id)


def test_judges_get_codes_and_stations_without_names(app, scene):
    drawn(app, scene)
    with app.app_context():
        codes = codes_for_judges(scene.contest_id)
        assert sorted(entry_id for entry_id, _, _ in codes) == sorted(scene.approved)
        assert [code for _, code, _ in codes] == sorted(code for _, code, _ in codes)
        assert all(len(row) == 3 for row in codes)
        assert not any(name in json.dumps(codes, ensure_ascii=False) for name in NAMES)


def test_lots_are_drawn_once(app, scene):
    drawn(app, scene)
    with app.app_context():
        before = {e.id: (e.code, e.station) for e in entries(scene.contest_id).values()}
        with pytest.raises(DomainError, match="already been drawn"):
            draw_lots(actor(scene.organiser), scene.contest_id, 5)
        db.session.rollback()
        after = {e.id: (e.code, e.station) for e in entries(scene.contest_id).values()}
        assert after == before


def test_the_audit_row_keeps_the_fingerprint_but_not_the_seed_or_the_lots(app, scene):
    record = drawn(app, scene)
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        row = next(row for row in rows if row.action == "contest.lots_draw")
        assert row.object_id == str(scene.contest_id) and row.actor_id == scene.organiser
        assert row.after["fingerprint"] == record.fingerprint
        assert row.after["entry_count"] == 3
        text = json.dumps([(r.before, r.after) for r in rows], ensure_ascii=False)
        assert record.seed not in text
        for entry in entries(scene.contest_id).values():
            assert entry.code is None or entry.code not in text
        assert [r.after for r in rows if r.action == "contest.stage"][-1] == {"stage": "drawn"}


def test_the_draw_waits_for_the_end_of_registration(app, scene):
    with app.app_context():
        boss, contest = actor(scene.organiser), get_contest(scene.contest_id)
        now = utcnow()
        update_contest(boss, contest.id, window(contest, now - timedelta(1), now + timedelta(1)))
        with pytest.raises(DomainError, match="once registration has closed"):
            draw_lots(boss, scene.contest_id, 5)
        db.session.rollback()


def test_the_draw_is_refused_in_draft(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    with app.app_context():
        contest = create_contest(actor(organiser.id), ContestFields("草稿竞赛", trade_id))
        with pytest.raises(DomainError, match="end of registration"):
            draw_lots(actor(organiser.id), contest.id, 5)


@pytest.mark.parametrize(
    ("stations", "message"),
    [
        (2, "There are 2 stations for 3 approved entries"),
        (["01", "02"], "There are 2 stations for 3 approved entries"),
        (["01", "02", " 01"], "listed twice"),
        (["01", "02", " "], "needs a label"),
        (["01", "02", "X" * 13], "longer than 12 characters"),
        (-1, "at most 10000 stations"),
        (10_001, "at most 10000 stations"),
        ("12", "number of stations or their labels"),
        (True, "number of stations or their labels"),
    ],
)
def test_bad_stations_are_refused_and_nothing_is_drawn(app, scene, stations, message):
    with app.app_context():
        with pytest.raises(DomainError, match=message):
            draw_lots(actor(scene.organiser), scene.contest_id, stations)
        db.session.rollback()
        assert get_contest(scene.contest_id).stage is Stage.REGISTRATION
        assert not any(entry.code for entry in entries(scene.contest_id).values())


def test_only_organisers_and_the_officer_draw(app, scene):
    with app.app_context():
        for user_id in (scene.judge, scene.workers[0]):
            with pytest.raises(DomainError, match="Only organisers or the encryption officer"):
                draw_lots(actor(user_id), scene.contest_id, 5)
        record = draw_lots(actor(scene.officer), scene.contest_id, 5)
        assert record.entry_count == 3


def test_no_approved_entries_no_draw(app, scene):
    with app.app_context():
        boss = actor(scene.organiser)
        for entry_id in scene.approved:
            withdraw(boss, entry_id)
        with pytest.raises(DomainError, match="no approved entries"):
            draw_lots(boss, scene.contest_id, 5)


def test_only_the_officer_sees_the_mapping_before_reveal(app, people, scene):
    drawn(app, scene)
    admin = people.make(Role.ADMIN, real_name="管理员")
    with app.app_context():
        for user_id in (scene.judge, scene.organiser, scene.workers[0], admin.id):
            with pytest.raises(DomainError, match="There is no such contest"):
                lot_mapping(actor(user_id), scene.contest_id)
        with pytest.raises(DomainError, match="There is no such contest"):
            lot_mapping(Actor(None), scene.contest_id)
        mapping = lot_mapping(actor(scene.officer), scene.contest_id)
        found = entries(scene.contest_id)
        assert sorted(lot.entry_id for lot in mapping) == sorted(scene.approved)
        assert [lot.code for lot in mapping] == sorted(lot.code for lot in mapping)
        for lot in mapping:
            assert (lot.code, lot.station) == (
                found[lot.entry_id].code,
                found[lot.entry_id].station,
            )
        by_entry = {lot.entry_id: lot for lot in mapping}
        first = by_entry[scene.approved[0]]
        assert first.names == ("张小三",) and first.enterprise == "杭州新能电力有限公司"
        assert by_entry[scene.approved[1]].enterprise == "宁波钢铁有限公司"


def test_the_officer_of_another_contest_sees_nothing(app, people, scene, trade_id):
    drawn(app, scene)
    stranger = people.make(real_name="周外人")
    with app.app_context():
        boss = actor(scene.organiser)
        other = create_contest(boss, ContestFields("另一个竞赛", trade_id))
        appoint_staff(boss, other.id, stranger.id, StaffRole.ENCRYPTION_OFFICER)
        with pytest.raises(DomainError, match="There is no such contest"):
            lot_mapping(actor(stranger.id), scene.contest_id)
        assert lot_mapping(actor(stranger.id), other.id) == []


def test_verify_fails_once_a_station_or_code_is_changed(app, scene):
    drawn(app, scene)
    with app.app_context():
        assert verify_draw(scene.contest_id)
        entry = db.session.get(Entry, scene.approved[0])
        used = {e.station for e in entries(scene.contest_id).values()}
        original = entry.station
        entry.station = next(label for label in ("01", "02", "03", "04", "05") if label not in used)
        db.session.commit()
        assert not verify_draw(scene.contest_id)
        entry = db.session.get(Entry, scene.approved[0])
        entry.station = original
        db.session.commit()
        assert verify_draw(scene.contest_id)
        first, second = (db.session.get(Entry, entry_id) for entry_id in scene.approved[:2])
        codes = first.code, second.code
        first.code = "TMP-000"
        db.session.flush()
        second.code = codes[0]
        db.session.flush()
        first.code = codes[1]
        db.session.commit()
        assert not verify_draw(scene.contest_id)


def test_verify_fails_when_an_undrawn_entry_gets_a_code(app, scene):
    drawn(app, scene)
    with app.app_context():
        db.session.get(Entry, scene.pending).code = "BCD-234"
        db.session.commit()
        assert not verify_draw(scene.contest_id)


def test_verify_is_false_before_the_draw(app, scene):
    with app.app_context():
        assert not verify_draw(scene.contest_id)
        assert not verify_draw(scene.contest_id + 99)


def test_reveal_needs_the_officer_and_a_locked_contest(app, scene):
    """The contest is moved to LOCKED with the stage guard: there is no locking service yet."""
    drawn(app, scene)
    with app.app_context():
        with pytest.raises(DomainError, match="once every criterion is locked"):
            reveal(actor(scene.officer), scene.contest_id)
        advance(get_contest(scene.contest_id), Stage.DRAWN, Stage.LOCKED)
        db.session.commit()
        for user_id in (scene.organiser, scene.judge, scene.workers[0]):
            with pytest.raises(DomainError, match="Only the contest's encryption officer"):
                reveal(actor(user_id), scene.contest_id)
        reveal(actor(scene.officer), scene.contest_id)
        db.session.commit()
    with app.app_context():
        contest = get_contest(scene.contest_id)
        assert contest.stage is Stage.REVEALED and contest.revealed_at is not None
        last = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.action == "contest.reveal" and last.actor_id == scene.officer
        assert contest.lot_seed not in json.dumps(last.after)
        with pytest.raises(DomainError, match="once every criterion is locked"):
            reveal(actor(scene.officer), scene.contest_id)


def test_after_reveal_organisers_see_the_mapping_too(app, scene):
    drawn(app, scene)
    with app.app_context():
        advance(get_contest(scene.contest_id), Stage.DRAWN, Stage.LOCKED)
        reveal(actor(scene.officer), scene.contest_id)
        db.session.commit()
        assert len(lot_mapping(actor(scene.organiser), scene.contest_id)) == 3
        assert len(lot_mapping(actor(scene.officer), scene.contest_id)) == 3
        for user_id in (scene.judge, scene.workers[0]):
            with pytest.raises(DomainError, match="There is no such contest"):
                lot_mapping(actor(user_id), scene.contest_id)
        assert verify_draw(scene.contest_id)
