"""Patents: application numbers and their check character, adding, editing, legal status
history, deleting, duplicates refused even when two members add the same number at once."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.transactions import begin_writing
from studios.challenge_models import Challenge
from studios.publication_models import Patent, PatentStatus, PatentStatusChange, PatentType
from studios.search_models import SearchKind
from studios.services.access import NotAllowed, NotFound
from studios.services.patent_numbers import check_character, parse_application_number
from studios.services.patents import (
    PatentFields,
    add_patent,
    change_status,
    delete_patent,
    status_history,
    update_patent,
)
from studios.services.search import search
from tests.conftest import union_today
from tests.studio_scene import build_studios
from tests.test_training_concurrency import run_together


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


TODAY = date(2025, 6, 1)
INV, UM, DES = PatentType.INVENTION, PatentType.UTILITY_MODEL, PatentType.DESIGN

VALID = [  # typed, canonical, type (checks worked out by hand: digits × weights, sum mod 11)
    ("202310123456.6", "202310123456.6", INV),
    ("202220123457.1", "202220123457.1", UM),
    ("202130123458.7", "202130123458.7", DES),
    ("202380012345.6", "202380012345.6", INV),  # PCT invention entering China
    ("202190000001.X", "202190000001.X", UM),  # PCT utility model; a check of 10 is X
    ("98123456.9", "98123456.9", INV),  # the pre-2003 form, weights 2..9
    ("02134567.8", "02134567.8", INV),
    ("03312345.4", "03312345.4", DES),
    ("85100001.0", "85100001.0", INV),
    ("98100007.X", "98100007.X", INV),
    ("CN202310123456.6", "202310123456.6", INV),
    ("ZL 2023 1 0123456.6", "202310123456.6", INV),
    ("zl202190000001.x", "202190000001.X", UM),
    ("２０２３１０１２３４５６．６", "202310123456.6", INV),  # full-width digits and dot
    ("2023101234566", "202310123456.6", INV),  # the dot left out
    (" cn 98123456 . 9 ", "98123456.9", INV),
]
WRONG = [  # typed, what the message says
    ("202310123456.5", "check character"),
    ("202310123456.X", "check character"),
    ("202190000001.0", "check character"),
    ("98123456.8", "check character"),
    ("202310123465.6", "check character"),  # two digits swapped
    ("202310123456", "not a patent application number"),  # no check character
    ("20231012345.6", "not a patent application number"),  # 11 digits
    ("2023101234567.8", "not a patent application number"),
    ("202310123456.66", "not a patent application number"),
    ("202310123456-6", "not a patent application number"),
    ("US202310123456.6", "not a patent application number"),
    ("", "not a patent application number"),
    ("<script>alert(1)</script>", "not a patent application number"),
    ("1" * 1000, "not a patent application number"),
    ("202340123456.6", "fifth digit"),
    ("202350123456.6", "fifth digit"),
    ("203010123456.7", "year"),  # the future
    ("199910123456.6", "year"),  # the 12-digit form began in 2003
    ("50123456.7", "year"),  # before 1985 in the old form
]


def test_check_characters_worked_out_by_hand():
    assert check_character("202310123456") == "6"  # 4+0+8+15+6+0+8+18+6+12+20+30 = 127
    assert check_character("202190000001") == "X"  # 76 = 6 × 11 + 10
    assert check_character("98123456") == "9"  # 196 = 17 × 11 + 9


@pytest.mark.parametrize(("typed", "canonical", "kind"), VALID)
def test_valid_numbers_are_normalised(app, typed, canonical, kind):
    with app.test_request_context():
        number = parse_application_number(typed, TODAY)
        assert (number.text, number.patent_type) == (canonical, kind)


@pytest.mark.parametrize(("typed", "message"), WRONG)
def test_wrong_numbers_are_refused_with_a_reason(app, typed, message):
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            parse_application_number(typed, TODAY)
        assert message in str(refused.value)
        assert refused.value.field == "application_number"


@pytest.fixture
def scene(app, people):
    made = build_studios(app, people)
    with app.app_context():
        yield made


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def fields(**changes) -> PatentFields:
    values = {
        "patent_type": INV,
        "application_number": "CN202310123456.6",
        "title": "一种电力电缆焊接装置",
        "filed_on": date(2023, 3, 1),
        "other_inventors": ["外部专家 刘工"],
        "abstract": "本发明涉及焊接技术领域。",
    }
    values.update(changes)
    return PatentFields(**values)


def test_a_member_adds_a_patent_with_its_history_audit_and_index(scene):
    leader, member = scene.leaders[0], scene.members[0]
    studio_id = scene.studio_ids[0]
    challenge = Challenge(
        title="电缆接头温升难题",
        problem="接头温升过高",
        deadline=datetime(2024, 1, 1),
        poster_studio_id=scene.studio_ids[1],
        posted_by_id=scene.leaders[1].id,
        alliance_id=scene.city_id,
    )
    db.session.add(challenge)
    db.session.flush()
    patent = add_patent(
        actor(member),
        studio_id,
        fields(
            member_ids=[leader.id, member.id],
            granted_on=date(2024, 1, 5),
            challenge_id=challenge.id,
        ),
    )
    db.session.commit()
    assert patent.application_number == "202310123456.6"
    assert patent.status == PatentStatus.IN_FORCE
    assert [i["name"] for i in patent.inventors] == ["王强", "赵敏", "外部专家 刘工"]
    assert patent.inventors[0]["user_id"] == leader.id and patent.inventors[2]["user_id"] is None
    assert patent.challenge_id == challenge.id
    history = [(c.status, c.changed_on) for c in status_history(patent.id)]
    assert history == [
        (PatentStatus.PENDING, date(2023, 3, 1)),
        (PatentStatus.IN_FORCE, date(2024, 1, 5)),
    ]
    audit = db.session.scalars(select(AuditEntry).filter_by(action="patent.create")).one()
    assert audit.actor_id == member.id and audit.after["application_number"] == "202310123456.6"
    for query in ("焊接装置", "CN2023101", "202310123456.6", "刘工", "王强"):
        found = search(query, {SearchKind.PATENT}).items
        assert [h.object_id for h in found] == [patent.id], query


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patent_type": UM}, "application_number"),  # the type digit says invention
        ({"application_number": "202310123456.5"}, "application_number"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"filed_on": union_today() + timedelta(days=2)}, "filed_on"),
        ({"granted_on": date(2023, 2, 1)}, "granted_on"),  # before filing
        ({"granted_on": union_today() + timedelta(days=2)}, "granted_on"),
        ({"member_ids": [], "other_inventors": []}, "member_ids"),
        ({"other_inventors": ["名" * 31]}, "other_inventors"),
        ({"abstract": "字" * 5001}, "abstract"),
        ({"challenge_id": 0}, "challenge_id"),
        ({"challenge_id": 999}, "challenge_id"),  # no such challenge
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(scene, changes, field):
    with pytest.raises(DomainError) as refused:
        add_patent(actor(scene.leaders[0]), scene.studio_ids[0], fields(**changes))
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Patent)) == 0


def test_inventors_must_be_members_of_this_studio(scene):
    other_member = scene.members[1]
    with pytest.raises(DomainError) as refused:
        add_patent(
            actor(scene.leaders[0]), scene.studio_ids[0], fields(member_ids=[other_member.id])
        )
    assert refused.value.field == "member_ids"


def test_only_active_members_of_an_approved_studio_add(scene):
    for person, studio_id in (
        (scene.outsider, scene.studio_ids[0]),
        (scene.leaders[1], scene.studio_ids[0]),
        (scene.applicant, scene.pending_id),
        (scene.city_admin, scene.studio_ids[0]),
    ):
        with pytest.raises(NotAllowed):
            add_patent(actor(person), studio_id, fields())
        db.session.rollback()
    with pytest.raises(NotFound):
        add_patent(actor(scene.leaders[0]), 2**40, fields())


def test_a_duplicate_number_is_refused_in_any_spelling(scene):
    add_patent(actor(scene.leaders[0]), scene.studio_ids[0], fields())
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        add_patent(
            actor(scene.leaders[1]),
            scene.studio_ids[1],
            fields(application_number="ZL 2023 1 0123456.6"),
        )
    assert "already registered" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Patent)) == 1


def test_a_duplicate_added_at_once_by_two_studios_is_stored_once(app, scene):
    people = [scene.leaders[0], scene.leaders[1]]

    def work(index: int) -> str:
        person = people[index]
        begin_writing()  # as every POST request does
        try:
            add_patent(actor(person), scene.studio_ids[index], fields())
            db.session.commit()
            return "stored"
        except DomainError as error:
            db.session.rollback()
            return str(error)

    results = run_together(app, work, count=2)
    assert sorted(results)[1] == "stored"
    assert "already registered" in sorted(results)[0]
    assert db.session.scalar(select(func.count()).select_from(Patent)) == 1
    assert db.session.scalar(select(func.count()).select_from(PatentStatusChange)) == 1


def test_status_changes_make_a_dated_history(scene):
    leader, member = scene.leaders[0], scene.members[0]
    studio_id = scene.studio_ids[0]
    patent = add_patent(actor(leader), studio_id, fields())
    db.session.commit()
    with pytest.raises(DomainError):  # not before the filing date
        change_status(actor(member), studio_id, patent.id, PatentStatus.IN_FORCE, date(2023, 2, 1))
    with pytest.raises(DomainError):  # no change to the same status
        change_status(actor(member), studio_id, patent.id, PatentStatus.PENDING, date(2023, 5, 1))
    with pytest.raises(DomainError):
        change_status(
            actor(member), studio_id, patent.id, PatentStatus.IN_FORCE, union_today() + timedelta(1)
        )
    change_status(
        actor(member), studio_id, patent.id, PatentStatus.IN_FORCE, date(2024, 2, 2), "授权"
    )
    db.session.commit()
    assert patent.granted_on == date(2024, 2, 2)
    with pytest.raises(DomainError):  # earlier than the last change
        change_status(actor(member), studio_id, patent.id, PatentStatus.LAPSED, date(2024, 1, 1))
    change_status(
        actor(member), studio_id, patent.id, PatentStatus.LAPSED, date(2024, 9, 9), "未缴年费"
    )
    db.session.commit()
    steps = [(c.status, c.changed_on, c.note) for c in status_history(patent.id)]
    assert steps == [
        (PatentStatus.PENDING, date(2023, 3, 1), ""),
        (PatentStatus.IN_FORCE, date(2024, 2, 2), "授权"),
        (PatentStatus.LAPSED, date(2024, 9, 9), "未缴年费"),
    ]
    assert patent.status == PatentStatus.LAPSED
    actions = db.session.scalars(
        select(AuditEntry.action).filter_by(object_type="Patent", object_id=str(patent.id))
    )
    assert sorted(actions) == ["patent.create", "patent.status", "patent.status"]
    with pytest.raises(NotAllowed):
        change_status(actor(scene.outsider), studio_id, patent.id, PatentStatus.IN_FORCE, TODAY)


def test_an_edit_updates_the_index_and_a_delete_removes_everything(scene):
    leader, member = scene.leaders[0], scene.members[0]
    studio_id = scene.studio_ids[0]
    patent = add_patent(actor(member), studio_id, fields())
    db.session.commit()
    update_patent(
        actor(leader),
        studio_id,
        patent.id,
        fields(
            application_number="202220123457.1",
            patent_type=UM,
            title="变压器散热片",
            filed_on=date(2022, 4, 4),
        ),
    )
    db.session.commit()
    assert patent.application_number == "202220123457.1"
    assert status_history(patent.id)[0].changed_on == date(2022, 4, 4)
    assert search("焊接装置").items == [] and len(search("散热片").items) == 1
    with pytest.raises(DomainError):  # a pending patent gets its grant through a status change
        update_patent(actor(leader), studio_id, patent.id, fields(granted_on=date(2024, 1, 1)))
    db.session.rollback()
    with pytest.raises(NotFound):  # another studio's patent
        update_patent(actor(scene.leaders[1]), scene.studio_ids[1], patent.id, fields())
    db.session.rollback()
    mine = add_patent(actor(member), studio_id, fields(application_number="98123456.9"))
    db.session.commit()
    with pytest.raises(NotAllowed):  # a member deletes only what they added
        other = add_patent(actor(leader), studio_id, fields(application_number="85100001.0"))
        db.session.commit()
        delete_patent(actor(member), studio_id, other.id)
    db.session.rollback()
    delete_patent(actor(member), studio_id, mine.id)
    delete_patent(actor(leader), studio_id, patent.id)
    db.session.commit()
    assert search("散热片").items == []
    assert db.session.get(Patent, patent.id) is None
    remaining = db.session.scalars(select(PatentStatusChange.patent_id)).all()
    assert set(remaining) == {other.id}
