"""Recording and reading audit entries."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import inspect
from sqlalchemy.orm import InstanceState

from guild.accounts.models import User
from guild.audit.labels import value_label
from guild.audit.models import AuditEntry
from guild.extensions import db
from guild.money import fen_to_yuan


@dataclass(frozen=True)
class Actor:
    """The user taking a privileged action, and the address it came from."""

    user: User | None
    ip: str | None = None


def record(
    actor: Actor,
    action: str,
    obj: object,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit row for an action on an object (a model row, or a name)."""
    object_type, object_id = _identity(obj)
    entry = AuditEntry(
        actor_id=actor.user.id if actor.user else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        ip=actor.ip,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _identity(obj: object) -> tuple[str, str | None]:
    """An audited object's type and id: a row by its class and primary key (whatever its
    name, e.g. an evaluation year's year), anything else by its name alone."""
    state = inspect(obj, raiseerr=False)
    if not isinstance(state, InstanceState):
        return str(obj), None
    key = state.mapper.primary_key_from_instance(obj)
    if any(part is None for part in key):  # not flushed yet: the type alone
        return type(obj).__name__, None
    return type(obj).__name__, "-".join(str(part) for part in key)


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the audit log to."""

    action: str | None = None
    actor_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive


def search_entries(filters: AuditFilter, page: int, per_page: int) -> Pagination:
    """Return one page of audit entries matching the filter, newest first."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.since:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.created_at < filters.until)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def known_actions() -> list[str]:
    """The distinct actions in the log, for the filter's choices."""
    return list(db.session.scalars(db.select(AuditEntry.action).distinct().order_by("action")))


def known_object_types() -> list[str]:
    """The distinct object types in the log, for the filter's choices."""
    query = db.select(AuditEntry.object_type).distinct().order_by("object_type")
    return list(db.session.scalars(query))


def changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """The fields an entry records, each with its value before and after, as display text."""
    before, after = entry.before or {}, entry.after or {}
    keys = sorted(set(before) | set(after))
    kind = entry.object_type
    return [
        (key, _display(kind, key, before.get(key)), _display(kind, key, after.get(key)))
        for key in keys
    ]


# A moment as services record it: ISO text of a naive UTC datetime (the storage rule).
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def _display(object_type: str, key: str, value: object) -> str:
    if value is None:
        return "—"
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return f"¥{fen_to_yuan(value)}"  # money is stored in fen
    if isinstance(value, list):
        shown = (_display(object_type, key, item) for item in value)
        return ", ".join(shown) or "—"
    if isinstance(value, str):
        return _text(object_type, key, value)
    return str(value)


def _text(object_type: str, key: str, value: str) -> str:
    """A recorded text: a code's name (a state, a role), a moment in local time, or itself."""
    named = value_label(object_type, key, value)
    if named is not None:
        return named
    if _MOMENT.fullmatch(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "short")  # local time
        except ValueError:  # shaped like a moment but none (a title "2026-13-01 25:00")
            pass
    return value
