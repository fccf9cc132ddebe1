"""Security headers and cookie hardening applied to every response."""

import json
import time
from typing import Any

from flask import Flask, Request, Response, g, request, session
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from guild.errors import error_response, is_api_request
from guild.remembered import Remembered

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Add the security headers, HSTS over HTTPS, and no caching of signed-in pages."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if "Cookie" in request.headers and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def secure_cookies_over_https(response: Response) -> Response:
    """Mark cookies set by views and extensions Secure when the request came over HTTPS."""
    if not request.is_secure:
        return response
    cookies = response.headers.getlist("Set-Cookie")
    if cookies:
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            if "; secure" not in cookie.lower():
                cookie += "; Secure"
            response.headers.add("Set-Cookie", cookie)
    return response


class PlainJSON:
    """The session cookie's payload as plain JSON.

    Flask's default serializer tags tuples, bytes, datetimes and markup so they round-trip;
    our sessions hold only strings, numbers and booleans (the sign-in, the CSRF token,
    flashed messages), and decoding the tags costs on every signed-in request.
    """

    @staticmethod
    def dumps(value) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)

    @staticmethod
    def loads(value: str | bytes):
        return json.loads(value)


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, Secure whenever the request came over HTTPS.

    Cookies whose signature checked out are remembered (guild.remembered) with the time
    they were signed, so only their age is checked again.
    """

    serializer = PlainJSON()

    def __init__(self, remembered: int) -> None:
        self._verified: Remembered[tuple[str, float]] = Remembered(remembered)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        known = self._verified.get(value)
        if known is not None and time.time() - known[1] <= max_age:
            return self.session_class(json.loads(known[0]))
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._verified.put(value, (json.dumps(data), signed.timestamp()))
        return self.session_class(data)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


RESIGN_CSRF_AFTER = 3600  # seconds; tokens are accepted for WTF_CSRF_TIME_LIMIT (4 h)


def page_csrf_token() -> str:
    """The signed CSRF token for this page, re-signed hourly instead of on every page.

    Flask-WTF signs the session's token anew on each request; every page carries it (the
    sign-out and language forms), so the signed value is kept in the session for an hour.
    Forms rendered on the same page reuse it through flask.g.
    """
    now = int(time.time())
    signed, issued = session.get("_csrf_signed"), session.get("_csrf_at", 0)
    if signed and "csrf_token" in session and 0 <= now - issued < RESIGN_CSRF_AFTER:
        g.csrf_token = signed
        return signed
    signed = generate_csrf()
    session["_csrf_signed"], session["_csrf_at"] = signed, now
    return signed


# The bodies Werkzeug parses into request.form; any other body has an empty form.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_characters():
    """Refuse query or form values holding a NUL: no text needs one; PostgreSQL rejects it."""
    values = [*request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in FORM_TYPES:
        values += request.form.values()  # parsing a JSON body as a form would find nothing
    if any("\x00" in value for value in values):
        return error_response(
            400, str(_l("The request contained characters that are not allowed."))
        )
    return None


def refuse_json_on_form_pages():
    """Refuse a JSON body sent to a page: pages take forms, only /api/ speaks JSON.

    Flask-WTF would read a JSON body as the form, and a list, a number or non-text values
    in it break every form and text check (and NULs in it would pass unseen). Runs after
    the CSRF check, so a forged request is still refused as one.
    """
    unsafe = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if unsafe and request.is_json and not is_api_request():
        return error_response(415)
    return None


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply to parse is bad JSON (a 400), not a 500.

    Werkzeug turns only ValueError into "bad request"; json raises RecursionError on a
    body of, say, 100,000 nested brackets.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def install_security(app: Flask) -> None:
    """Register the hooks; call before the extensions so they run after their cookies are set."""
    app.json = BoundedJSONProvider(app)
    app.session_interface = SessionInterface(app.config["SIGNED_VALUES_REMEMBERED"])
    app.before_request(refuse_nul_characters)
    # after_request hooks run in reverse order of registration: these go first to run last.
    app.after_request(secure_cookies_over_https)
    app.after_request(add_security_headers)
