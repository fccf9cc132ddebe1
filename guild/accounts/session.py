"""Flask-Login wiring: a lean signed-in identity, revocable server-side by a session version."""

from dataclasses import dataclass
from functools import cache

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Dialect, bindparam, select
from sqlalchemy.engine import Compiled

from guild.accounts.models import User, UserRole
from guild.accounts.names import mask_name
from guild.accounts.roles import Role
from guild.extensions import db, login_manager


@dataclass(frozen=True, eq=False)
class SessionUser(UserMixin):
    """Who is signed in, read once per request; changes go through the ORM row (current_account).

    Every signed-in page needs the name, roles and language; one Core query for them costs
    a quarter of loading the ORM object with its roles, on every request.
    """

    id: int
    real_name: str
    locale: str | None
    session_version: int
    enterprise_id: int | None
    role_set: frozenset[Role]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: Role) -> bool:
        """Tell whether the user holds the role."""
        return role in self.role_set

    @property
    def public_name(self) -> str:
        """The masked name other users see."""
        return mask_name(self.real_name)


SESSION_USER_QUERY = (
    select(
        User.id,
        User.real_name,
        User.locale,
        User.session_version,
        User.enterprise_id,
        UserRole.role,
    )
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.session_version == bindparam("version"),
        User.is_active.is_(True),
    )
)


@cache
def _compiled_query(dialect: Dialect) -> Compiled:
    return SESSION_USER_QUERY.compile(dialect=dialect)


def _session_rows(user_id: int, version: int) -> list[tuple]:
    """Run the session query straight on the driver's cursor.

    This runs on every signed-in request. SQLAlchemy's execution layer (cache key, result
    object) costs three times the query itself here, so the statement is compiled once per
    dialect and its SQL and parameters handed to the DBAPI cursor.
    """
    compiled = _compiled_query(db.engine.dialect)
    parameters = compiled.construct_params({"user_id": user_id, "version": version})
    if compiled.positiontup:  # qmark/format drivers take a sequence, pyformat ones a mapping
        parameters = tuple(parameters[name] for name in compiled.positiontup)
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.string, parameters)
            return cursor.fetchall()
        finally:
            cursor.close()


def load_session_user(token: str) -> SessionUser | None:
    """The active user of a session token "id:version"; a stale version finds no one."""
    user_id, _, version = token.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
        return None
    rows = _session_rows(int(user_id), int(version))
    if not rows:
        return None
    first = rows[0]
    roles = frozenset(Role(row[5]) for row in rows if row[5] is not None)
    return SessionUser(first[0], first[1], first[2], first[3], first[4], roles)


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app with our user loader and messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    # Revocation is server-side (the session version), so Flask-Login's per-request hash of
    # address and browser adds nothing; on a factory's shared IP it would only add noise.
    login_manager.session_protection = None
