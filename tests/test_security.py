"""Security: CSRF, headers, cookies, login rate limits, error pages, odd URLs, open redirects."""

import re
from urllib.parse import urlsplit

import pytest

from guild.access import public
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.extensions import db
from tests.conftest import login

NEW_PHONE = "13712345678"


def registration(app) -> dict:
    """A valid sign-up form."""
    return {
        "real_name": "王建国",
        "phone": NEW_PHONE,
        "password": "Factory2024",
        "confirm": "Factory2024",
        "city": app.config["CITIES"][0],
        "enterprise": "",
    }


def user_exists(app, phone: str) -> bool:
    """Tell whether an account with this phone is in the database."""
    with app.app_context():
        return db.session.scalar(db.select(User).filter_by(phone=phone)) is not None


def cookie_attributes(response, name: str) -> set[str]:
    """The lower-cased attributes of the Set-Cookie header for one cookie."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie set")


def test_register_without_csrf_token_is_refused(make_app):
    """A sign-up posted without the CSRF token gets 400 and opens no account."""
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/account/register", data=registration(app))
    assert response.status_code == 400
    assert not user_exists(app, NEW_PHONE)


def test_register_with_csrf_token_from_page_works(make_app):
    """A sign-up carrying the token of the form page opens the account."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/account/register", data={**registration(app), "csrf_token": token})
    assert response.status_code == 302
    assert user_exists(app, NEW_PHONE)


def test_security_headers_on_home_page(client):
    """The home page carries a strict CSP and the other protective headers."""
    headers = client.get("/").headers
    directives = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


@pytest.mark.parametrize("path", ["/", "/account/login", "/account/register"])
def test_pages_have_no_inline_script_or_style(client, path):
    """Pages work under the CSP: no inline scripts, style attributes or event handlers."""
    page = client.get(path).get_data(as_text=True)
    assert "<script" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert 'style="' not in page
    assert "onclick=" not in page


def test_login_cookies_over_http(client, people):
    """Session and remember cookies are HttpOnly and SameSite=Lax, not Secure over HTTP."""
    response = login(client, people.make(), remember=True)
    for name in ("session", "remember_token"):
        attributes = cookie_attributes(response, name)
        assert {"httponly", "samesite=lax"} <= attributes
        assert "secure" not in attributes


