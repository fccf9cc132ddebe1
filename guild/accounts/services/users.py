"""Registering, authenticating and managing user accounts."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from guild.accounts.models import Enterprise, User, UserRole
from guild.accounts.roles import Role
from guild.accounts.rules import name_problem, phone_problem
from guild.accounts.services.passwords import hash_password, password_problem, verify_password
from guild.accounts.services.sessions import close_sessions
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow


@dataclass(frozen=True)
class Registration:
    """What a person gives to open an account."""

    real_name: str
    phone: str
    password: str
    city: str
    enterprise_id: int | None = None


def register_user(data: Registration, roles: tuple[Role, ...] = (Role.WORKER,)) -> User:
    """Create an account; raises DomainError naming the field for any rule it breaks."""
    checks = (
        ("phone", phone_problem(data.phone)),
        ("real_name", name_problem(data.real_name)),
        (
            "city",
            None
            if data.city in current_app.config["CITIES"]
            else str(_l("Choose a city from the list.")),
        ),
        ("password", password_problem(data.password, data.phone)),
    )
    for field, problem in checks:
        if problem:
            raise DomainError(problem, field=field)
    enterprise = _enterprise_or_none(data.enterprise_id)
    user = User(
        real_name=data.real_name.strip(),
        phone=data.phone,
        password_hash=hash_password(data.password),
        city=data.city,
        enterprise=enterprise,
        roles=[UserRole(role=role) for role in roles],
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:  # the unique constraint decides, not a prior lookup
        raise DomainError(_l("This phone number is already registered."), "phone") from error
    return user


def _enterprise_or_none(enterprise_id: int | None) -> Enterprise | None:
    if enterprise_id is None:
        return None
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise DomainError(_l("Choose an enterprise from the list."), field="enterprise")
    return enterprise


def authenticate(phone: str, password: str) -> User | None:
    """Return the active user with this phone and password, or None."""
    user = db.session.scalar(db.select(User).where(User.phone == phone))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current: str, new: str, keep_session: str | None) -> None:
    """Set a new password after checking the current one; every other session ends."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong."), field="current_password")
    problem = password_problem(new, user.phone)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new)
    close_sessions(user, keep=keep_session)
    db.session.flush()


def update_profile(user: User, real_name: str, city: str, enterprise_id: int | None) -> None:
    """Change the user's own name, city and enterprise."""
    problem = name_problem(real_name)
    if problem:
        raise DomainError(problem, field="real_name")
    if city not in current_app.config["CITIES"]:
        raise DomainError(_l("Choose a city from the list."), field="city")
    user.enterprise = _enterprise_or_none(enterprise_id)
    user.real_name = real_name.strip()
    user.city = city
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language."""
    user.locale = locale
    db.session.flush()
