"""Answering: practice answers graded at once, exam responses saved until submission.

An answer is stored once per attempt question by a unique constraint: a double tap or a
retry after a timeout inserts nothing and gets the first answer's result back. A practice
answer runs on the driver (answer_path): locks and one joined read, everything planned in
Python, then only the writes it needs, sent together.
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.answer_standings import (
    Earned,
    Place,
    earn,
    read_place,
    write_answer,
)
from competitions.campaigns.services.standings import PointsRules, ScoredAnswer
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.grading import grade, response_problem, to_stored_letters
from competitions.training.models import Attempt, AttemptItem, Mode
from competitions.training.services import answer_path, mistakes
from competitions.training.services.answer_path import Placed, Recorded, Shown, Sitting
from competitions.training.services.attempts import Clock, own_attempt
from guild.errors import DomainError
from guild.extensions import db
from guild.fastsql import (
    Cursor,
    DriverTransaction,
    conflict_error,
    driver_transaction,
    pipeline,
    session_cursor,
)
from guild.i18n import translate
from guild.transactions import begin_writing

MAX_SECONDS_PER_ANSWER = 300  # longer pauses count as this much time taken
SUBMIT_GRACE = timedelta(seconds=5)  # an auto-submit sent at the deadline is still in time


@dataclass(frozen=True)
class Graded:
    """A graded answer as the worker sees it after answering (unsaved copies of the rows)."""

    answer: Recorded
    version: Shown | QuestionVersion
    item: Placed | AttemptItem
    repeated: bool  # the same answer came again; nothing new was recorded


def _placed(item: Placed | None, question_id: int | None) -> Placed:
    if item is None or (question_id is not None and item.question_id != question_id):
        raise DomainError(_l("That question is not part of this attempt."), "position")
    return item


def _item(attempt: Attempt, position: int, question_id: int | None) -> AttemptItem:
    return _placed(db.session.get(AttemptItem, (attempt.id, position)), question_id)


def _stored_response(version: Shown | QuestionVersion, item, shown: list[str]) -> list[str]:
    """Check a response in display terms and return it in the question's stored terms."""
    problem = response_problem(version.type, len(item.option_order), shown)
    if problem:
        raise DomainError(translate(problem), "response")
    if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return to_stored_letters(item.option_order, shown)
    return [shown[0].strip()] if version.type is QuestionType.FILL_BLANK else list(shown)


class AnsweredMeanwhile(Exception):
    """Another request recorded an answer at the position after this one's read began."""


def answer_question(
    user_id: int,
    attempt_id: int,
    position: int,
    question_id: int | None,
    shown: list[str],
    clock: Clock,
    session_token: str | None = None,
) -> Graded:
    """Grade a practice answer and record it once, with its mistakes and standings.

    With a `session_token`, the attempt is found only while that session of the worker is
    live (the API checks sign-in in this read, see guild.access.signed_in_checked_by_read).
    Where another request recorded the answer while this one waited for the attempt's lock
    (PostgreSQL reads the rest of the row as of the statement's start), this request's
    writes are rolled back and it reads again, getting the first answer back as a repeat.
    """
    session = None if session_token is None else (session_token, clock.now)
    try:
        return _answer(user_id, attempt_id, position, question_id, shown, clock, session)
    except AnsweredMeanwhile:
        db.session.rollback()
        return _answer(user_id, attempt_id, position, question_id, shown, clock, session)


def _answer(
    user_id: int,
    attempt_id: int,
    position: int,
    question_id: int | None,
    shown: list[str],
    clock: Clock,
    session: tuple[str, datetime] | None,
) -> Graded:
    begin_writing()
    db.session.flush()  # the statements below run on the driver, past the session
    cursor = session_cursor()
    with driver_transaction(cursor) as transaction:
        with pipeline(cursor):  # on PostgreSQL BEGIN and the read are one round trip
            transaction.begin()
            read = answer_path.read_later(cursor, user_id, attempt_id, position, session)
        found = read()
        if found is None or found.sitting.user_id != user_id:
            raise DomainError(_l("That attempt was not found."), "not_found")
        if found.sitting.mode.is_exam:
            raise DomainError(_l("Exam answers are graded when the paper is submitted."))
        item = _placed(found.item, question_id)
        if found.recorded is not None:  # a repeat gets its answer back, even once refused anew
            return Graded(found.recorded, found.version, item, repeated=True)
        return _record(cursor, transaction, found, item, shown, clock)


