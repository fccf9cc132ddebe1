"""Activity reports counted by period, checked by hand against rows made through the services."""

from datetime import date

import pytest

from guild.errors import DomainError
from guild.money import fen_to_yuan as yuan
from studios.services.access import alliance_ids_with_children, approved_studio_ids_of_alliance
from studios.services.challenge_counts import challenge_counts
from studios.services.periods import Period, parse_period, preset_period
from studios.services.reports import activity_report, activity_sentence
from tests.report_scene import build_activity
from tests.studio_scene import build_studios

H1 = Period(date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture
def built(make_app, people):
    app = make_app(BABEL_DEFAULT_LOCALE="en")
    people.app = app
    scene = build_studios(app, people)
    return app, scene, build_activity(app, scene)


def _alliance(scene, alliance_id, period):
    ids = approved_studio_ids_of_alliance(alliance_id)
    return activity_report(ids, period, alliance_ids_with_children(alliance_id))


def test_a_studio_counts_what_falls_in_the_period(built):
    app, _scene, activity = built
    with app.test_request_context():
        report = activity_report([activity.studio_a], H1)
        a = report.total
        assert (a.patents, a.by_type["invention"], a.by_type["utility_model"]) == (2, 1, 1)
        assert a.by_type["design"] == 0  # filed 2025-12-31
        assert (a.achievements, a.benefit_fen) == (2, 1_260_050)
        assert yuan(a.benefit_fen) == "12,600.50"
        assert (
            a.events == 2
        )  # the cancelled one and the one starting 07-01 in Shanghai do not count
        assert (a.courseware, a.uploads, a.claims, a.delivered) == (0, 0, 0, 0)
        assert [row[1] for row in report.patents] == ["专利2号", "专利1号"]  # newest first
        assert activity_sentence(a) == "2 patents, 2 results, 0 courseware, 0 claims, 2 events"


def test_courseware_counts_items_created_and_uploads_in_the_period(built):
    app, _scene, activity = built
    with app.test_request_context():
        year = activity_report([activity.studio_a], Period(date(2026, 1, 1), date(2026, 12, 31)))
        assert (year.total.courseware, year.total.uploads) == (2, 4)  # 3 first uploads + 1 version
        old = activity_report([activity.studio_a], Period(date(2025, 1, 1), date(2025, 12, 31)))
        assert (old.total.courseware, old.total.uploads) == (1, 0)
        assert (old.total.patents, old.total.by_type["design"], old.total.achievements) == (1, 1, 1)
        assert old.total.benefit_fen == 99_900


def test_day_edges_are_local_days(built):
    app, _scene, activity = built
    with app.test_request_context():
        july = activity_report([activity.studio_a], Period(date(2026, 7, 1), date(2026, 7, 1)))
        assert (july.total.events, july.total.patents) == (1, 1)
        june_30 = activity_report([activity.studio_a], Period(date(2026, 6, 30), date(2026, 6, 30)))
        assert (june_30.total.events, june_30.total.achievements) == (0, 1)


def test_an_alliance_has_a_row_per_studio_and_its_own_events(built):
    app, scene, activity = built
    with app.test_request_context():
        city = _alliance(scene, scene.city_id, H1)
        assert [row.studio_id for row in city.studios] == sorted(
            [activity.studio_a, activity.studio_b],
            key=lambda i: [r.name for r in city.studios if r.studio_id == i],
        )
        rows = {row.studio_id: row for row in city.studios}
        assert (rows[activity.studio_a].patents, rows[activity.studio_b].patents) == (2, 1)
        assert (rows[activity.studio_b].achievements, rows[activity.studio_b].benefit_fen) == (1, 0)
        assert city.alliance_events == 1
        assert (city.total.patents, city.total.achievements, city.total.events) == (3, 3, 3)
        assert (
            activity_sentence(city.total)
            == "3 patents, 3 results, 0 courseware, 0 claims, 3 events"
        )
        provincial = _alliance(scene, scene.provincial_id, H1)
        assert {row.studio_id for row in provincial.studios} == set(rows)
        assert (provincial.total.patents, provincial.total.events) == (3, 3)
        industry = _alliance(scene, scene.industry_id, H1)
        assert (industry.studios, industry.total.patents, industry.total.events) == ([], 0, 0)


def test_the_pending_studio_is_not_in_the_alliance_report(built):
    app, scene, _activity = built
    with app.test_request_context():
        ids = approved_studio_ids_of_alliance(scene.city_id)
        assert scene.pending_id not in ids


def test_challenge_counts_are_zero_for_studios_without_claims(built):
    app, scene, _activity = built
    with app.test_request_context():
        counts = challenge_counts(scene.studio_ids, date(2026, 1, 1), date(2026, 12, 31))
    assert counts == {sid: {"claims": 0, "delivered": 0} for sid in scene.studio_ids}


def test_periods_presets_and_defaults():
    day = date(2026, 5, 17)
    assert preset_period("this_month", day) == Period(date(2026, 5, 1), day)
    assert preset_period("this_quarter", day) == Period(date(2026, 4, 1), day)
    assert preset_period("this_year", day) == Period(date(2026, 1, 1), day)
    assert preset_period("last_year", day) == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert parse_period(None, None, None, day) == Period(date(2026, 1, 1), day)
    assert parse_period("2026-02-01", "2026-02-28", None, day) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert parse_period("", "2025-03-01", None, day) == Period(date(2025, 1, 1), date(2025, 3, 1))
    assert parse_period("2016-05-18", "2026-05-17", None, day).start == date(2016, 5, 18)


@pytest.mark.parametrize(
    ("start", "end", "preset", "field"),
    [
        ("2026-05-01", "2026-04-30", None, "end"),
        ("2016-05-17", "2026-05-17", None, "end"),  # ten years and a day
        ("yesterday", "2026-05-01", None, "start"),
        ("2026-02-30", None, None, "start"),
        ("0001-01-01", "0001-02-01", None, "end"),
        (None, None, "next_decade", "preset"),
    ],
)
def test_bad_periods_are_refused_with_a_message(start, end, preset, field):
    with pytest.raises(DomainError) as refused:
        parse_period(start, end, preset, date(2026, 5, 17))
    assert refused.value.field == field
