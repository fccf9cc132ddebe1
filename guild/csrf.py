"""CSRF protection: Flask-WTF's, checking each signed token's signature once per process."""

import hmac
import time

from flask import current_app, g, request, session
from flask_wtf import CSRFProtect
from flask_wtf.csrf import same_origin
from itsdangerous.encoding import base64_decode, bytes_to_int

from guild.remembered import Remembered
from guild.security import FORM_TYPES


class RememberingCSRFProtect(CSRFProtect):
    """Flask-WTF's protection; a token whose signature checked out is remembered with the
    time it was signed and the session token it matched, so the next request carrying it
    only checks its age, the session's token and (over HTTPS) the referrer again."""

    _checked: Remembered[tuple[str, int]]

    def init_app(self, app) -> None:
        self._checked = Remembered(app.config["SIGNED_VALUES_REMEMBERED"])
        super().init_app(app)

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        token = self._get_csrf_token()
        if not self._still_valid(token):
            super().protect()  # Flask-WTF checks everything and refuses what fails
            self._checked.put(token, (session[_field()], _signed_at(token)))
            return
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            self._check_referrer()
        g.csrf_valid = True

    def _get_csrf_token(self) -> str | None:
        """Flask-WTF's lookup: a form field, then the headers. A body that is no form goes
        straight to the headers (its form is empty, and making it cost more than the check)."""
        if request.mimetype in FORM_TYPES:
            return super()._get_csrf_token()
        for header in current_app.config["WTF_CSRF_HEADERS"]:
            if token := request.headers.get(header):
                return token
        return None

    def _still_valid(self, token: str | None) -> bool:
        """Whether a remembered token is young enough and still the session's."""
        remembered = self._checked.get(token) if token else None
        if remembered is None:
            return False
        raw, signed_at = remembered
        limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
        if limit is not None and time.time() - signed_at > limit:
            return False
        return hmac.compare_digest(str(session.get(_field(), "")), raw)

    def _check_referrer(self) -> None:
        """Flask-WTF's HTTPS rule: the request must come from a page of this host."""
        if not request.referrer:
            self._error_response("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            self._error_response("The referrer does not match the host.")


def _field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _signed_at(token: str) -> int:
    """When a signed token (payload.timestamp.signature) was signed."""
    return bytes_to_int(base64_decode(token.rsplit(".", 2)[1]))
