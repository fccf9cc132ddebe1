"""Training in a real browser at 375 px: daily practice, the mistake book, an exam's deadline."""

import re
from datetime import timedelta

import pytest

from competitions.questions.types import QuestionType
from guild.extensions import db
from tests.conftest import CHROMIUM, SECRET_EXPLANATION, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def _sign_in(page, base: str, person) -> None:
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _oracle(app, attempt_id: int, position: int) -> tuple[str, list[str], str]:
    """The question's type, its key as displayed in this attempt, and its stem (from the DB)."""
    from competitions.questions.models import QuestionVersion
    from competitions.training.grading import to_display_letters
    from competitions.training.models import AttemptItem

    with app.app_context():
        item = db.session.get(AttemptItem, (attempt_id, position))
        version = db.session.get(QuestionVersion, item.version_id)
        key = list(version.answer)
        if version.options:
            key = to_display_letters(item.option_order, key)
        return version.type.value, key, version.stem


def _respond(page, kind: str, values: list[str]) -> None:
    if kind == QuestionType.FILL_BLANK.value:
        page.fill("input[name=response]", values[0])
        return
    for value in values:
        page.check(f"input[name=response][value='{value}']")


def _wrong(kind: str, key: list[str]) -> list[str]:
    if kind == QuestionType.FILL_BLANK.value:
        return ["不知道"]
    if kind == QuestionType.TRUE_FALSE.value:
        return ["false" if key == ["true"] else "true"]
    return ["A"] if key != ["A"] else ["B"]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_daily_practice_result_and_mistake_book(live_server, phone_page, people, trade_id):
    """A worker does a daily practice, sees each result and explanation, then the mistake."""
    page, console_errors = phone_page
    app = _app_of(live_server)
    _sign_in(page, live_server, people.make(real_name="王小红"))
    page.goto(live_server + "/skills/training/")
    page.check(f"#trade-{trade_id}")
    page.locator("form[action$='/skills/training/trades'] button[type=submit]").click()
    attempt_id = _start(page, "daily")
    missed_stem = ""
    for position in range(1, 7):
        kind, key, stem = _oracle(app, attempt_id, position)
        assert SECRET_EXPLANATION not in page.content()
        _fits(page)
        if position == 1:
            shot(page, "10-daily-question")
        answer = key if position > 1 else _wrong(kind, key)
        missed_stem = stem if position == 1 else missed_stem
        _respond(page, kind, answer)
        page.locator("#submit-answer").click()
        page.wait_for_selector("#verdict")
        if position == 1:
            assert "alert-danger" in page.locator("#verdict").get_attribute("class")
            shot(page, "11-daily-wrong-with-explanation")
        page.locator("#verdict ~ .d-grid a").click()
    assert "5/6" in page.locator("#result-summary").inner_text()
    shot(page, "12-daily-result")
    page.goto(live_server + "/skills/training/mistakes")
    assert missed_stem in page.locator("#mistakes").inner_text()
    _fits(page)
    shot(page, "13-mistake-book")
    # The same pages in English.
    host = live_server.split("//")[1].split(":")[0]
    page.context.add_cookies([{"name": "guild_lang", "value": "en", "domain": host, "path": "/"}])
    for path, heading in (
        ("/skills/training/", "My training"),
        ("/skills/training/mistakes", "Mistake book"),
        (f"/skills/training/attempts/{attempt_id}/result", "Daily practice"),
    ):
        page.goto(live_server + path)
        assert heading in page.locator("h1").inner_text(), path
        _fits(page)
    assert "Answer: True" in page.content() and ": true" not in page.content()
    shot(page, "19-training-english")
    assert not console_errors


