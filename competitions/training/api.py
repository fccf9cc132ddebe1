"""The JSON answer endpoint phones post to: blueprint `training_api` under /api/training.

Send the CSRF token of the question page in an X-CSRFToken header.
"""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from competitions.training.attempt_views import shown_key
from competitions.training.services import answering
from competitions.training.services.attempts import Clock
from competitions.training.views import clock
from guild.access import signed_in_checked_by_read
from guild.accounts.session import claimed_identity
from guild.errors import DomainError, error_response
from guild.extensions import MAX_ID, db

bp = Blueprint("training_api", __name__, url_prefix="/api/training")


def _payload() -> tuple[int | None, list[str]] | None:
    """The question id and response of the JSON body, None when it is malformed."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    question_id, response = body.get("question_id"), body.get("response")
    if question_id is not None and (
        not isinstance(question_id, int)
        or isinstance(question_id, bool)
        or not 0 < question_id <= MAX_ID
    ):
        return None
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list) or len(response) > 8:
        return None
    if not all(
        isinstance(value, str) and len(value) <= 200 and "\x00" not in value for value in response
    ):
        return None
    return question_id, response


class SignedOut(Exception):
    """The session the request's cookie claims is not live, and no other signs it in."""


def _answer_signed_in(
    attempt_id: int, position: int, question_id: int | None, response: list[str], now: Clock
) -> answering.Graded:
    """Answer as the user the session cookie claims, whose session the answer's own read
    checks; where it finds nothing, Flask-Login's check decides between signed out and
    not found (and, signed in by the remember cookie anew, the answer is tried again)."""

    def answer_as(user_id: int, token: str) -> answering.Graded:
        return answering.answer_question(
            user_id, attempt_id, position, question_id, response, now, token
        )

    claimed = claimed_identity() or (current_user.id, current_user.session_token)
    try:
        return answer_as(*claimed)
    except DomainError as error:
        if error.field != "not_found":
            raise
        db.session.rollback()
        if not current_user.is_authenticated:
            raise SignedOut from error
        signed_in = (current_user.id, current_user.session_token)
        if signed_in == claimed:
            raise
    return answer_as(*signed_in)


@bp.route("/attempts/<int:attempt_id>/<int:position>/answer", methods=["POST"])
@signed_in_checked_by_read
def answer(attempt_id: int, position: int):
    """Grade and record a practice answer; the key and explanation come back with the result."""
    payload = _payload()
    if payload is None:  # the claimed session is checked here only on this error path
        return error_response(400 if current_user.is_authenticated else 401)
    question_id, response = payload
    try:
        graded = _answer_signed_in(attempt_id, position, question_id, response, clock())
    except SignedOut:
        return error_response(401)
    except DomainError as error:
        db.session.rollback()
        return error_response(404 if error.field == "not_found" else 400, str(error))
    db.session.commit()
    return jsonify(  # from the graded copies: plain values, whatever the commit expired
        position=position,
        score=graded.answer.score,
        correct=graded.answer.is_correct,
        key=shown_key(graded.item, graded.version),
        explanation=graded.version.explanation,
        repeated=graded.repeated,
    )
