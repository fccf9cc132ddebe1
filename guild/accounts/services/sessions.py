"""Signed-in sessions kept on the server, so any of them can be ended at once."""

import secrets
from datetime import timedelta

from sqlalchemy import delete

from guild.accounts.models import User, UserSession
from guild.extensions import db
from guild.timeutil import utcnow


def open_session(user: User, lifetime: timedelta) -> UserSession:
    """Start a session for a user that lasts `lifetime`; the user's expired ones are purged."""
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    session = UserSession(
        token=secrets.token_urlsafe(32), user_id=user.id, created_at=now, expires_at=now + lifetime
    )
    db.session.add(session)
    db.session.flush()
    return session


def close_session(token: str) -> None:
    """End one session (signing out of one browser)."""
    db.session.execute(delete(UserSession).where(UserSession.token == token))


def close_sessions(user: User, keep: str | None = None) -> int:
    """End every session of a user but `keep`; returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        statement = statement.where(UserSession.token != keep)
    return db.session.execute(statement).rowcount
