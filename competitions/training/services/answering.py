"""Answering: practice answers graded at once, exam responses saved until submission.

An answer is stored once per attempt question by a unique constraint: a double tap or a
retry after a timeout inserts nothing and gets the first answer's result back. A practice
answer runs on the driver (answer_path): one joined read, then only the writes it needs.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.standings import PointsRules, ScoredAnswer, record_answer
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.grading import grade, response_problem, to_stored_letters
from competitions.training.models import Answer, Attempt, AttemptItem, ChapterProgress, Mode
from competitions.training.services import answer_path, mistakes
from competitions.training.services.answer_path import Sitting
from competitions.training.services.attempts import Clock, own_attempt
from guild.errors import DomainError
from guild.extensions import db
from guild.fastsql import Cursor, session_cursor
from guild.i18n import translate
from guild.transactions import begin_writing
from guild.upsert import insert_for

MAX_SECONDS_PER_ANSWER = 300  # longer pauses count as this much time taken
SUBMIT_GRACE = timedelta(seconds=5)  # an auto-submit sent at the deadline is still in time


@dataclass(frozen=True)
class Graded:
    """A graded answer as the worker sees it after answering (unsaved copies of the rows)."""

    answer: Answer
    version: QuestionVersion
    item: AttemptItem
    repeated: bool  # the same answer came again; nothing new was recorded


def _placed(item: AttemptItem | None, question_id: int | None) -> AttemptItem:
    if item is None or (question_id is not None and item.question_id != question_id):
        raise DomainError(_l("That question is not part of this attempt."), "position")
    return item


def _item(attempt: Attempt, position: int, question_id: int | None) -> AttemptItem:
    return _placed(db.session.get(AttemptItem, (attempt.id, position)), question_id)


def _stored_response(version: QuestionVersion, item: AttemptItem, shown: list[str]) -> list[str]:
    """Check a response in display terms and return it in the question's stored terms."""
    problem = response_problem(version.type, len(item.option_order), shown)
    if problem:
        raise DomainError(translate(problem), "response")
    if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return to_stored_letters(item.option_order, shown)
    return [shown[0].strip()] if version.type is QuestionType.FILL_BLANK else list(shown)


def answer_question(
    user_id: int,
    attempt_id: int,
    position: int,
    question_id: int | None,
    shown: list[str],
    clock: Clock,
) -> Graded:
    """Grade a practice answer and record it once, with its mistakes and standings."""
    begin_writing()
    db.session.flush()  # the statements below run on the driver, past the session
    cursor = session_cursor()
    found = answer_path.read(cursor, attempt_id, position)
    if found is None or found.sitting.user_id != user_id:
        raise DomainError(_l("That attempt was not found."), "not_found")
    sitting, version = found.sitting, found.version
    if sitting.mode.is_exam:
        raise DomainError(_l("Exam answers are graded when the paper is submitted."))
    item = _placed(found.item, question_id)
    if found.recorded is not None:
        return Graded(found.recorded, version, item, repeated=True)
    try:
        answer = _take(cursor, sitting, item, version, shown, clock)
    except DomainError:  # a repeat gets its answer back even when it is refused anew
        answer = answer_path.existing(cursor, attempt_id, position)
        if answer is None:
            raise
        return Graded(answer, version, item, repeated=True)
    if answer is None:  # another request recorded it first
        return Graded(answer_path.existing(cursor, attempt_id, position), version, item, True)
    answer_path.count(cursor, sitting, answer, clock.now)
    finished = sitting.answered_count + 1 >= sitting.item_count
    perfect = finished and sitting.correct_count + answer.is_correct == sitting.item_count
    _follow_up(sitting, version, answer, perfect, found.rules, clock)
    return Graded(answer, version, item, repeated=False)


def _take(cursor, sitting, item, version, shown: list[str], clock: Clock) -> Answer | None:
    """Check and record a new practice answer; None when one was recorded meanwhile."""
    if sitting.submitted_at is not None:
        raise DomainError(_l("This attempt is finished."))
    response = _stored_response(version, item, shown)
    seconds = min(
        int((clock.now - sitting.last_activity_at).total_seconds()), MAX_SECONDS_PER_ANSWER
    )
    return _record(cursor, sitting, item, version, response, clock.now, seconds)


def _record(
    cursor: Cursor,
    sitting: Sitting,
    item: AttemptItem,
    version: QuestionVersion,
    response: list[str],
    now: datetime,
    seconds: int,
) -> Answer | None:
    """Grade and INSERT the answer unless one exists at its position."""
    score = grade(version.type, version.answer, response, sitting.partial_credit)
    values = {
        "attempt_id": sitting.id,
        "position": item.position,
        "user_id": sitting.user_id,
        "question_id": item.question_id,
        "version_id": version.id,
        "response": response,
        "score": score,
        "is_correct": score >= 1.0,
        "seconds": max(0, seconds),
        "answered_at": now,
    }
    return answer_path.insert(cursor, values)


def _follow_up(
    sitting: Sitting,
    version: QuestionVersion,
    answer: Answer,
    perfect: bool,
    rules: PointsRules | None,
    clock: Clock,
) -> None:
    """The mistake book, chapter progress and campaign standings of a graded answer."""
    if not answer.is_correct:
        mistakes.note_wrong(
            sitting.user_id, answer.question_id, sitting.trade_id, clock.day, clock.now
        )
    elif sitting.mode is Mode.REVIEW:
        mistakes.note_reviewed(sitting.user_id, answer.question_id, clock.day, clock.now)
    if sitting.mode is Mode.SEQUENTIAL:
        _advance_chapter(sitting, answer.question_id)
    if rules is not None:
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
            answer_id=answer.id,
        )
        record_answer(rules, sitting.user_id, facts)


def _advance_chapter(sitting: Sitting, question_id: int) -> None:
    """Resume the chapter after the furthest question answered in this attempt.

    The furthest, not the latest: questions answered out of order must not send the next
    round back; a round that went round the chapter again starts from its own first ids.
    """
    table = ChapterProgress.__table__
    furthest = (
        select(func.max(Answer.question_id))
        .where(Answer.attempt_id == sitting.id)
        .scalar_subquery()
    )
    statement = insert_for(table).values(
        user_id=sitting.user_id,
        trade_id=sitting.trade_id,
        chapter=sitting.chapter,
        last_question_id=func.coalesce(furthest, question_id),
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.trade_id, table.c.chapter],
            set_={"last_question_id": statement.excluded.last_question_id},
        )
    )


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
        answer = _record(cursor, sitting, item, version, item.response, end, 0)
        if answer is None:
            continue
        attempt.answered_count += 1
        attempt.correct_count += int(answer.is_correct)
        attempt.score += answer.score * item.points
        _follow_up(sitting, version, answer, False, rules, clock)
    attempt.submitted_at = end
    attempt.last_activity_at = end
    db.session.flush()
