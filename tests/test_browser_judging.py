"""A judge marks in a real browser on a 768 px tablet: three entry codes on a judgement aspect,
an agreed mark, and a mark changed meanwhile shown again instead of overwritten."""

from decimal import Decimal

import pytest

from competitions.contests.marking_models import AgreedMark, JudgeScore
from competitions.contests.models import Entry, Stage
from competitions.contests.services.marking import save_agreed_mark
from guild.accounts.models import User
from guild.audit.services import Actor
from guild.extensions import db
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LIVE_APPS, shot
from tests.contest_scene import WORKER_NAMES, build_contest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def tablet_page():
    """A 768 px wide page in headless Chromium, and the console errors it logs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 768, "height": 1024})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors
        context.close()
        browser.close()


def _sign_in(page, base: str, person) -> None:
    host = base.split("//")[1].split(":")[0]
    page.context.add_cookies([{"name": "guild_lang", "value": "en", "domain": host, "path": "/"}])
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_judge_marks_three_entrants_at_768(live_server, tablet_page, app, people, trade_id):
    """Scores and an agreed mark saved in place land in the db; a stale save is shown again."""
    page, console_errors = tablet_page
    scene = build_contest(app, people, trade_id, until=Stage.PRACTICAL, marked=False)
    judge, served = scene.judges[0], LIVE_APPS[live_server]
    entries = [scene.entries[worker.id] for worker in scene.workers[:3]]
    _sign_in(page, live_server, judge)
    page.goto(f"{live_server}/skills/judging/")
    page.locator("#judging-contests a", has_text="Marking sheet").click()
    page.locator("#panel-aspects a", has_text="A1.2").click()
    assert "0 of 6 marked" in page.locator("#aspect-progress").inner_text()
    body = page.content()
    assert not any(name in body for name in WORKER_NAMES)
    for entry, score in zip(entries, ("3", "1", "2"), strict=True):
        row = page.locator(f"#entry-{entry}")
        row.locator(f"button[name=value][value='{score}']").click()
        row.locator("[data-role=message].text-success").wait_for()
        assert row.locator("[data-role=value]").inner_text() == score
        assert row.locator(f"button[value='{score}']").get_attribute("aria-pressed") == "true"
    assert "3 of 6 marked" in page.locator("#aspect-progress").inner_text()
    _fits(page, 768)
    shot(page, "40-judging-judgement-768")
    with served.app_context():
        scores = db.session.execute(
            db.select(JudgeScore.entry_id, JudgeScore.score).where(JudgeScore.judge_id == judge.id)
        ).all()
        assert sorted(scores) == sorted(zip(entries, map(Decimal, ("3", "1", "2")), strict=True))
    # The agreed mark of a measurement aspect, then the same row saved meanwhile elsewhere.
    page.goto(f"{live_server}/skills/judging/{scene.contest_id}/aspects/{scene.aspects['A1.1']}")
    row = page.locator(f"#entry-{entries[0]}")
    row.locator("input[name=value]").fill("27.5")
    row.locator("button[type=submit]").click()
    row.locator("[data-role=message].text-success").wait_for()
    row2 = page.locator(f"#entry-{entries[1]}")
    with served.app_context():  # another tab saves the second entrant's mark
        actor = Actor(db.session.get(User, judge.id), "127.0.0.1")
        save_agreed_mark(actor, scene.contest_id, entries[1], scene.aspects["A1.1"], "12", None)
        db.session.commit()
    row2.locator("input[name=value]").fill("20")
    row2.locator("button[type=submit]").click()
    row2.locator("[data-role=message].text-danger").wait_for()
    assert "it is now 12" in row2.locator("[data-role=message]").inner_text()
    assert row2.locator("input[name=value]").input_value() == "12"
    shot(page, "41-judging-stale-mark-768")
    with served.app_context():
        marks = dict(db.session.execute(db.select(AgreedMark.entry_id, AgreedMark.mark)).all())
        assert marks == {entries[0]: Decimal("27.50"), entries[1]: Decimal("12.00")}
        assert db.session.get(Entry, entries[0]).code in page.content()
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    _fits(page, 375)
    shot(page, "42-judging-measurement-375")
    # Chromium logs every 4xx answer to fetch; the 409 of the stale save is the expected one.
    assert [e for e in console_errors if "409 (CONFLICT)" not in e] == []
