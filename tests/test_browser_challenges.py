"""The challenge board's whole story in a real browser at 375 px: an enterprise posts a
challenge, the alliance admin opens it, a studio claims it with a file, the enterprise selects
it with milestones, the studio reports them, the enterprise confirms each and accepts the
delivery, and the result is published. Screenshots in tests/artifacts."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from guild.accounts.roles import Role
from guild.extensions import db
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneState,
)
from studios.demo_activity import tiny_pdf
from tests.conftest import CHROMIUM, LIVE_APPS, shot, submit, union_today
from tests.studio_scene import CITY_NAME, STUDIO_NAMES, build_studios

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]

TITLE = "港机减速箱故障预测"
WIDTH = 375


def _sign_in(page, base: str, person) -> None:
    """Sign out whoever was signed in, then sign in as the person (English pages)."""
    page.context.clear_cookies()
    host = base.split("//")[1].split(":")[0]
    page.context.add_cookies([{"name": "guild_lang", "value": "en", "domain": host, "path": "/"}])
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def _post(page, base: str, contact, alliance_name: str) -> int:
    """The enterprise contact drafts the challenge and submits it for review."""
    _sign_in(page, base, contact)
    page.goto(base + "/challenges/new")
    page.select_option("#post_as", value="enterprise")
    page.select_option("#alliance_id", label=alliance_name)
    page.fill("#title", TITLE)
    page.fill("#problem", "用振动数据提前一周预测减速箱故障。")
    page.fill("#indicators", "准确率不低于90%，误报率低于5%")
    page.fill("#reward_yuan", "200000")
    deadline = (union_today() + timedelta(days=30)).isoformat() + "T18:00"
    page.fill("#deadline", deadline)
    page.fill("#winners_wanted", "1")
    _fits(page)
    shot(page, "70-challenge-post-375")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/challenges/*")
    challenge_id = int(page.url.split("/challenges/")[1].split("?")[0].split("#")[0])
    submit(page, page.locator("button", has_text="Submit for review"))
    return challenge_id


def _open(page, base: str, admin, challenge_id: int) -> None:
    """The city alliance's admin opens the challenge on the board."""
    _sign_in(page, base, admin)
    page.goto(f"{base}/challenges/{challenge_id}/review")
    page.check("input[name=decision][value=approve]")
    shot(page, "71-challenge-review-375")
    submit(page, page.locator("main form button[type=submit]"))


def _claim(page, base: str, leader, challenge_id: int, pdf_path) -> None:
    """The studio's leader claims the challenge with a proposal and a file."""
    _sign_in(page, base, leader)
    page.goto(f"{base}/challenges/{challenge_id}")
    page.locator("#claim-button").click()
    page.fill("#plan", "频谱分析结合迁移学习建模，三个月出样机。")
    page.fill("#team", "王强、赵敏等3人")
    page.fill("#schedule", "第1月采集数据；第2月建模；第3月现场验证")
    page.set_input_files("#files", str(pdf_path))
    _fits(page)
    shot(page, "72-challenge-claim-375")
    page.locator("#claim-form button[type=submit]").click()
    page.wait_for_url(f"{base}/challenges/claims/*")
    assert "频谱分析结合迁移学习建模" in page.content()


def _select(page, base: str, contact, challenge_id: int) -> None:
    """The enterprise selects the claim as the winner, with two milestones."""
    _sign_in(page, base, contact)
    page.goto(f"{base}/challenges/{challenge_id}")
    page.locator("#claims-link").click()
    _fits(page)
    shot(page, "73-challenge-claims-375")
    page.locator(".claim-card a", has_text="Select as winner").first.click()
    for n, (title, days) in enumerate((("样机交付", 30), ("现场验证", 60))):
        page.fill(f"#milestones-{n}-title", title)
        page.fill(f"#milestones-{n}-due_on", (union_today() + timedelta(days=days)).isoformat())
    _fits(page)
    shot(page, "74-challenge-select-375")
    page.locator("#select-form button[type=submit]").click()
    page.wait_for_url(f"{base}/challenges/claims/*")