def _record(
    cursor: Cursor,
    transaction: DriverTransaction,
    found: answer_path.Read,
    item: Placed,
    shown: list[str],
    clock: Clock,
) -> Graded:
    """Grade a first answer at its position and write it with everything it moves."""
    sitting, version = found.sitting, found.version
    try:
        response = _acceptable(sitting, item, version, shown)
    except DomainError:  # a repeat gets its answer back even when it is refused anew
        recorded = answer_path.existing(cursor, sitting.id, item.position)  # read afresh
        if recorded is None:
            raise
        return Graded(recorded, version, item, repeated=True)
    seconds = int((clock.now - sitting.last_activity_at).total_seconds())
    answer = _graded(sitting, item, version, response, seconds)
    finished = sitting.answered_count + 1 >= sitting.item_count
    perfect = finished and sitting.correct_count + answer.is_correct == sitting.item_count
    move = _plan_follow_up(sitting, version, answer, perfect, found.rules, found.place, clock)
    db.session.flush()  # a reviewed mistake, before the COMMIT below
    try:
        with pipeline(cursor):  # one round trip on PostgreSQL: nothing below needs a reply
            inserted = answer_path.insert(cursor, _answer_row(answer, sitting.user_id, clock.now))
            answer_path.count(cursor, sitting, answer, clock.now)
            _write_follow_up(cursor, sitting, answer, move, clock)
            transaction.commit()
        answer_id = inserted()
    except conflict_error(cursor) as error:  # the answer was recorded meanwhile
        raise AnsweredMeanwhile from error
    return Graded(replace(answer, id=answer_id), version, item, repeated=False)


def _acceptable(sitting: Sitting, item: Placed, version: Shown, shown: list[str]) -> list[str]:
    """The response in stored terms, if the attempt still takes answers and it is valid."""
    if sitting.submitted_at is not None:
        raise DomainError(_l("This attempt is finished."))
    return _stored_response(version, item, shown)


def _graded(
    sitting: Sitting, item: Placed | AttemptItem, version, response: list[str], seconds: int
) -> Recorded:
    """The answer a response makes, graded; seconds taken are kept within bounds."""
    score = grade(version.type, version.answer, response, sitting.partial_credit)
    return Recorded(
        id=None,
        attempt_id=sitting.id,
        position=item.position,
        question_id=item.question_id,
        version_id=version.id,
        response=response,
        score=score,
        is_correct=score >= 1.0,
        seconds=max(0, min(seconds, MAX_SECONDS_PER_ANSWER)),
    )


_ANSWER_FIELDS = [field.name for field in fields(Recorded) if field.name != "id"]


def _answer_row(answer: Recorded, user_id: int, now: datetime) -> dict:
    """The answers table's row of a graded answer."""
    row = {name: getattr(answer, name) for name in _ANSWER_FIELDS}
    return {**row, "user_id": user_id, "answered_at": now}


@dataclass(frozen=True)
class CampaignMove:
    """What a graded answer moves in its campaign, planned before anything is written."""

    rules: PointsRules
    facts: ScoredAnswer
    place: Place
    earned: Earned


def _plan_follow_up(
    sitting: Sitting,
    version,
    answer: Recorded,
    perfect: bool,
    rules: PointsRules | None,
    place: Place | None,
    clock: Clock,
) -> CampaignMove | None:
    """The reads a graded answer's follow-up needs (and the ORM's review step) done first,
    so what remains is writes; the campaign move, when the attempt counts in one."""
    if answer.is_correct and sitting.mode is Mode.REVIEW:
        mistakes.note_reviewed(sitting.user_id, answer.question_id, clock.day, clock.now)
    if rules is None:
        return None
    daily = sitting.mode is Mode.DAILY
    facts = ScoredAnswer(
        trade_id=sitting.trade_id,
        day=sitting.day,
        score=answer.score,
        is_correct=answer.is_correct,
        seconds=answer.seconds,
        chapter=version.chapter,
        scored=daily,
        perfect_finish=daily and perfect,
        answer_id=answer.id or 0,
    )
    place = place or read_place(rules, sitting.user_id, sitting.trade_id)
    return CampaignMove(rules, facts, place, earn(rules, sitting.user_id, facts, place))


