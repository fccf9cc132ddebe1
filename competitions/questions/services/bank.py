"""Authoring a trade's question bank: create, edit (as a new version), retire, find, count."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, update

from competitions.questions.models import Question, QuestionVersion
from competitions.questions.rules import normalise_stem, problems
from competitions.questions.types import (
    STATUS_LABELS,
    QuestionData,
    QuestionStatus,
    QuestionType,
)
from guild.audit.labels import label_actions, label_fields, label_objects, label_values
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.text import like_pattern
from guild.trades.models import Trade

STEM_KEY_LENGTH = 200

label_actions(
    {
        "question.create": _l("Question created"),
        "question.edit": _l("Question edited"),
        "question.retired": _l("Questions retired"),
        "question.active": _l("Questions restored"),
        "question.draft": _l("Questions set to draft"),
        "questions.import": _l("Questions imported"),
    }
)
label_objects(
    {
        "Question": lazy_pgettext("audited object", "Question"),
        "questions": lazy_pgettext("audited object", "Question bank"),
    }
)
label_fields({"ids": lazy_pgettext("audited field", "Question IDs")})
label_values("questions", {"status": STATUS_LABELS})


def stem_key(stem: str, normalised: str = "") -> str:
    """The duplicate key of a stem: its normalised form (given, or computed), cut to size."""
    return (normalised or normalise_stem(stem))[:STEM_KEY_LENGTH]


def version_values(data: QuestionData, normalised: str = "") -> dict:
    """The columns of a question version holding this content."""
    return {
        "type": data.type,
        "stem": data.stem.strip(),
        "stem_key": stem_key(data.stem, normalised),
        "options": [option.strip() for option in data.options],
        "answer": list(data.answer),
        "explanation": data.explanation.strip(),
        "difficulty": data.difficulty,
        "chapter": data.chapter.strip(),
        "level_codes": list(data.levels),
        "tags": list(data.tags),
    }


def _check(data: QuestionData) -> None:
    found = problems(data)
    if found:
        raise DomainError("; ".join(found))


def create_question(
    actor: Actor,
    trade: Trade,
    data: QuestionData,
    status: QuestionStatus = QuestionStatus.ACTIVE,
    image_key: str | None = None,
) -> Question:
    """Add a question to a trade's bank with its first version."""
    _check(data)
    author_id = actor.user.id if actor.user else None
    question = Question(trade_id=trade.id, status=status, author_id=author_id)
    db.session.add(question)
    db.session.flush()
    values = version_values(data)
    version = QuestionVersion(
        question_id=question.id, author_id=author_id, image_key=image_key, **values
    )
    db.session.add(version)
    db.session.flush()
    record(actor, "question.create", question, None, {"version": 1, "trade": trade.code})
    return question


def edit_question(
    actor: Actor, question: Question, data: QuestionData, image_key: str | None
) -> QuestionVersion:
    """Save new content as a new current version; the old one stays for the answers it got."""
    _check(data)
    old = question.current
    if old.to_data() == data and old.image_key == image_key:
        return old
    number = old.number + 1
    db.session.execute(
        update(QuestionVersion)
        .where(QuestionVersion.id == old.id, QuestionVersion.is_current.is_(True))
        .values(is_current=False)
    )
    author_id = actor.user.id if actor.user else None
    version = QuestionVersion(
        question_id=question.id,
        number=number,
        author_id=author_id,
        image_key=image_key,
        **version_values(data),
    )
    db.session.add(version)
    db.session.flush()  # the unique partial index refuses a second current version
    db.session.expire(question, ["current"])
    record(actor, "question.edit", question, {"version": old.number}, {"version": number})
    return version


def set_status(actor: Actor, questions: list[Question], status: QuestionStatus) -> int:
    """Retire, restore or draft questions; returns how many changed."""
    changed = [question for question in questions if question.status != status]
    for question in changed:
        question.status = status
    db.session.flush()
    if changed:
        after = {"status": status.value, "ids": [question.id for question in changed]}
        record(actor, f"question.{status.value}", "questions", None, after)
    return len(changed)


@dataclass(frozen=True)
class BankFilter:
    """What an organiser narrows a bank to."""

    type: QuestionType | None = None
    chapter: str | None = None
    difficulty: int | None = None
    level: str | None = None
    status: QuestionStatus | None = None
    text: str = ""


def filtered_query(trade: Trade, filters: BankFilter):
    """The select of (question, current version) rows of a trade matching the filter."""
    query = (
        db.select(Question, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(Question.trade_id == trade.id, QuestionVersion.is_current.is_(True))
    )
    conditions = {
        "type": QuestionVersion.type == filters.type,
        "chapter": QuestionVersion.chapter == filters.chapter,
        "difficulty": QuestionVersion.difficulty == filters.difficulty,
        "status": Question.status == filters.status,
    }
    for name, condition in conditions.items():
        if getattr(filters, name) is not None:
            query = query.where(condition)
    if filters.level:
        # JSON arrays are stored as text on both engines; a quoted code cannot match another.
        query = query.where(
            func.cast(QuestionVersion.level_codes, db.String).contains(f'"{filters.level}"')
        )
    if filters.text:
        query = query.where(QuestionVersion.stem.ilike(like_pattern(filters.text), escape="\\"))
    return query


def search_bank(trade: Trade, filters: BankFilter, page: int, per_page: int) -> Pagination:
    """One page of a trade's questions matching the filter, newest first."""
    query = filtered_query(trade, filters).order_by(Question.id.desc())
    return db.paginate(
        query.with_only_columns(Question), page=page, per_page=per_page, error_out=False
    )


def bank_counts(trade: Trade) -> dict[str, dict[str, int]]:
    """Active questions of a trade counted by type and by chapter."""
    base = (
        db.select(func.count(Question.id))
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(
            Question.trade_id == trade.id,
            QuestionVersion.is_current.is_(True),
            Question.status == QuestionStatus.ACTIVE,
        )
    )
    by_type = db.session.execute(
        base.add_columns(QuestionVersion.type).group_by(QuestionVersion.type)
    )
    by_chapter = db.session.execute(
        base.add_columns(QuestionVersion.chapter).group_by(QuestionVersion.chapter)
    )
    return {
        "type": {kind.value: count for count, kind in by_type},
        "chapter": {chapter or "": count for count, chapter in by_chapter},
    }


def active_counts(trade_ids: list[int]) -> dict[int, int]:
    """How many active questions each of the trades has, in one query."""
    query = (
        db.select(Question.trade_id, func.count(Question.id))
        .where(Question.trade_id.in_(trade_ids), Question.status == QuestionStatus.ACTIVE)
        .group_by(Question.trade_id)
    )
    return {trade_id: count for trade_id, count in db.session.execute(query)}


def chapters(trade: Trade) -> list[str]:
    """The chapters used in a trade's bank, for the filter."""
    query = (
        db.select(QuestionVersion.chapter)
        .join(Question, QuestionVersion.question_id == Question.id)
        .where(Question.trade_id == trade.id, QuestionVersion.is_current.is_(True))
        .distinct()
        .order_by(QuestionVersion.chapter)
    )
    return [chapter for chapter in db.session.scalars(query) if chapter]


def questions_by_ids(trade: Trade, ids: list[int]) -> list[Question]:
    """The trade's questions among the ids (others are ignored, never an error)."""
    if not ids:
        return []
    query = db.select(Question).where(Question.trade_id == trade.id, Question.id.in_(ids))
    return list(db.session.scalars(query).unique())
