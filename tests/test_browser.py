"""A real browser: Debian's Chromium, driven by Playwright, on a phone-sized screen."""

from pathlib import Path

import pytest

from guild.accounts.roles import Role
from tests.conftest import CHROMIUM, shot, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def test_register_sign_in_and_switch_language_on_a_phone(live_server, phone_page, people):
    """A worker registers, signs out and in, and switches to English at 375 px."""
    page, console_errors = phone_page
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "01-home-visitor-zh")

    page.get_by_role("link", name="手机号注册").click()
    page.fill("#real_name", "王小红")
    page.fill("#phone", "13512345678")
    page.fill("#password", "Lathe2024ok")
    page.fill("#confirm", "Lathe2024ok")
    page.select_option("#city", "宁波市")
    shot(page, "02-register-form")
    page.get_by_role("button", name="注册账号").click()
    page.wait_for_url(live_server + "/")
    assert "王小红" in page.content()
    shot(page, "03-home-signed-in")

    page.get_by_role("button", name="Menu").or_(page.locator(".navbar-toggler")).first.click()
    with page.expect_navigation():  # signed out, on the home page with the menu closed
        page.get_by_role("button", name="退出登录").click()
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="登录").first.click()
    page.fill("#phone", "13512345678")
    page.fill("#password", "Lathe2024ok")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(live_server + "/")
    shot(page, "04-signed-in-again")

    page.locator(".navbar-toggler").click()
    submit(page, page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome back" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "05-home-english")
    assert console_errors == []


def test_pages_fit_a_phone(live_server, phone_page, people, runner):
    """Public, worker and admin pages do not overflow 375 px, with real data in them."""
    seed = Path(__file__).resolve().parent.parent / "guild" / "trades" / "data" / "trades.csv"
    assert runner.invoke(args=["trades", "import", str(seed)]).exit_code == 0
    admin = people.make(Role.ADMIN, real_name="周海燕", enterprise_id=people.enterprise())
    page, console_errors = phone_page
    public = ("/trades/", "/trades/?q=电", "/account/register", "/account/login", "/skills/")
    for path in (*public, "/studios/"):
        _check_fits(page, console_errors, live_server + path, "visitor")
    page.goto(live_server + "/account/login")
    page.fill("#phone", admin.phone)
    page.fill("#password", admin.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + f"/admin/users/{admin.id}")
    page.get_by_role("button", name="授予").first.click()
    for path in ("/admin/users", f"/admin/users/{admin.id}", "/admin/audit/", "/enterprises/"):
        _check_fits(page, console_errors, live_server + path, "admin")
    for path in ("/enterprises/new", "/trades/new", "/trades/import", "/account/profile"):
        _check_fits(page, console_errors, live_server + path, "admin")


def _check_fits(page, console_errors: list[str], url: str, who: str) -> None:
    """Open the page: no console error, nothing wider than the screen, a screenshot kept."""
    console_errors.clear()
    page.goto(url)
    assert console_errors == [], url
    width = page.evaluate("document.documentElement.scrollWidth")
    path = url.split("/", 3)[3]
    assert width <= 375, (url, width)
    shot(page, f"fit-{who}-" + (path.replace("/", "-").replace("?", "-").strip("-") or "home"))


def test_an_organiser_builds_a_bank_on_a_phone(live_server, phone_page, people, runner, tmp_path):
    """Write a question (the answer fields follow the type), preview it, import the template."""
    from competitions.questions.interchange.tabular import template_xlsx

    seed = Path(__file__).resolve().parent.parent / "guild" / "trades" / "data" / "trades.csv"
    assert runner.invoke(args=["trades", "import", str(seed)]).exit_code == 0
    organiser = people.make(Role.ORGANISER, real_name="陈秀英")
    page, console_errors = phone_page
    page.goto(live_server + "/account/login")
    page.fill("#phone", organiser.phone)
    page.fill("#password", organiser.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(live_server + "/")
    _check_fits(page, console_errors, live_server + "/skills/banks/?q=电工", "organiser")
    page.get_by_role("link", name="电工 6-31-01-03").click()
    page.get_by_role("link", name="新增题目").click()
    assert page.locator("#type option:checked").inner_text() == "单选题"
    page.select_option("#type", "true_false")
    assert page.locator("#option_a").is_hidden()
    assert page.locator("#answer_text").is_hidden()
    page.fill("#stem", "停电作业前必须先验电。")
    page.get_by_label("正确").check()
    shot(page, "bank-01-new-true-false")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(live_server + "/skills/banks/questions/*")  # the preview, loaded
    assert "停电作业前必须先验电" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "bank-02-preview")
    page.get_by_role("link", name="题库", exact=False).first.click()
    page.get_by_role("link", name="导入").click()
    template = tmp_path / "模板.xlsx"
    template.write_bytes(template_xlsx())
    page.set_input_files("#file", str(template))
    page.get_by_role("button", name="检查文件").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    answers = page.locator("tbody td:nth-child(4)").all_inner_texts()
    assert answers == ["C", "ABCD", "错误", "50 | 五十"]  # as a worker reads them
    shot(page, "bank-03-import-preview")
    page.get_by_role("button", name="导入 4 道题目").click()
    assert "新增 4 道题目" in page.locator(".alert-success").inner_text()
    shot(page, "bank-04-imported")
    page.locator(".navbar-toggler").click()
    submit(page, page.get_by_role("button", name="English"))
    assert "Bank of" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "bank-05-english")
    assert console_errors == []
