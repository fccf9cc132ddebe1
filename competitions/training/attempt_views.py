"""Sitting an attempt: one question per page, answers, exam submission, results.

Blueprint `attempts`. The pages never carry an answer key before the worker's answer to that
question is recorded (practice) or the paper is submitted (exam).
"""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from competitions.questions.models import QuestionVersion
from competitions.questions.types import OPTION_LETTERS
from competitions.training.forms import AnswerForm
from competitions.training.grading import to_display_letters
from competitions.training.models import Answer, Attempt, AttemptItem
from competitions.training.services import answering
from competitions.training.services.attempts import own_attempt
from competitions.training.views import clock
from guild.access import signed_in
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.models import Trade
from guild.transactions import begin_writing
from guild.web import current_account, small_int

bp = Blueprint("attempts", __name__, url_prefix="/skills/training/attempts")


def _mine(attempt_id: int) -> Attempt:
    try:
        return own_attempt(current_account().id, attempt_id)
    except DomainError:
        abort(404)


def _answers(attempt: Attempt) -> dict[int, Answer]:
    rows = db.session.scalars(select_answers(attempt.id))
    return {answer.position: answer for answer in rows}


def select_answers(attempt_id: int):
    """The select of an attempt's recorded answers."""
    return db.select(Answer).where(Answer.attempt_id == attempt_id)


def _close_if_expired(attempt: Attempt) -> bool:
    """Grade an exam whose time ran out; True when this request did."""
    if not answering.expired(attempt, clock()):
        return False
    db.session.rollback()  # a read snapshot cannot take SQLite's write lock: begin as a writer
    begin_writing()
    closed = answering.close_if_expired(attempt, clock())
    db.session.commit()
    return closed


@bp.route("/<int:attempt_id>/")
@signed_in
def show(attempt_id: int):
    """Go to the first unanswered question, or to the result when done."""
    attempt = _mine(attempt_id)
    _close_if_expired(attempt)
    if attempt.is_finished:
        return redirect(url_for("attempts.result", attempt_id=attempt.id))
    answered = set(_answers(attempt))
    position = next((i.position for i in attempt.items if i.position not in answered), 1)
    return redirect(url_for("attempts.question", attempt_id=attempt.id, position=position))


def _display(item: AttemptItem, version: QuestionVersion) -> list[tuple[str, str]]:
    """The options as shown in this attempt: display letter and text."""
    return [
        (OPTION_LETTERS[place], version.options[index])
        for place, index in enumerate(item.option_order)
    ]


def _page(attempt: Attempt, item: AttemptItem, form: AnswerForm, status: int = 200):
    version = db.session.get(QuestionVersion, item.version_id)
    answer = (
        None
        if attempt.mode.is_exam
        else db.session.scalar(select_answers(attempt.id).where(Answer.position == item.position))
    )
    shown_response = _shown(item, version, item.response or (answer.response if answer else []))
    context = {
        "attempt": attempt,
        "item": item,
        "version": version,
        "options": _display(item, version),
        "answer": answer,
        "response": shown_response,
        "form": form,
        "trade": db.session.get(Trade, attempt.trade_id),
    }
    if answer is not None:  # answered: now the key and explanation may be shown
        context["key"] = _shown(item, version, version.answer)
    if attempt.mode.is_exam:
        context["remaining"] = max(0, int((attempt.deadline_at - clock().now).total_seconds()))
        context["answered"] = {i.position for i in attempt.items if i.response}
        context["flagged"] = {i.position for i in attempt.items if i.flagged}
    return render_template("competitions/training/question.html", **context), status


def _item(attempt: Attempt, position: int) -> AttemptItem:
    item = db.session.get(AttemptItem, (attempt.id, position))
    if item is None:
        abort(404)
    return item


