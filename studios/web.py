"""Helpers for the studio domain's views: one service call, committed or refused."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, make_response, request
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from guild.errors import DomainError, error_response
from guild.extensions import db
from guild.web import show_domain_error
from studios.services.access import NotAllowed, NotFound
from studios.services.courseware import too_large_message


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


FORM_ALLOWANCE = 1024 * 1024  # the multipart framing and an upload form's text fields


def accept_uploads(bp: Blueprint, endpoints: set[str], files: int = 1) -> None:
    """Let the blueprint's upload routes take `files` courseware-sized files per request.

    The site-wide MAX_CONTENT_LENGTH stays small; a POST to one of the endpoints may carry
    up to COURSEWARE_MAX_BYTES × files plus the form. The limit is raised in a URL value
    preprocessor, which runs before any before_request hook reads the form; a body past it
    is refused with 413 and the limit named, before a byte of it is read.
    """

    @bp.url_value_preprocessor
    def allow_large_uploads(endpoint: str | None, _values: dict | None) -> None:
        if endpoint in endpoints and request.method == "POST":
            per_file = current_app.config["COURSEWARE_MAX_BYTES"]
            request.max_content_length = per_file * files + FORM_ALLOWANCE

    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return error_response(413, str(too_large_message()))
