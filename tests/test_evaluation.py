"""The annual evaluation: pure pandas scoring with hand-worked figures, then the year's life
(weights, naming, closing, history) through the services."""

import pandas as pd
import pytest
from sqlalchemy import select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from studios.activity_models import EvaluationResult, EvaluationYear
from studios.services import evaluation_years as years
from studios.services.access import NotAllowed, NotFound
from studios.services.evaluation import (
    DEFAULT_WEIGHTS,
    INDICATORS,
    RawRows,
    indicator_table,
    load_rows,
    score_alliances,
)
from tests.report_scene import build_activity
from tests.studio_scene import build_studios


def _table(values: dict[int, dict]) -> pd.DataFrame:
    table = pd.DataFrame(0.0, index=pd.Index(sorted(values), name="studio_id"), columns=INDICATORS)
    for studio_id, figures in values.items():
        for name, value in figures.items():
            table.loc[studio_id, name] = value
    return table


def _members(pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["alliance_id", "studio_id"])


THREE = _table(
    {
        1: {"invention_patents": 2, "achievements": 1},
        2: {"invention_patents": 1, "achievements": 4},
        3: {"invention_patents": 0, "achievements": 2},
    }
)
MEMBERS = _members([(10, 1), (10, 2), (10, 3), (20, 3)])


def _ranked(frame: pd.DataFrame, alliance_id: int) -> list[tuple[int, float, int]]:
    rows = frame[frame["alliance_id"] == alliance_id]
    return [(int(r.studio_id), r.score, int(r.rank)) for r in rows.itertuples()]


def test_scores_are_the_weighted_mean_of_shares_of_the_alliance_best():
    ranked = score_alliances(THREE, MEMBERS, {"invention_patents": 2, "achievements": 1})
    # Alliance 10: best 2 inventions, 4 results. 1: (2·1 + 1·0.25)/3; 2: (2·0.5 + 1)/3; 3: 0.5/3.
    assert _ranked(ranked, 10) == [(1, 75.0, 1), (2, 66.666667, 2), (3, 16.666667, 3)]
    # Alliance 20 has studio 3 alone: no inventions there (share 0), results share 1.
    assert _ranked(ranked, 20) == [(3, 33.333333, 1)]


def test_weights_change_the_ranking():
    ranked = score_alliances(THREE, MEMBERS, {"invention_patents": 1, "achievements": 3})
    # 1: (1 + 3·0.25)/4 = 43.75; 2: (0.5 + 3)/4 = 87.5; 3: 3·0.5/4 = 37.5.
    assert _ranked(ranked, 10) == [(2, 87.5, 1), (1, 43.75, 2), (3, 37.5, 3)]


def test_ties_go_to_more_inventions_then_the_lower_id():
    table = _table(
        {
            7: {"invention_patents": 0, "achievements": 2},
            8: {"invention_patents": 2, "achievements": 0},
            4: {"invention_patents": 0, "achievements": 2},
        }
    )
    ranked = score_alliances(
        table, _members([(1, 4), (1, 7), (1, 8)]), {"invention_patents": 1, "achievements": 1}
    )
    assert _ranked(ranked, 1) == [(8, 50.0, 1), (4, 50.0, 2), (7, 50.0, 3)]


def test_nobody_has_anything_all_score_zero():
    table = _table({1: {}, 2: {}})
    ranked = score_alliances(table, _members([(1, 1), (1, 2)]), DEFAULT_WEIGHTS)
    assert _ranked(ranked, 1) == [(1, 0.0, 1), (2, 0.0, 2)]


def test_indicators_from_raw_rows():
    rows = RawRows(
        memberships=_members([(1, 5), (1, 6)]),
        patents=pd.DataFrame(
            {
                "studio_id": [5, 5, 5, 6],
                "patent_type": ["invention", "design", "design", "utility_model"],
            }
        ),
        achievements=pd.DataFrame({"studio_id": [5, 5], "benefit_fen": [1_500_000, 250_000]}),
        courseware=pd.DataFrame({"studio_id": [6, 6, 6]}),
        events=pd.DataFrame({"studio_id": [5]}),
        checkins=pd.DataFrame({"studio_id": [5, 5, 5, 6], "user_id": [100, 100, 101, 100]}),
        delivered=pd.Series({5: 0, 6: 0}),
    )
    table = indicator_table(rows)
    assert table.loc[5].to_dict() == {
        "invention_patents": 1,
        "utility_model_patents": 0,
        "design_patents": 2,
        "achievements": 2,
        "benefit_wan_yuan": 1.75,
        "courseware": 0,
        "events": 1,
        "members_trained": 2,
        "challenges_delivered": 0,
    }
    assert (table.loc[6, "utility_model_patents"], table.loc[6, "courseware"]) == (1, 3)
    assert table.loc[6, "members_trained"] == 1  # checked in at studio 6 (no event counted there)


@pytest.fixture
def built(make_app, people):
    app = make_app(BABEL_DEFAULT_LOCALE="en")
    people.app = app
    scene = build_studios(app, people)
    activity = build_activity(app, scene)
    organiser = people.make(Role.ORGANISER, real_name="组织者")
    return app, scene, activity, organiser