def _write_follow_up(
    cursor: Cursor, sitting: Sitting, answer: Recorded, move: CampaignMove | None, clock: Clock
) -> None:
    """The mistake book, chapter progress and campaign standings of a graded answer."""
    if not answer.is_correct:
        mistakes.note_wrong(
            sitting.user_id, answer.question_id, sitting.trade_id, clock.day, clock.now
        )
    if sitting.mode is Mode.SEQUENTIAL:
        answer_path.advance_chapter(cursor, sitting, answer.question_id, clock.now)
    if move is not None:
        write_answer(cursor, move.rules, sitting.user_id, move.facts, move.place, move.earned)


def save_response(
    user_id: int,
    attempt_id: int,
    position: int,
    question_id: int | None,
    shown: list[str],
    clock: Clock,
    flagged: bool | None = None,
    grace: timedelta = timedelta(0),
) -> AttemptItem:
    """Keep an exam response (and the review flag) until submission; refused after the deadline."""
    begin_writing()
    attempt = own_attempt(user_id, attempt_id, for_update=True)
    if not attempt.mode.is_exam:
        raise DomainError(_l("That question is not part of this attempt."), "position")
    if attempt.is_finished:
        raise DomainError(_l("This exam has been submitted."))
    if clock.now > attempt.deadline_at + grace:
        raise DomainError(_l("Time is up: answers after the deadline are not accepted."))
    item = _item(attempt, position, question_id)
    if flagged is not None:
        item.flagged = flagged
    if shown:
        version = db.session.get(QuestionVersion, item.version_id)
        item.response = _stored_response(version, item, shown)
    attempt.last_activity_at = clock.now
    db.session.flush()
    return item


def submit_exam(user_id: int, attempt_id: int, clock: Clock) -> Attempt:
    """Grade every saved response of an exam and close it; submitting twice changes nothing."""
    begin_writing()
    attempt = own_attempt(user_id, attempt_id, for_update=True)
    if not attempt.mode.is_exam:
        raise DomainError(_l("That attempt was not found."), "not_found")
    if not attempt.is_finished:
        _grade_paper(attempt, clock)
    return attempt


def close_if_expired(attempt: Attempt, clock: Clock) -> bool:
    """Submit an exam whose time ran out, as the deadline would have; True when it did.

    The attempt is locked and read afresh before grading, so a submission that another
    request made meanwhile is seen and the paper is not graded twice.
    """
    if not expired(attempt, clock):
        return False
    begin_writing()
    own_attempt(attempt.user_id, attempt.id, for_update=True)  # refreshes `attempt` itself
    if not expired(attempt, clock):
        return False
    _grade_paper(attempt, clock)
    return True


def expired(attempt: Attempt, clock: Clock) -> bool:
    """An exam still open past its deadline."""
    return attempt.mode.is_exam and not attempt.is_finished and clock.now > attempt.deadline_at


def _grade_paper(attempt: Attempt, clock: Clock) -> None:
    end = min(clock.now, attempt.deadline_at)
    campaign = db.session.get(Campaign, attempt.campaign_id) if attempt.campaign_id else None
    rules = PointsRules.of(campaign) if campaign else None
    db.session.flush()  # answers are recorded on the driver, past the session
    cursor, sitting = session_cursor(), Sitting.of(attempt)
    for item in attempt.items:
        if not item.response:
            continue
        version = db.session.get(QuestionVersion, item.version_id)
        answer = _graded(sitting, item, version, item.response, 0)
        answer_id = answer_path.insert(cursor, _answer_row(answer, sitting.user_id, end))()
        if answer_id is None:
            continue
        answer = replace(answer, id=answer_id)
        attempt.answered_count += 1
        attempt.correct_count += int(answer.is_correct)
        attempt.score += answer.score * item.points
        move = _plan_follow_up(sitting, version, answer, False, rules, None, clock)
        _write_follow_up(cursor, sitting, answer, move, clock)
    attempt.submitted_at = end
    attempt.last_activity_at = end
    db.session.flush()
