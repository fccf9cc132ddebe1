"""Security headers and cookie hardening applied to every response."""

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

from guild.errors import error_response

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


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def refuse_nul_characters():
    """Refuse query or form values holding a NUL: no text needs one; PostgreSQL rejects it."""
    values = [*request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += request.form.values()
    if any("\x00" in value for value in values):
        return error_response(
            400, str(_l("The request contained characters that are not allowed."))
        )
    return None


def install_security(app: Flask) -> None:
    """Register the hooks; call before the extensions so they run after their cookies are set."""
    app.session_interface = SessionInterface()
    app.before_request(refuse_nul_characters)
    # after_request hooks run in reverse order of registration: these go first to run last.
    app.after_request(secure_cookies_over_https)
    app.after_request(add_security_headers)
