"""Answering: practice answers graded at once, exam responses saved until submission.

An answer is stored once per attempt question by a unique constraint: a double tap or a
retry after a timeout inserts nothing and gets the first answer's result back.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.standings import ScoredAnswer, record_answer
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.grading import grade, response_problem, to_stored_letters
from competitions.training.models import Answer, Attempt, AttemptItem, ChapterProgress, Mode
from competitions.training.services import mistakes
from competitions.training.services.attempts import Clock, own_attempt
from guild.errors import DomainError
from guild.extensions import db
from guild.i18n import translate
from guild.transactions import begin_writing
from guild.upsert import insert_for

MAX_SECONDS_PER_ANSWER = 300  # longer pauses count as this much time taken
SUBMIT_GRACE = timedelta(seconds=5)  # an auto-submit sent at the deadline is still in time


@dataclass(frozen=True)
class Graded:
    """A graded answer as the worker sees it after answering."""

    answer: Answer
    version: QuestionVersion
    item: AttemptItem
    repeated: bool  # the same answer came again; nothing new was recorded


def _item(attempt: Attempt, position: int, question_id: int | None) -> AttemptItem:
    item = db.session.get(AttemptItem, (attempt.id, position))
    if item is None or (question_id is not None and item.question_id != question_id):
        raise DomainError(_l("That question is not part of this attempt."), "position")
    return item


def _stored_response(version: QuestionVersion, item: AttemptItem, shown: list[str]) -> list[str]:
    """Check a response in display terms and return it in the question's stored terms."""
    problem = response_problem(version.type, len(item.option_order), shown)
    if problem:
        raise DomainError(translate(problem), "response")
    if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return to_stored_letters(item.option_order, shown)
    return [shown[0].strip()] if version.type is QuestionType.FILL_BLANK else list(shown)


def _existing(attempt_id: int, position: int) -> Answer | None:
    return db.session.scalar(
        select(Answer).where(Answer.attempt_id == attempt_id, Answer.position == position)
    )


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
    attempt = own_attempt(user_id, attempt_id, for_update=True)
    if attempt.mode.is_exam:
        raise DomainError(_l("Exam answers are graded when the paper is submitted."))
    item = _item(attempt, position, question_id)
    version = db.session.get(QuestionVersion, item.version_id)
    previous = _existing(attempt.id, position)
    if previous is not None:
        return Graded(previous, version, item, repeated=True)
    if attempt.is_finished:
        raise DomainError(_l("This attempt is finished."))
    response = _stored_response(version, item, shown)
    seconds = (clock.now - attempt.last_activity_at).total_seconds()
    answer = _record(
        attempt, item, version, response, clock, min(int(seconds), MAX_SECONDS_PER_ANSWER)
    )
    if answer is None:  # another request recorded it first
        return Graded(_existing(attempt.id, position), version, item, repeated=True)
    _count(attempt, answer, clock)
    _follow_up(attempt, version, answer, clock)
    return Graded(answer, version, item, repeated=False)


def _record(attempt, item, version, response, clock: Clock, seconds: int) -> Answer | None:
    """INSERT the answer unless one exists: the unique constraint decides, not a lookup."""
    score = grade(version.type, version.answer, response, attempt.partial_credit)
    values = {
        "attempt_id": attempt.id,
        "position": item.position,
        "user_id": attempt.user_id,
        "question_id": item.question_id,
        "version_id": version.id,
        "response": response,
        "score": score,
        "is_correct": score >= 1.0,
        "seconds": max(0, seconds),
        "answered_at": clock.now,
    }
    statement = insert_for(Answer.__table__).values(values).on_conflict_do_nothing()
    new_id = db.session.scalar(statement.returning(Answer.id))
    return db.session.get(Answer, new_id) if new_id else None


def _count(attempt: Attempt, answer: Answer, clock: Clock) -> None:
    attempt.answered_count += 1
    attempt.correct_count += int(answer.is_correct)
    attempt.score += answer.score
    attempt.last_activity_at = clock.now
    if attempt.answered_count >= attempt.item_count:
        attempt.submitted_at = clock.now
    db.session.flush()


def _follow_up(attempt: Attempt, version: QuestionVersion, answer: Answer, clock: Clock) -> None:
    """The mistake book, chapter progress and campaign standings of a graded answer."""
    if not answer.is_correct:
        mistakes.note_wrong(
            attempt.user_id, answer.question_id, attempt.trade_id, clock.day, clock.now
        )
    elif attempt.mode is Mode.REVIEW:
        mistakes.note_reviewed(attempt.user_id, answer.question_id, clock.day, clock.now)
    if attempt.mode is Mode.SEQUENTIAL:
        _advance_chapter(attempt, answer.question_id)
    if attempt.campaign_id is not None:
        campaign = db.session.get(Campaign, attempt.campaign_id)
        perfect = attempt.is_finished and attempt.correct_count == attempt.item_count
        facts = ScoredAnswer(
            trade_id=attempt.trade_id,
            day=attempt.day,
            score=answer.score,
            is_correct=answer.is_correct,
            seconds=answer.seconds,
            chapter=version.chapter,
            scored=attempt.mode is Mode.DAILY,
            perfect_finish=attempt.mode is Mode.DAILY and perfect,
            answer_id=answer.id,
        )
        record_answer(campaign, attempt.user_id, facts)


def _advance_chapter(attempt: Attempt, question_id: int) -> None:
    table = ChapterProgress.__table__
    statement = insert_for(table).values(
        user_id=attempt.user_id,
        trade_id=attempt.trade_id,
        chapter=attempt.chapter,
        last_question_id=question_id,
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
    for item in attempt.items:
        if not item.response:
            continue
        version = db.session.get(QuestionVersion, item.version_id)
        answer = _record(attempt, item, version, item.response, Clock(end, clock.day), 0)
        if answer is None:
            continue
        attempt.answered_count += 1
        attempt.correct_count += int(answer.is_correct)
        attempt.score += answer.score * item.points
        _follow_up(attempt, version, answer, clock)
    attempt.submitted_at = end
    attempt.last_activity_at = end
    db.session.flush()