def test_login_cookies_over_https_are_secure(client, people):
    """Over HTTPS the session and remember cookies are Secure."""
    person = people.make()
    response = client.post(
        "/account/login",
        data={"phone": person.phone, "password": person.password, "remember": "y"},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        assert {"httponly", "samesite=lax", "secure"} <= cookie_attributes(response, name)


def test_account_limit_blocks_even_right_password(client, people):
    """After 5 wrong passwords for one phone, from any addresses, the 6th try gets 429."""
    person = people.make()
    for i in range(1, 6):
        response = client.post(
            "/account/login",
            data={"phone": person.phone, "password": "Wrong2024x"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        assert response.status_code == 200
    response = client.post(
        "/account/login",
        data={"phone": person.phone, "password": person.password},
        environ_base={"REMOTE_ADDR": "10.0.0.6"},
    )
    assert response.status_code == 429
    assert client.get("/account/profile").status_code == 302  # still signed out


def test_ip_limit(make_app):
    """Too many tries from one address get 429 with an explained page; GETs are never limited."""
    app = make_app(LOGIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    client.set_cookie("guild_lang", "en")
    here = {"REMOTE_ADDR": "10.0.1.1"}
    for i in range(3):
        data = {"phone": f"1380000000{i}", "password": "Wrong2024x"}
        assert client.post("/account/login", data=data, environ_base=here).status_code == 200
    data = {"phone": "13800000009", "password": "Wrong2024x"}
    response = client.post("/account/login", data=data, environ_base=here)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/account/login", environ_base=here).status_code == 200
    elsewhere = {"REMOTE_ADDR": "10.0.1.2"}
    assert client.post("/account/login", data=data, environ_base=elsewhere).status_code == 200


def test_get_login_is_never_limited(client):
    """Opening the login page many times is never refused."""
    for _ in range(70):
        assert client.get("/account/login").status_code == 200


def test_404_page_in_both_languages(client):
    """The 404 page is a Chinese HTML page by default and English with the cookie."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<html lang="zh-Hans">' in response.get_data(as_text=True)
    client.set_cookie("guild_lang", "en")
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page


def test_api_404_is_json(client):
    """Errors under /api/ are JSON."""
    response = client.get("/api/anything")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_405_keeps_allow_header(client):
    """A GET of the sign-out address is 405 and says POST is allowed."""
    response = client.get("/account/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_500_page_is_friendly(make_app):
    """An unhandled error shows the friendly 500 page without any traceback."""
    app = make_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @public
    def explode():
        raise RuntimeError("secret-internal-detail")

    app.add_url_rule("/explode-for-test", "explode_for_test", explode)
    client = app.test_client()
    client.set_cookie("guild_lang", "en")
    response = client.get("/explode-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    for leak in ("Traceback", "RuntimeError", "secret-internal-detail"):
        assert leak not in page


def test_huge_user_id_is_404(client, as_role):
    """An id too large for any column is simply not found."""
    as_role(Role.ADMIN)
    assert client.get("/admin/users/99999999999999999999").status_code == 404


def test_huge_trade_id_is_404(client, as_role):
    """An id too large for any column is simply not found."""
    as_role(Role.ORGANISER)
    assert client.get("/trades/99999999999999999999/edit").status_code == 404


@pytest.mark.parametrize("page", ["-5", "abc"])
def test_odd_page_numbers_are_ignored(client, as_role, page):
    """Negative or non-numeric page numbers show the first page."""
    as_role(Role.ADMIN)
    assert client.get(f"/trades/?page={page}").status_code == 200
    assert client.get(f"/admin/users?page={page}").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [("https://evil.example/", "/"), ("//evil.example", "/"), ("/trades/", "/trades/")],
)
def test_login_next_stays_on_site(client, people, target, expected):
    """After sign-in, `next` is followed only to a path on this site."""
    person = people.make()
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={"phone": person.phone, "password": person.password},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == expected


def test_nul_characters_are_refused_before_the_database(client, people):
    """A NUL anywhere in a query or form gives 400, never a database error."""
    for url in ("/trades/?q=%00", "/trades/?category=a%00b", "/skills/?x=%00"):
        assert client.get(url).status_code == 400
    response = client.post(
        "/account/register", data={"real_name": "张\x00三", "phone": "13912345678"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    ["[1, 2]", "1", '"x"', "null", '{"name": 1, "code": ["6-01"]}', '{"name": "电\\u0000工"}'],
    ids=["list", "number", "string", "null", "non-text values", "NUL"],
)
def test_a_json_body_to_a_page_is_refused_and_changes_nothing(client, as_role, body):
    """Pages take forms: any JSON body gets 415 with a message, never a form crash."""
    from guild.trades.models import Trade

    as_role(Role.ADMIN)
    with client.application.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Trade))
    headers = {"Content-Type": "application/json"}
    response = client.post("/trades/new", data=body, headers=headers)
    assert response.status_code == 415
    assert "表单" in response.get_data(as_text=True)
    for path in ("/account/login", "/account/profile", "/language"):
        assert client.post(path, data=body, headers=headers).status_code == 415, path
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Trade)) == before


def test_json_nested_too_deeply_is_a_bad_request(client, people):
    """100,000 nested brackets: 400 from the JSON API (not a RecursionError), 415 on a page."""
    deep = "[" * 100_000 + "]" * 100_000
    headers = {"Content-Type": "application/json"}
    login(client, people.make(real_name="李四"))
    reply = client.post("/api/training/attempts/1/1/answer", data=deep, headers=headers)
    assert reply.status_code == 400 and reply.is_json
    assert client.post("/account/profile", data=deep, headers=headers).status_code == 415


def test_line_breaks_in_next_never_reach_a_header(client, people):
    """A CR/LF in next is ignored, not echoed into Location."""
    response = client.post("/language", data={"language": "en", "next": "/a\r\nSet-Cookie: x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    login(client, people.make())
    assert client.get("/account/login?next=/a%0d%0ab").headers["Location"] == "/"


def test_audit_links_ignore_unknown_arguments(client, people):
    """Arguments url_for treats specially never pass through the audit filters."""
    login(client, people.make(Role.ADMIN))
    response = client.get("/admin/audit/?endpoint=x&_method=POST&_external=1&_anchor=y&page=1")
    assert response.status_code == 200


def test_registration_is_rate_limited_per_address(make_app):
    """Sign-ups from one address are capped; the page says so."""
    client = make_app(REGISTER_LIMIT_PER_IP="2 per minute").test_client()
    client.set_cookie("guild_lang", "en")
    for _ in range(2):
        assert client.post("/account/register", data={}).status_code == 200
    response = client.post("/account/register", data={})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_page_csrf_token_is_reused_within_the_hour_and_then_renewed(make_app, monkeypatch):
    """The nav forms' signed token is kept for an hour, then signed anew; both validate."""
    import re as regex

    from guild import security

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()

    def token() -> str:
        html = client.get("/").get_data(as_text=True)
        return regex.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    first = token()
    # Seconds later, when a token signed anew would carry a different timestamp.
    soon = security.time.time() + 5
    monkeypatch.setattr(security.time, "time", lambda: soon)
    assert token() == first
    later = soon + security.RESIGN_CSRF_AFTER
    monkeypatch.setattr(security.time, "time", lambda: later)
    renewed = token()
    assert renewed != first
    response = client.post("/language", data={"csrf_token": renewed, "language": "en"})
    assert response.status_code == 302
    assert client.post("/language", data={"language": "en"}).status_code == 400


def test_a_remembered_session_cookie_still_expires_and_a_tampered_one_is_refused(
    app, client, people, monkeypatch
):
    """Session cookies whose signature checked out are remembered, but only their own bytes:
    an altered cookie signs nobody in, and a remembered one stops working once it is too old."""
    import time

    login(client, people.make())
    assert client.get("/account/profile").status_code == 200  # verified, then remembered
    assert client.get("/account/profile").status_code == 200  # from memory
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name).value
    payload, _, signature = cookie.rpartition(".")
    client.set_cookie(
        name, payload + "." + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    )
    assert client.get("/account/profile").status_code == 302  # back to sign-in
    client.set_cookie(name, cookie)
    assert client.get("/account/profile").status_code == 200
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/account/profile").status_code == 302


def test_remembered_values_forget_the_least_recently_used_first():
    """A value in use outlives one remembered after it but not asked for since."""
    from guild.remembered import Remembered

    memory = Remembered(2)
    memory.put("first", 1)
    memory.put("second", 2)
    assert memory.get("first") == 1
    memory.put("third", 3)
    assert [memory.get(key) for key in ("first", "second", "third")] == [1, None, 3]


@pytest.mark.parametrize(("remembered", "checks"), [(1, 6), (4, 0)])
def test_verified_session_cookies_are_remembered_up_to_the_set_number(
    make_app, monkeypatch, remembered, checks
):
    """Two workers take turns: a memory of their four cookies (each has had two) checks no
    signature again, a memory of one forgets each before it comes back. Everyone stays
    signed in either way."""
    from itsdangerous import URLSafeTimedSerializer

    from tests.conftest import People

    app = make_app(SIGNED_VALUES_REMEMBERED=remembered)
    clients = []
    for person in People(app).make(real_name="王一"), People(app).make(phone="13700000002"):
        clients.append(app.test_client())
        login(clients[-1], person)
        for _ in range(2):  # the first page adds the CSRF token: a new cookie, then kept
            assert clients[-1].get("/account/profile").status_code == 200
    checked = []
    loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(
        URLSafeTimedSerializer, "loads", lambda *a, **k: checked.append(1) or loads(*a, **k)
    )
    for _ in range(3):
        for client in clients:
            assert client.get("/account/profile").status_code == 200
    assert len(checked) == checks


def test_a_remembered_csrf_token_still_expires_and_must_match_the_session(make_app, monkeypatch):
    """A CSRF token whose signature checked out is remembered, yet it stops working once
    it is older than WTF_CSRF_TIME_LIMIT, and in another session (another cookie) it fails."""
    import re as regex

    from guild import csrf

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    token = regex.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    for _ in range(2):  # checked, then remembered
        response = client.post("/language", data={"csrf_token": token, "language": "en"})
        assert response.status_code == 302
    stranger = app.test_client()
    stranger.get("/")  # a session of its own, with its own token
    response = stranger.post("/language", data={"csrf_token": token, "language": "en"})
    assert response.status_code == 400
    later = csrf.time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 5
    monkeypatch.setattr(csrf.time, "time", lambda: later)
    response = client.post("/language", data={"csrf_token": token, "language": "en"})
    assert response.status_code == 400


def test_a_json_body_carries_its_csrf_token_in_the_header(make_app):
    """A JSON request is checked by its X-CSRFToken header: a token inside the JSON is no
    form field and does not count, and no token at all is refused."""
    import re as regex

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    token = regex.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    expired = "表单已过期"
    for refused in (
        client.post("/language", json={"csrf_token": token, "language": "en"}),
        client.post("/language", json={"language": "en"}),
    ):
        assert refused.status_code == 400 and expired in refused.get_data(as_text=True)
    passed = client.post("/language", json={"language": "en"}, headers={"X-CSRFToken": token})
    assert expired not in passed.get_data(as_text=True) and passed.status_code != 400
