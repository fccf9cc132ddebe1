"""A published contest's pages on a 375 px phone in Chromium, as each person meets them: the
entrant's result and appeal, the ranking, the chief judge's progress and analytics charts,
the officer's mapping and the organiser's appeals. Nothing overflows; no console error."""

import pytest

from competitions.contests.marking_models import Appeal
from competitions.contests.models import Stage
from guild.extensions import db
from tests.conftest import CHROMIUM, LIVE_APPS, shot, submit
from tests.contest_scene import build_contest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def _sign_in(page, base: str, person) -> None:
    page.context.clear_cookies()
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _fits(page, console_errors: list[str], url: str, name: str) -> None:
    console_errors.clear()
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    assert console_errors == [], (url, console_errors)
    shot(page, f"50-contest-{name}")


def test_a_published_contest_on_a_phone(live_server, phone_page, app, people, trade_id):
    page, console_errors = phone_page
    scene = build_contest(app, people, trade_id, until=Stage.PUBLICITY)
    contest = f"{live_server}/skills/contests/{scene.contest_id}"
    judging = f"{live_server}/skills/judging/{scene.contest_id}"
    worker = scene.workers[0]
    _sign_in(page, live_server, worker)
    for path, name in (("", "hub-entrant"), ("/entry", "entry"), ("/results", "ranking")):
        _fits(page, console_errors, contest + path, name)
    _fits(page, console_errors, contest + "/entry/result", "my-result")
    assert "布线工艺美观" in page.content()  # the entrant's own aspect marks
    page.fill("textarea[name=reason]", "工艺美观评分偏低，请求复核")
    submit(page, page.locator("form:has(textarea[name=reason]) button[type=submit]"))
    assert "工艺美观评分偏低" in page.content()
    shot(page, "50-contest-appeal-filed")
    with LIVE_APPS[live_server].app_context():
        assert db.session.scalar(db.select(db.func.count(Appeal.id))) == 1
    _sign_in(page, live_server, scene.chief)
    _fits(page, console_errors, judging + "/progress", "chief-progress")
    _fits(page, console_errors, contest + "/analytics", "chief-analytics")
    assert page.locator("[data-chart] canvas").count() >= 1  # ECharts drew the charts
    _fits(page, console_errors, contest + "/results/sheet", "chief-score-sheet")
    _sign_in(page, live_server, scene.officer)
    _fits(page, console_errors, judging + "/mapping", "officer-mapping")
    _sign_in(page, live_server, scene.organiser)
    _fits(page, console_errors, contest + "/appeals", "organiser-appeals")
    assert "工艺美观评分偏低" in page.content()
    for path, name in (("", "hub-organiser"), ("/results", "results")):
        _fits(page, console_errors, contest + path, "organiser-" + name)