@bp.route("/<int:attempt_id>/<int:position>", methods=["GET", "POST"])
@signed_in
def question(attempt_id: int, position: int):
    """Show one question; POST answers it (practice) or saves the response (exam)."""
    attempt = _mine(attempt_id)
    now = clock()
    form = AnswerForm()
    # A submission sent at the deadline is saved within the grace before the paper closes.
    submitting = request.method == "POST" and form.action.data == "submit"
    if attempt.is_finished and attempt.mode.is_exam and submitting:
        return redirect(url_for("attempts.result", attempt_id=attempt.id))  # a double tap
    if not submitting and _close_if_expired(attempt):
        flash(_("Time is up: your exam was submitted."), "info")
        return redirect(url_for("attempts.result", attempt_id=attempt.id))
    item = _item(attempt, position)
    if request.method == "GET":
        if attempt.is_finished and attempt.mode.is_exam:
            return redirect(url_for("attempts.result", attempt_id=attempt.id))
        return _page(attempt, item, form)
    if not form.validate_on_submit():
        flash(_("Your answer could not be read. Please try again."), "danger")
        return _page(attempt, item, form, 400)
    response = [value for value in request.form.getlist("response") if value][:8]
    try:
        if attempt.mode.is_exam:
            return _save_exam(attempt, item, form, response, now)
        answering.answer_question(
            attempt.user_id, attempt.id, position, form.question_id.data, response, now
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "danger")
        attempt, item = _mine(attempt_id), _item(_mine(attempt_id), position)
        return _page(attempt, item, form, 400)
    db.session.commit()
    return redirect(url_for("attempts.question", attempt_id=attempt.id, position=position))


def _save_exam(attempt: Attempt, item: AttemptItem, form: AnswerForm, response: list[str], now):
    action = form.action.data or "next"
    grace = answering.SUBMIT_GRACE if action == "submit" else timedelta(0)
    if response or action != "submit":
        answering.save_response(
            attempt.user_id,
            attempt.id,
            item.position,
            form.question_id.data,
            response,
            now,
            flagged=form.flagged.data,
            grace=grace,
        )
    if action == "submit":
        answering.submit_exam(attempt.user_id, attempt.id, now)
        db.session.commit()
        return redirect(url_for("attempts.result", attempt_id=attempt.id))
    db.session.commit()
    step = {"previous": -1, "next": 1}.get(action, 0)
    target = min(max(1, item.position + step), attempt.item_count)
    if small_int(action):
        target = min(small_int(action), attempt.item_count)
    return redirect(url_for("attempts.question", attempt_id=attempt.id, position=target))


def _shown(item: AttemptItem, version: QuestionVersion, stored: list[str]) -> list[str]:
    """A response or key as the worker saw it: display letters for choice questions."""
    return to_display_letters(item.option_order, stored) if version.options else list(stored)


def shown_key(item: AttemptItem, version: QuestionVersion) -> list[str]:
    """The answer key as this attempt shows it; only once the question is graded."""
    return _shown(item, version, version.answer)


@bp.route("/<int:attempt_id>/submit", methods=["POST"])
@signed_in
def submit(attempt_id: int):
    """Submit an exam paper as it stands."""
    attempt = _mine(attempt_id)
    try:
        answering.submit_exam(attempt.user_id, attempt.id, clock())
    except DomainError as error:
        flash(str(error), "danger")
        return redirect(url_for("attempts.show", attempt_id=attempt.id))
    db.session.commit()
    return redirect(url_for("attempts.result", attempt_id=attempt.id))


@bp.route("/<int:attempt_id>/result")
@signed_in
def result(attempt_id: int):
    """The attempt's result; answers and explanations only for what is graded."""
    attempt = _mine(attempt_id)
    _close_if_expired(attempt)
    if attempt.mode.is_exam and not attempt.is_finished:
        return redirect(url_for("attempts.show", attempt_id=attempt.id))
    answers = _answers(attempt)
    versions = {
        v.id: v
        for v in db.session.scalars(
            db.select(QuestionVersion).where(
                QuestionVersion.id.in_([i.version_id for i in attempt.items])
            )
        )
    }
    rows = []
    for item in attempt.items:
        version = versions[item.version_id]
        answer = answers.get(item.position)
        rows.append(
            {
                "item": item,
                "version": version,
                "options": _display(item, version),
                "answer": answer,
                "response": _shown(item, version, answer.response) if answer else [],
                "key": _shown(item, version, version.answer)
                if answer or attempt.is_finished
                else [],
            }
        )
    return render_template(
        "competitions/training/result.html",
        attempt=attempt,
        rows=rows,
        trade=db.session.get(Trade, attempt.trade_id),
    )
