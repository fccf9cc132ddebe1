"""Access rules: every view declares who may call it, and one hook enforces the rule."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from guild.accounts.roles import Role
from guild.accounts.session import claimed_identity
from guild.errors import is_api_request

View = TypeVar("View", bound=Callable)


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view: anyone, any signed-in user, or holders of one of the roles."""

    login: bool
    roles: frozenset[Role] = frozenset()
    # The view's own read checks the session the cookie claims (see `signed_in_checked_by_read`)
    checked_by_read: bool = False

    def allows(self, user) -> bool:
        """Tell whether this (possibly anonymous) user passes the rule."""
        if not self.login:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or bool(self.roles & user.role_set)


def _mark(rule: AccessRule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: View) -> View:
    """Let anyone, signed in or not, call the view."""
    return _mark(AccessRule(login=False))(view)


def signed_in(view: View) -> View:
    """Let any signed-in user call the view."""
    return _mark(AccessRule(login=True))(view)


def signed_in_checked_by_read(view: View) -> View:
    """Let a signed-in user call the view, which checks the session itself in the read it
    makes anyway (guild.accounts.session.live_session), saving the hottest JSON endpoint a
    query of its own for the user.

    A request whose cookie claims no user gets the usual refusal here. The view must refuse
    (401) when its read finds no live session for the claimed one: see
    competitions/training/api.py.
    """
    return _mark(AccessRule(login=True, checked_by_read=True))(view)


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Let signed-in users holding any of the roles call the view."""
    return _mark(AccessRule(login=True, roles=frozenset(roles)))


def rule_for(app: Flask, endpoint: str | None) -> AccessRule | None:
    """Return the access rule of an endpoint, or None where it has none."""
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None)


def enforce_access():
    """Refuse the request unless the endpoint's rule lets the current user through."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    rule = rule_for(current_app, request.endpoint)
    if rule is None:  # unreachable after check_every_route_has_a_rule, kept as a safe default
        abort(403)
    if rule.checked_by_read and claimed_identity() is not None:
        return None  # the view's read checks the claimed session
    if rule.allows(current_user):
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


def check_every_route_has_a_rule(app: Flask) -> None:
    """Fail at start-up if any view was registered without an explicit access rule."""
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access_rule")
    )
    if missing:
        raise RuntimeError(f"views without an access rule: {', '.join(missing)}")
