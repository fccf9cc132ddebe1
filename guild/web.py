"""Helpers for views: the acting user, page numbers, safe redirects, domain errors on forms."""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm

from guild.accounts.models import User
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import MAX_ID, db


def current_account() -> User | None:
    """The signed-in user's ORM row, for services that change or audit it."""
    if not current_user.is_authenticated:
        return None
    return db.session.get(User, current_user.id)


def current_actor() -> Actor:
    """The signed-in user and their address, for audited services."""
    return Actor(user=current_account(), ip=request.remote_addr)


def int_arg(name: str) -> int | None:
    """A positive integer query argument, None when absent, malformed or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def page_number() -> int:
    """The ?page= argument, 1 when absent or malformed; capped to keep offsets sane."""
    return min(int_arg("page") or 1, 100_000)


def page_size() -> int:
    """Rows per page for lists."""
    return current_app.config["PAGE_SIZE"]


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after signing in; anything pointing off-site gives the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 33 or c == "\x7f" for c in target):
        return default  # no backslashes, spaces or control characters: no header injection
    return target


def show_domain_error(form: FlaskForm, error: DomainError) -> bool:
    """Attach a domain error to its form field; False when it names no field of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, str(error)]
    return True


def city_choices() -> list[tuple[str, str]]:
    """The configured cities as select choices."""
    return [(city, city) for city in current_app.config["CITIES"]]


def filter_args(*names: str) -> dict[str, str]:
    """The named query arguments that are present, to carry into page links.

    Only known names: the rest of the query string must never reach url_for, where keys
    such as `_external` or `_anchor` change what it builds.
    """
    return {name: request.args[name] for name in names if request.args.get(name)}


def small_int(value: str | None) -> int | None:
    """A positive id-sized integer written in ASCII digits, else None (never an error).

    str.isdigit() accepts "²" and 5,000-digit strings, which int() then refuses or chokes on.
    """
    if not value or len(value) > 10 or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