def _deliver(page, base: str, leader, contact, challenge_id: int, pdf_path) -> None:
    """The winner reports each milestone; the enterprise confirms each."""
    page.on("dialog", lambda dialog: dialog.accept())
    for number in range(2):
        _sign_in(page, base, leader)
        page.goto(f"{base}/challenges/{challenge_id}")
        page.locator(".winner a", has_text="Report progress").first.click()
        page.fill("#text", f"第{number + 1}阶段完成，附报告。")
        if number == 0:
            page.set_input_files("#files", str(pdf_path))
            _fits(page)
            shot(page, "75-challenge-report-375")
        page.locator("#report-form button[type=submit]").click()
        page.wait_for_url(f"{base}/challenges/claims/*")
        _sign_in(page, base, contact)
        page.goto(f"{base}/challenges/{challenge_id}")
        if number == 0:
            _fits(page)
            shot(page, "76-challenge-delivery-375")
        page.locator(".winner button", has_text="Confirm").first.click()
        page.wait_for_url(f"{base}/challenges/claims/*")


def _accept(page, base: str, challenge_id: int) -> None:
    """The enterprise records the verdict with an expert panel and the benefit."""
    page.goto(f"{base}/challenges/{challenge_id}")
    page.locator(".accept-link").click()
    page.check("input[name=passed][value=passed]")
    page.select_option("#rating", "5")
    page.fill("#comments", "全部指标达标，准确率93%。")
    page.fill("#experts", "李专家\n张教授")
    page.fill("#benefit_yuan", "1,500,000")
    _fits(page)
    shot(page, "77-challenge-accept-375")
    page.locator("#acceptance-form button[type=submit]").click()
    page.wait_for_url(f"{base}/challenges/{challenge_id}*")
    assert "Rating 5 of 5" in page.content()
    _fits(page)
    shot(page, "78-challenge-accepted-375")


def test_the_whole_challenge_story_at_375(live_server, phone_page, app, people, tmp_path):
    """Post, open, claim, select, deliver, confirm and accept, each checked in the db."""
    page, console_errors = phone_page
    scene = build_studios(app, people)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    served = LIVE_APPS[live_server]
    pdf_path = tmp_path / "方案.pdf"
    pdf_path.write_bytes(tiny_pdf("proposal"))
    challenge_id = _post(page, live_server, contact, CITY_NAME)
    with served.app_context():
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.SUBMITTED
    _open(page, live_server, scene.city_admin, challenge_id)
    with served.app_context():
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.OPEN
    _claim(page, live_server, scene.leaders[0], challenge_id, pdf_path)
    with served.app_context():
        claim = db.session.scalar(select(ChallengeClaim))
        assert claim.state is ClaimState.ACTIVE and claim.studio_id == scene.studio_ids[0]
        assert db.session.scalar(select(ChallengeFile.claim_id)) == claim.id
    _select(page, live_server, contact, challenge_id)
    with served.app_context():
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.SELECTED
        assert db.session.scalar(select(ChallengeClaim.state)) is ClaimState.SELECTED
    _deliver(page, live_server, scene.leaders[0], contact, challenge_id, pdf_path)
    with served.app_context():
        states = db.session.scalars(select(Milestone.state)).all()
        assert states == [MilestoneState.CONFIRMED, MilestoneState.CONFIRMED]
        assert db.session.scalar(select(ChallengeClaim.state)) is ClaimState.DELIVERED
    _accept(page, live_server, challenge_id)
    with served.app_context():
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.FINISHED
        verdict = db.session.scalar(select(Acceptance))
        assert (verdict.passed, verdict.rating, verdict.benefit_fen) == (True, 5, 150_000_000)
    page.goto(live_server + "/challenges/results")
    assert TITLE in page.content() and STUDIO_NAMES[0] in page.content()
    _fits(page)
    shot(page, "79-challenge-results-375")
    assert console_errors == []
