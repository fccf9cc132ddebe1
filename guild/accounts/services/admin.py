"""What administrators do to accounts: roles and deactivation, each audited."""

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from guild.accounts.models import User, UserRole
from guild.accounts.roles import Role
from guild.accounts.services.sessions import close_sessions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.text import like_pattern


def _roles_snapshot(user: User) -> dict:
    return {"roles": sorted(role.value for role in user.role_set)}


def grant_role(actor: Actor, user: User, role: Role) -> None:
    """Give a user a role; granting one already held changes nothing."""
    if role in user.role_set:
        return
    before = _roles_snapshot(user)
    try:
        with db.session.begin_nested():
            user.roles.append(UserRole(role=role, granted_by_id=actor.user.id))
    except IntegrityError:  # granted by someone else a moment ago: the same end state
        db.session.refresh(user)
        return
    record(actor, "role.grant", user, before, _roles_snapshot(user))


def revoke_role(actor: Actor, user: User, role: Role) -> None:
    """Take a role from a user; an admin cannot take their own admin role."""
    if role == Role.ADMIN and actor.user is not None and user.id == actor.user.id:
        raise DomainError(_l("You cannot revoke your own administrator role."))
    if role not in user.role_set:
        return
    before = _roles_snapshot(user)
    # A statement, not an ORM delete: two admins revoking at once both simply succeed.
    removed = db.session.execute(
        delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == role)
    ).rowcount
    db.session.expire(user, ["roles"])
    if removed:
        record(actor, "role.revoke", user, before, _roles_snapshot(user))


def set_active(actor: Actor, user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if not active and actor.user is not None and user.id == actor.user.id:
        raise DomainError(_l("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        close_sessions(user)
    db.session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    record(actor, action, user, {"is_active": not active}, {"is_active": active})


def search_users(text: str, role: Role | None, page: int, per_page: int) -> Pagination:
    """One page of users matching a name fragment or an exact phone, optionally by role."""
    query = db.select(User).order_by(User.id.desc())
    if text:
        query = query.where(
            or_(User.real_name.ilike(like_pattern(text), escape="\\"), User.phone == text)
        )
    if role:
        query = query.where(User.roles.any(UserRole.role == role))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
