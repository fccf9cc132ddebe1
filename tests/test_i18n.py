"""Languages: Simplified Chinese by default, English by a remembered switch, a full catalogue."""

import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from guild.accounts.models import User
from guild.extensions import db
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "guild" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_chinese_by_default(client):
    """A visitor sees the Chinese interface."""
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert ">Sign in<" not in html


def test_switch_to_english_is_remembered_for_a_visitor(client):
    """The switch sets a cookie; later pages are English."""
    response = client.post("/language", data={"language": "en", "next": "/trades/"})
    assert response.headers["Location"] == "/trades/"
    assert "guild_lang=en" in response.headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_switch_is_saved_on_the_account(app, people):
    """A signed-in user's choice follows them to another device."""
    person = people.make()
    phone = app.test_client()
    login(phone, person)
    phone.post("/language", data={"language": "en"})
    with app.app_context():
        assert db.session.get(User, person.id).locale == "en"
    desk = app.test_client()
    login(desk, person)
    assert "Sign out" in desk.get("/").get_data(as_text=True)


def test_unknown_language_and_foreign_next_change_nothing(client):
    """A bogus language is ignored and an off-site next goes home."""
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "Set-Cookie" not in response.headers
    assert '<html lang="zh-Hans">' in client.get("/").get_data(as_text=True)


def test_catalogue_is_complete(tmp_path):
    """Every string in code and templates has a Chinese translation with the same placeholders."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "mark",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    with CATALOGUE.open("rb") as handle:
        translated = {message.id: message.string for message in read_po(handle) if message.id}
    assert len(extracted) > 100  # the extraction did find the strings
    done = {key for key, value in translated.items() if value and all(_forms(value))}
    missing = sorted(map(str, extracted - done))
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing[:10])
    for msgid, msgstr in translated.items():
        # A plural's forms each keep the placeholders its singular or plural English has.
        wanted = set().union(*(PLACEHOLDER.findall(form) for form in _forms(msgid)))
        for form in _forms(msgstr):
            assert form and set(PLACEHOLDER.findall(form)) == wanted, msgid


def _forms(value) -> tuple[str, ...]:
    """The text of a message or a translation: one form, or a plural's several."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)
