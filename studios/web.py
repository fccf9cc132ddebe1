"""Helpers for the studio domain's views: one service call, committed or refused."""

from collections.abc import Callable

from flask import abort, flash, make_response
from flask_wtf import FlaskForm

from guild.errors import DomainError, error_response
from guild.extensions import db
from guild.web import show_domain_error
from studios.services.access import NotAllowed, NotFound


def attempt(call: Callable[[], object], form: FlaskForm | None = None) -> tuple[bool, object]:
    """Call one changing service and commit; its result, or (False, None) on a refusal.

    A right refused answers 403 with its reason and something missing 404; any other refusal
    rolls back and puts its message on the form's field, or flashes it: the caller answers 400.
    """
    try:
        result = call()
    except NotAllowed as refusal:
        db.session.rollback()
        abort(make_response(error_response(403, str(refusal))))
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        if form is None or not show_domain_error(form, error):
            flash(str(error), "danger")
        return False, None
    db.session.commit()
    return True, result


def found(call: Callable[[], object]):
    """Call a lookup service: 404 for what does not exist, 403 for what the user may not see."""
    try:
        return call()
    except NotFound:
        abort(404)
    except NotAllowed as refusal:
        abort(make_response(error_response(403, str(refusal))))