def _actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def test_the_year_is_read_from_the_database(built):
    app, scene, activity, _organiser = built
    with app.test_request_context():
        rows = load_rows(2026)
        table = indicator_table(rows)
        a = table.loc[activity.studio_a].to_dict()
        assert a == {
            "invention_patents": 2,
            "utility_model_patents": 1,
            "design_patents": 0,
            "achievements": 2,
            "benefit_wan_yuan": 1.26005,
            "courseware": 2,
            "events": 3,  # 03-15, 06-01 and 06-30 20:00 UTC; not the cancelled one
            "members_trained": 2,
            "challenges_delivered": 0,
        }
        b = table.loc[activity.studio_b]
        assert (b["utility_model_patents"], b["achievements"], b["events"]) == (1, 1, 0)
        view = years.year_view(2026)
        pairs = set(zip(view.ranking["alliance_id"], view.ranking["studio_id"], strict=True))
        both = {activity.studio_a, activity.studio_b}
        assert pairs == {(scene.city_id, s) for s in both} | {
            (scene.provincial_id, s) for s in both
        }
        city = view.ranking[view.ranking["alliance_id"] == scene.city_id]
        assert city.iloc[0]["studio_id"] == activity.studio_a
        assert list(city["rank"]) == [1, 2]


def test_only_organisers_set_weights_and_they_change_the_ranking(built):
    app, scene, _activity, organiser = built
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            years.save_weights(_actor(scene.city_admin), 2026, DEFAULT_WEIGHTS)
        only_utility = dict.fromkeys(INDICATORS, 0) | {"utility_model_patents": 5}
        years.save_weights(_actor(organiser), 2026, only_utility)
        db.session.commit()
        city = years.year_view(2026).ranking.query(f"alliance_id == {scene.city_id}")
        # Both have one utility-model patent: equal scores, A has more inventions.
        assert list(city["score"]) == [100.0, 100.0]
        years.save_weights(
            _actor(organiser), 2026, dict.fromkeys(INDICATORS, 0) | {"achievements": 1}
        )
        db.session.commit()
        assert years.weights_of(2026)["achievements"] == 1.0
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "evaluation.weights")
        )
        assert len(list(entries)) == 2


@pytest.mark.parametrize(
    "weights",
    [
        dict.fromkeys(INDICATORS, 0),
        {"invention_patents": -1},
        {"invention_patents": 101},
        {"invention_patents": float("nan")},
        {"invention_patents": "many"},
        {"popularity": 3},
    ],
)
def test_bad_weights_are_refused(built, weights):
    app, _scene, _activity, organiser = built
    with app.test_request_context():
        with pytest.raises(DomainError):
            years.save_weights(_actor(organiser), 2026, weights)
        db.session.rollback()
        assert db.session.get(EvaluationYear, 2026) is None


def test_naming_closes_the_year_and_keeps_the_history(built):
    app, scene, activity, organiser = built
    a, b = activity.studio_a, activity.studio_b
    with app.test_request_context():
        named = years.name_demonstration(_actor(organiser), 2026, 1, {(scene.city_id, b)})
        db.session.commit()
        assert named == 3  # A in the city and the provincial alliance, B picked in the city
        results = db.session.scalars(
            select(EvaluationResult).where(EvaluationResult.year == 2026)
        ).all()
        assert len(results) == 4
        marked = {(r.alliance_id, r.studio_id) for r in results if r.demonstration}
        assert marked == {(scene.city_id, a), (scene.city_id, b), (scene.provincial_id, a)}
        stored = {(r.alliance_id, r.studio_id): r for r in results}
        assert stored[(scene.city_id, a)].indicators["invention_patents"] == 2
        settings = db.session.get(EvaluationYear, 2026)
        assert settings.closed_at is not None and settings.closed_by_id == organiser.id
        assert settings.demonstration_count == 1
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "evaluation.close")
        ).one()
        assert audit.after["named"] == 3
        # The year is the row's key: the log names it like any other row, not by its repr.
        assert (audit.object_type, audit.object_id) == ("EvaluationYear", "2026")
        history = years.history()
        assert list(history) == [2026]
        assert {(n.alliance_id, n.studio_id) for n in history[2026]} == marked
        honours = years.studio_honours(a)
        assert sorted(n.alliance_id for n in honours) == sorted(
            [scene.city_id, scene.provincial_id]
        )
        view = years.year_view(2026)
        assert view.closed and int(view.ranking["demonstration"].sum()) == 3


def test_a_closed_year_refuses_changes_and_is_not_recomputed(built):
    app, scene, activity, organiser = built
    with app.test_request_context():
        years.name_demonstration(_actor(organiser), 2026, 1)
        db.session.commit()
        with pytest.raises(DomainError, match="closed"):
            years.save_weights(_actor(organiser), 2026, DEFAULT_WEIGHTS)
        db.session.rollback()
        with pytest.raises(DomainError, match="closed"):
            years.name_demonstration(_actor(organiser), 2026, 2)
        db.session.rollback()
        before = years.year_view(2026).ranking
        # New activity after closing changes nothing in the closed year.
        from studios.publication_models import PatentType
        from tests.report_scene import patent

        patent(
            scene.leaders[1],
            activity.studio_b,
            PatentType.INVENTION,
            pd.Timestamp("2026-08-01").date(),
            9,
        )
        db.session.commit()
        after = years.year_view(2026).ranking
        pd.testing.assert_frame_equal(before, after)


def test_naming_refusals(built):
    app, scene, activity, organiser = built
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            years.name_demonstration(_actor(scene.leaders[0]), 2026, 1)
        with pytest.raises(DomainError, match="at least one"):
            years.name_demonstration(_actor(organiser), 2026, 0)
        with pytest.raises(DomainError, match="ranked"):
            years.name_demonstration(
                _actor(organiser), 2026, 0, {(scene.industry_id, activity.studio_a)}
            )
        with pytest.raises(DomainError, match="No studio"):
            years.name_demonstration(_actor(organiser), 2018, 1)  # founded in 2019
        with pytest.raises(NotFound):
            years.name_demonstration(_actor(organiser), 1999, 1)
        with pytest.raises(NotFound):
            years.year_view(2100)
        db.session.rollback()
        assert db.session.scalar(select(EvaluationResult.year)) is None