def test_mock_exam_is_submitted_when_the_clock_runs_out(live_server, phone_page, people, trade_id):
    """The exam's timer submits the paper at the deadline with the answer on screen."""
    from competitions.training.models import Attempt
    from competitions.training.services.blueprints import Part, save_blueprint
    from guild.audit.services import Actor
    from guild.trades.models import Trade

    page, console_errors = phone_page
    app = _app_of(live_server)
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        part = Part(QuestionType.SINGLE, 0, 3, 10)
        save_blueprint(Actor(None), None, trade, "安全用电模拟", 30, [part])
        db.session.commit()
    _sign_in(page, live_server, people.make(real_name="赵大勇"))
    page.goto(live_server + "/skills/training/")
    page.check(f"#trade-{trade_id}")
    page.locator("form[action$='/skills/training/trades'] button[type=submit]").click()
    page.on("dialog", lambda dialog: dialog.accept())
    attempt_id = _start(page, "exam")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = attempt.started_at + timedelta(seconds=6)
        db.session.commit()
    page.reload()
    _fits(page)
    shot(page, "14-exam-question")
    kind, key, _stem = _oracle(app, attempt_id, 1)
    _respond(page, kind, key)
    page.wait_for_url(re.compile(r"/result$"), timeout=15_000)
    shot(page, "15-exam-auto-submitted")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None and attempt.score == 10
    assert SECRET_EXPLANATION in page.content()
    assert not console_errors


def _start(page, mode: str) -> int:
    """Start a practice of this mode and return its attempt id once its first question loads."""
    page.locator(f"form:has(input[name=mode][value={mode}]) button[type=submit]").click()
    # The start redirects twice; the click returns at the first commit, so wait for the
    # question page itself before reading the URL or reloading (a reload mid-redirect fails).
    page.wait_for_url(re.compile(r"/attempts/\d+/\d+$"))
    return int(re.search(r"/attempts/(\d+)/", page.url)[1])


def _app_of(base: str):
    """The app behind the live server (the fixture keeps it)."""
    from tests.conftest import LIVE_APPS

    return LIVE_APPS[base]


def test_campaign_leaderboard_and_statistics_charts(live_server, phone_page, people, trade_id):
    """A worker's campaign page and the organiser's statistics, with their charts drawn."""
    from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
    from competitions.training.models import Mode
    from competitions.training.services.answering import answer_question
    from competitions.training.services.attempts import Clock, start_attempt
    from guild.accounts.models import User
    from guild.accounts.roles import Role
    from guild.audit.services import Actor
    from guild.timeutil import local_day, utcnow
    from guild.trades.models import Trade

    page, console_errors = phone_page
    app = _app_of(live_server)
    workers = [people.make(real_name=name) for name in ("钱多多", "孙悟能", "李小龙")]
    with app.app_context():
        today = local_day(utcnow(), app.config["BABEL_DEFAULT_TIMEZONE"])
        fields = CampaignFields("冬季练兵", "", today, today, (trade_id,), daily_count=4)
        campaign = save_campaign(Actor(None), None, fields)
        trade = db.session.get(Trade, trade_id)
        for rank, worker in enumerate(workers):
            clock = Clock(utcnow(), today)
            attempt = start_attempt(db.session.get(User, worker.id), trade, Mode.DAILY, clock)
            db.session.commit()  # the oracle reads it from its own session
            for item in attempt.items:
                kind, key, _stem = _oracle(app, attempt.id, item.position)
                response = key if item.position > rank else _wrong(kind, key)
                answer_question(
                    worker.id, attempt.id, item.position, item.question_id, response, clock
                )
            db.session.commit()
        campaign_id = campaign.id
    _sign_in(page, live_server, workers[2])
    page.goto(f"{live_server}/skills/campaigns/{campaign_id}/")
    board = page.content()
    assert "钱*多" in board and "钱多多" not in board
    assert "今日已练" in board  # the viewer's daily practice is done
    _fits(page)
    shot(page, "16-campaign-leaderboard")
    page.context.clear_cookies()
    _sign_in(page, live_server, people.make(Role.ORGANISER, real_name="陈秀英"))
    page.goto(f"{live_server}/skills/campaigns/{campaign_id}/statistics")
    page.wait_for_selector("[data-chart] canvas")
    _fits(page)
    shot(page, "17-campaign-statistics")
    for path in (
        "/skills/campaigns/new",
        f"/skills/campaigns/{campaign_id}/edit",
        "/skills/campaigns/",
        f"/skills/blueprints/new?trade={trade_id}",
        f"/skills/banks/{trade_id}/statistics",
    ):
        page.goto(live_server + path)
        _fits(page)
    shot(page, "18-item-statistics")
    assert not console_errors
