"""The organisers' contest pages in a real browser at 375 px: nothing wider than the screen,
no console error, and a contest created through the form with CSRF on."""

import pytest
from sqlalchemy import select

from competitions.contests.models import Contest, Stage
from guild.extensions import db
from tests.conftest import CHROMIUM, LIVE_APPS, shot
from tests.contest_scene import build_contest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]
PAGES = ("", "/edit", "/staff", "/scheme", "/panels", "/entries", "/theory", "/draw")


def _sign_in(page, base: str, person) -> None:
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _fits(page, errors: list[str], url: str) -> None:
    errors.clear()
    page.goto(url)
    assert errors == [], url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    shot(page, "contest-setup-" + (url.split("/skills/contests/")[1].replace("/", "-") or "index"))


def test_organiser_pages_fit_a_phone(live_server, phone_page, app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    page, errors = phone_page
    _sign_in(page, live_server, scene.organiser)
    base = f"{live_server}/skills/contests/"
    _fits(page, errors, base)
    _fits(page, errors, base + "new")
    for path in PAGES:
        _fits(page, errors, f"{base}{scene.contest_id}{path}")

    page.goto(base + "new")
    page.fill("#name", "手机上建的竞赛")
    page.select_option("#trade_id", str(trade_id))
    page.fill("#registration_opens_at", "2030-05-01T09:00")
    page.fill("#registration_closes_at", "2030-05-10T18:00")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "The contest is saved." in page.content() or "手机上建的竞赛" in page.content()
    with LIVE_APPS[live_server].app_context():
        contest = db.session.scalar(select(Contest).where(Contest.name == "手机上建的竞赛"))
        assert contest is not None and contest.stage is Stage.DRAFT
        assert contest.registration_opens_at.isoformat() == "2030-05-01T01:00:00"
