"""A studio leader on a 375 px phone uploads courseware and publishes a patent in Chromium;
a visitor then finds both with a Chinese search term. Screenshots are kept as artifacts."""

import re

import pytest
from sqlalchemy import select

from guild.extensions import db
from studios.publication_models import Courseware, Patent
from studios.services.patent_numbers import with_check
from tests.conftest import CHROMIUM, LIVE_APPS, shot
from tests.studio_scene import build_studios

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NUMBER = with_check("202410765432")


def _sign_in(page, base: str, person) -> None:
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_leader_publishes_and_a_visitor_finds_it(live_server, phone_page, app, people, tmp_path):
    page, console_errors = phone_page
    scene = build_studios(app, people)
    studio, served = scene.studio_ids[0], LIVE_APPS[live_server]
    _sign_in(page, live_server, scene.leaders[0])
    # Courseware: a PDF, by its content.
    pdf = tmp_path / "焊接工艺规程.pdf"
    pdf.write_bytes(PDF)
    page.goto(f"{live_server}/studios/{studio}/courseware/new")
    page.fill("#title", "焊接工艺规程培训")
    page.fill("#description", "电缆焊接的工艺要点与安全规范。")
    page.set_input_files("input[type=file]", str(pdf))
    _fits(page)
    shot(page, "60-studio-courseware-form")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/studios/courseware/\d+$"))
    assert "焊接工艺规程培训" in page.content()
    _fits(page)
    shot(page, "61-studio-courseware-uploaded")
    # A patent, its number with the right check character.
    page.goto(f"{live_server}/studios/{studio}/patents/new")
    page.select_option("#patent_type", "invention")
    page.fill("#application_number", NUMBER)
    page.fill("#title", "一种电力电缆焊接夹具")
    page.fill("#filed_on", "2024-06-18")
    page.get_by_label("王强").check()  # the leader is an inventor
    page.fill("#abstract", "本发明公开了一种用于电缆焊接的夹具。")
    _fits(page)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/studios/{studio}/patents/\d+$"))
    assert NUMBER in page.content()
    shot(page, "62-studio-patent-published")
    with served.app_context():
        assert db.session.scalar(select(Courseware.title)) == "焊接工艺规程培训"
        assert db.session.scalar(select(Patent.application_number)) == NUMBER
    # A visitor searches with a two-character Chinese word and finds both.
    page.context.clear_cookies()
    page.goto(f"{live_server}/studios/")
    page.fill("input[name=q]", "焊接")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(f"{live_server}/studios/search*")
    results = page.content()
    assert "焊接工艺规程培训" in results and "一种电力电缆焊接夹具" in results
    _fits(page)
    shot(page, "63-studio-search-visitor")
    assert console_errors == []
