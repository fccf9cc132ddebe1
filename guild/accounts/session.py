"""Flask-Login wiring: a lean signed-in identity, revocable server-side by a session version."""

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ColumnElement, Exists, bindparam, literal, select

from guild.accounts.models import User, UserRole, UserSession
from guild.accounts.roles import Role
from guild.accounts.services.sessions import open_session
from guild.extensions import MAX_ID, login_manager
from guild.fastsql import Statement, reading_cursor
from guild.timeutil import utcnow


@dataclass(frozen=True, eq=False)
class SessionUser(UserMixin):
    """Who is signed in, read once per request; changes go through the ORM row (current_account).

    Every signed-in page needs the name, roles and language; one Core query for them costs
    a quarter of loading the ORM object with its roles, on every request.
    """

    id: int
    real_name: str
    locale: str | None
    enterprise_id: int | None
    role_set: frozenset[Role]
    session_token: str

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role) -> bool:
        """Tell whether the user holds the role."""
        return role in self.role_set


def live_session(
    user_id: ColumnElement[int], token: ColumnElement[str], now: ColumnElement[datetime]
) -> Exists:
    """SQL: the user's session `token` is still open (not signed out, not expired) and the
    user is active. The one definition of being signed in, for every query that checks it."""
    return (
        select(literal(1))
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token == token,
            UserSession.user_id == user_id,
            UserSession.expires_at > now,
            User.is_active.is_(True),
        )
        .correlate(None)
        .exists()
    )


_USER_ID = bindparam("user_id", type_=User.id.type)
SESSION_USER_QUERY = Statement(
    select(User.id, User.real_name, User.locale, User.enterprise_id, UserRole.role)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(
        User.id == _USER_ID,
        live_session(
            _USER_ID,
            bindparam("token", type_=UserSession.token.type),
            bindparam("now", type_=UserSession.expires_at.type),
        ),
    )
)


def _session_rows(user_id: int, token: str) -> list[tuple]:
    """Run the session query straight on the driver's cursor.

    This runs on every signed-in request. SQLAlchemy's execution layer (cache key, result
    object) costs three times the query itself here, so it goes through guild.fastsql.
    """
    values = {"user_id": user_id, "token": token, "now": utcnow()}
    # A pooled connection of its own: pages that need nothing else open no session.
    with reading_cursor() as cursor:
        return SESSION_USER_QUERY.all(cursor, values)


def parse_session_id(session_id: str) -> tuple[int, str] | None:
    """The user id and token of a session id "user_id:token", None when it is malformed."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or int(user_id) > MAX_ID or not token:
        return None
    return int(user_id), token[:64]


def claimed_identity() -> tuple[int, str] | None:
    """The user id and token this request's session cookie claims, not yet checked against
    the sessions table (see `live_session`); None when it claims no one."""
    session_id = session.get("_user_id")
    return parse_session_id(session_id) if isinstance(session_id, str) else None


def load_session_user(session_id: str) -> SessionUser | None:
    """The active user of a live session "user_id:token"; an ended or expired one finds no one."""
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, token = parsed
    rows = _session_rows(user_id, token)
    if not rows:
        return None
    first = rows[0]
    roles = frozenset(Role(row[4]) for row in rows if row[4] is not None)
    return SessionUser(first[0], first[1], first[2], first[3], roles, token)


def sign_in_as(user: User, remember: bool) -> SessionUser:
    """Open a server-side session for the user; the view then hands it to login_user."""
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    opened = open_session(user, lifetime)
    return SessionUser(
        user.id, user.real_name, user.locale, user.enterprise_id, user.role_set, opened.token
    )


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app with our user loader and messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    # Revocation is server-side (the sessions table), so Flask-Login's per-request hash of
    # address and browser adds nothing; on a factory's shared IP it would only add noise.
    login_manager.session_protection = None
