"""A contest's marking scheme in the database: save, load, .xlsx import and export, and when
it can no longer change. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from competitions.contests.marking_models import (
    Aspect,
    Criterion,
    JudgeScore,
    PanelJudge,
    SubCriterion,
)
from competitions.contests.models import Stage
from competitions.contests.scheme import EXAMPLE, AspectKind, Scheme
from competitions.contests.scheme_xlsx import read_scheme
from competitions.contests.scheme_xlsx_write import template, write_scheme
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    get_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.registration import decide, enter
from competitions.contests.services.scheme_store import (
    SchemeRejected,
    export_scheme_xlsx,
    import_scheme_xlsx,
    load_scheme,
    save_scheme,
)
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow

EXAMPLE_ROWS = (4, 10, 22)  # criteria, sub-criteria and aspects of the example scheme
EXAMPLE_SUMMARY = {"criteria": {"A": "10", "B": "40", "C": "35", "D": "15"}, "aspects": 22}


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(user_id: int) -> Actor:
    """The actor of a user made for the test."""
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def scheme_rows(contest_id: int) -> tuple[int, int, int]:
    """How many criteria, sub-criteria and aspects the contest has stored."""
    return tuple(
        len(db.session.scalars(db.select(m.id).where(m.contest_id == contest_id)).all())
        for m in (Criterion, SubCriterion, Aspect)
    )


def audit_actions(contest_id: int) -> list[str]:
    """The actions audited on the contest, oldest first."""
    query = db.select(AuditEntry.action).where(
        AuditEntry.object_type == "Contest", AuditEntry.object_id == str(contest_id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def setup(app, people, trade_id):
    """An organiser and a contest in draft."""
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    with app.app_context():
        contest = create_contest(actor(organiser.id), ContestFields("全省电工技能竞赛", trade_id))
        db.session.commit()
        return organiser.id, contest.id


def test_a_saved_scheme_loads_back_equal_and_is_audited(app, setup):
    organiser, contest_id = setup
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        db.session.commit()
    with app.app_context():
        loaded = load_scheme(contest_id)
        assert loaded == EXAMPLE
        assert [c.code for c in loaded.criteria] == ["A", "B", "C", "D"]
        assert [a.code for a in loaded.aspects()] == [a.code for a in EXAMPLE.aspects()]
        assert loaded.total == Decimal(100)
        assert scheme_rows(contest_id) == EXAMPLE_ROWS
        assert audit_actions(contest_id) == ["contest.create", "contest.scheme_save"]
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "contest.scheme_save")
        ).one()
        assert entry.before is None
        assert entry.after == EXAMPLE_SUMMARY | {"panel_judges_kept": 0}


def test_texts_are_stored_trimmed_and_measurements_keep_no_descriptors(app, setup):
    organiser, contest_id = setup
    first = EXAMPLE.criteria[0]
    padded = replace(first, name=f"  {first.name} ")
    aspect = next(EXAMPLE.aspects())
    assert aspect.kind is AspectKind.MEASUREMENT
    sub = replace(first.sub_criteria[0], aspects=(replace(aspect, descriptors=("", " ")),))
    sub = replace(sub, aspects=sub.aspects + first.sub_criteria[0].aspects[1:])
    padded = replace(padded, sub_criteria=(sub, *first.sub_criteria[1:]))
    with app.app_context():
        save_scheme(actor(organiser), contest_id, Scheme((padded, *EXAMPLE.criteria[1:])))
        db.session.commit()
        assert load_scheme(contest_id) == EXAMPLE


def test_a_new_scheme_replaces_the_old_one_whole(app, setup):
    organiser, contest_id = setup
    smaller = Scheme(EXAMPLE.criteria[:1])
    only = smaller.criteria[0]
    aspect = only.sub_criteria[0].aspects[0]
    smaller = Scheme(
        (
            replace(
                only,
                sub_criteria=(
                    replace(
                        only.sub_criteria[0], aspects=(replace(aspect, max_mark=Decimal(100)),)
                    ),
                ),
            ),
        )
    )
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        db.session.commit()
        save_scheme(actor(organiser), contest_id, smaller)
        db.session.commit()
        assert load_scheme(contest_id) == smaller
        assert scheme_rows(contest_id) == (1, 1, 1)
        entry = db.session.scalars(
            db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
        ).one()
        assert entry.before == EXAMPLE_SUMMARY
        assert entry.after["criteria"] == {"A": "100"}


def test_an_invalid_scheme_is_refused_with_its_problems_and_nothing_changes(app, setup):
    organiser, contest_id = setup
    first = EXAMPLE.criteria[0]
    twice = replace(EXAMPLE.criteria[1], code="A")
    bad = Scheme((first, twice, *EXAMPLE.criteria[2:]))
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        db.session.commit()
    with app.app_context():
        with pytest.raises(SchemeRejected) as refused:
            save_scheme(actor(organiser), contest_id, bad)
        assert "code A is used twice" in str(refused.value)
        assert refused.value.problems and refused.value.field == "scheme"
        with pytest.raises(SchemeRejected, match="add up to 75, not 100"):
            save_scheme(actor(organiser), contest_id, Scheme(EXAMPLE.criteria[1:3]))
        with pytest.raises(SchemeRejected, match="has no criteria"):
            save_scheme(actor(organiser), contest_id, Scheme(()))
        db.session.commit()
    with app.app_context():
        assert load_scheme(contest_id) == EXAMPLE
        assert audit_actions(contest_id) == ["contest.create", "contest.scheme_save"]


def test_only_organisers_change_a_scheme(app, people, setup):
    _, contest_id = setup
    worker, judge = people.make(), people.make(Role.JUDGE, real_name="王裁判")
    with app.app_context():
        for user_id in (worker.id, judge.id):
            with pytest.raises(DomainError, match="Only an organiser"):
                save_scheme(actor(user_id), contest_id, EXAMPLE)
            with pytest.raises(DomainError, match="Only an organiser"):
                import_scheme_xlsx(actor(user_id), contest_id, template())
        assert scheme_rows(contest_id) == (0, 0, 0)


def test_a_missing_contest_is_refused(app, setup):
    organiser, contest_id = setup
    with app.app_context():
        with pytest.raises(DomainError, match="no such contest"):
            save_scheme(actor(organiser), contest_id + 99, EXAMPLE)
        with pytest.raises(DomainError, match="no such contest"):
            load_scheme(contest_id + 99)


def test_import_and_export_as_xlsx(app, setup):
    organiser, contest_id = setup
    with app.app_context():
        assert import_scheme_xlsx(actor(organiser), contest_id, template()) == EXAMPLE
        db.session.commit()
    with app.app_context():
        assert load_scheme(contest_id) == EXAMPLE
        scheme, problems = read_scheme(export_scheme_xlsx(contest_id))
        assert problems == [] and scheme == EXAMPLE
        assert audit_actions(contest_id)[-1] == "contest.scheme_import"


def test_a_bad_file_is_refused_with_row_numbers_and_nothing_changes(app, setup):
    organiser, contest_id = setup
    first = EXAMPLE.criteria[0]
    aspect = first.sub_criteria[0].aspects[1]  # row 3 of the sheet
    sub = replace(
        first.sub_criteria[0],
        aspects=(first.sub_criteria[0].aspects[0], replace(aspect, max_mark=Decimal(0))),
    )
    bad = Scheme(
        (replace(first, sub_criteria=(sub, *first.sub_criteria[1:])), *EXAMPLE.criteria[1:])
    )
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        db.session.commit()
    with app.app_context():
        with pytest.raises(SchemeRejected) as refused:
            import_scheme_xlsx(actor(organiser), contest_id, write_scheme(bad))
        rows = [problem.where for problem in refused.value.problems]
        assert 3 in rows
        assert "Row 3: A1.2: the mark must be more than 0" in str(refused.value)
        with pytest.raises(SchemeRejected, match=r"could not be read|not an \.xlsx"):
            import_scheme_xlsx(actor(organiser), contest_id, b"not a spreadsheet")
        db.session.commit()
    with app.app_context():
        assert load_scheme(contest_id) == EXAMPLE
        assert audit_actions(contest_id)[-1] == "contest.scheme_save"


def test_judges_on_a_panel_stay_when_their_aspect_keeps_its_code(app, people, setup):
    """Panels are assigned through the ORM here: there is no panel service yet."""
    organiser, contest_id = setup
    judge = people.make(Role.JUDGE, real_name="王裁判")
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        aspects = {a.code: a.id for a in db.session.scalars(db.select(Aspect))}
        for code in ("A1.1", "D2.2"):
            db.session.add(
                PanelJudge(aspect_id=aspects[code], user_id=judge.id, contest_id=contest_id)
            )
        db.session.commit()
        renamed = replace(
            EXAMPLE.criteria[3],
            sub_criteria=(
                EXAMPLE.criteria[3].sub_criteria[0],
                replace(
                    EXAMPLE.criteria[3].sub_criteria[1],
                    aspects=tuple(
                        replace(a, code=a.code.replace("D2", "D3"))
                        for a in EXAMPLE.criteria[3].sub_criteria[1].aspects
                    ),
                ),
            ),
        )
        save_scheme(actor(organiser), contest_id, Scheme((*EXAMPLE.criteria[:3], renamed)))
        db.session.commit()
        query = db.select(Aspect.code).join(PanelJudge, PanelJudge.aspect_id == Aspect.id)
        assert db.session.scalars(query).all() == ["A1.1"]
        last = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.after["panel_judges_kept"] == 1


def test_the_scheme_is_fixed_once_a_mark_exists(app, people, setup, trade_id):
    """The mark is a JudgeScore row made through the ORM: there is no marking service yet."""
    organiser, contest_id = setup
    worker, judge = people.make(), people.make(Role.JUDGE, real_name="王裁判")
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        entry_id = _approved_entry(organiser, contest_id, worker.id)
        aspect = db.session.scalars(db.select(Aspect).where(Aspect.code == "A2.1")).one()
        db.session.add(
            JudgeScore(
                contest_id=contest_id,
                entry_id=entry_id,
                aspect_id=aspect.id,
                judge_id=judge.id,
                score=Decimal(2),
            )
        )
        db.session.commit()
    with app.app_context():
        for change in (
            lambda: save_scheme(actor(organiser), contest_id, EXAMPLE),
            lambda: import_scheme_xlsx(actor(organiser), contest_id, template()),
        ):
            with pytest.raises(DomainError, match="once marks have been entered"):
                change()
        assert scheme_rows(contest_id) == EXAMPLE_ROWS
        assert db.session.scalar(db.select(JudgeScore.score)) == Decimal(2)


def _approved_entry(organiser: int, contest_id: int, user_id: int) -> int:
    """Open registration now, and enter and approve the worker."""
    contest = get_contest(contest_id)
    now = utcnow()
    fields = ContestFields(
        contest.name,
        contest.trade_id,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=1),
    )
    update_contest(actor(organiser), contest_id, fields)
    open_registration(actor(organiser), contest_id)
    entry = enter(actor(user_id), contest_id, user_id, None)
    return decide(actor(organiser), entry.id, True, "").id


def test_the_scheme_is_fixed_from_the_practical_on(app, setup):
    organiser, contest_id = setup
    with app.app_context():
        save_scheme(actor(organiser), contest_id, EXAMPLE)
        contest = get_contest(contest_id)
        advance(contest, Stage.DRAFT, Stage.THEORY)
        save_scheme(actor(organiser), contest_id, EXAMPLE)  # the theory stage still allows it
        for stage in (Stage.PRACTICAL, Stage.LOCKED, Stage.FINAL):
            advance(contest, contest.stage, stage)
            with pytest.raises(DomainError, match="once the practical has begun"):
                save_scheme(actor(organiser), contest_id, EXAMPLE)
        db.session.commit()
        assert audit_actions(contest_id).count("contest.scheme_save") == 2
