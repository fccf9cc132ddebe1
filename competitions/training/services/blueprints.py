"""Exam blueprints: how a trade's mock exam is composed, set by organisers."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select

from competitions.contests.models import Contest
from competitions.questions.models import Question, QuestionVersion
from competitions.questions.types import QuestionStatus, QuestionType
from competitions.training.models import ExamBlueprint
from guild.audit.labels import label_actions, label_fields, label_objects
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.models import Trade

MAX_QUESTIONS = 200
MAX_MINUTES = 240

label_actions({"blueprint.save": _l("Exam blueprint saved")})
label_objects(
    {
        "ExamBlueprint": lazy_pgettext("audited object", "Exam blueprint"),
    }
)
label_fields({"parts": lazy_pgettext("audited field", "Questions by type and difficulty")})


@dataclass(frozen=True)
class Part:
    """Some questions of one type (and difficulty, 0 for any), each worth some points."""

    type: QuestionType
    difficulty: int
    count: int
    points: float


def _available(trade: Trade, part: Part) -> int:
    query = (
        select(func.count())
        .select_from(Question)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(
            Question.trade_id == trade.id,
            Question.status == QuestionStatus.ACTIVE,
            QuestionVersion.is_current.is_(True),
            QuestionVersion.type == part.type,
        )
    )
    if part.difficulty:
        query = query.where(QuestionVersion.difficulty == part.difficulty)
    return db.session.scalar(query)


def _check(trade: Trade, name: str, minutes: int, parts: list[Part]) -> None:
    if not name.strip():
        raise DomainError(_l("Please give the blueprint a name."), "name")
    if not 1 <= minutes <= MAX_MINUTES:
        raise DomainError(_l("The time limit must be between 1 and 240 minutes."), "duration")
    if not parts or not 1 <= sum(part.count for part in parts) <= MAX_QUESTIONS:
        raise DomainError(_l("A paper holds between 1 and 200 questions."), "parts")
    for part in parts:
        if part.count < 1 or not 0 < part.points <= 100 or not 0 <= part.difficulty <= 5:
            raise DomainError(
                _l("Each part needs a count of at least 1 and points up to 100."), "parts"
            )
        if _available(trade, part) < part.count:
            raise DomainError(
                _l(
                    "The bank has only %(n)d active questions for a part of this blueprint.",
                    n=_available(trade, part),
                ),
                "parts",
            )


def save_blueprint(
    actor: Actor,
    blueprint: ExamBlueprint | None,
    trade: Trade,
    name: str,
    minutes: int,
    parts: list[Part],
) -> ExamBlueprint:
    """Create or change a trade's exam blueprint after checking its bank can fill it."""
    _check(trade, name, minutes, parts)
    if blueprint is None:
        blueprint = ExamBlueprint(
            trade_id=trade.id, created_by_id=actor.user.id if actor.user else None
        )
        db.session.add(blueprint)
    blueprint.name = name.strip()
    blueprint.duration_minutes = minutes
    blueprint.parts = [
        {"type": p.type.value, "difficulty": p.difficulty, "count": p.count, "points": p.points}
        for p in parts
    ]
    db.session.flush()
    record(actor, "blueprint.save", blueprint, None, {"trade": trade.id, "parts": blueprint.parts})
    return blueprint


def is_contest_paper(blueprint_id: int) -> bool:
    """Tell whether a skills contest sets its theory paper by the blueprint."""
    query = select(Contest.id).where(Contest.theory_blueprint_id == blueprint_id)
    return db.session.scalar(query.limit(1)) is not None


def trade_blueprints(trade_ids: list[int]) -> dict[int, list[ExamBlueprint]]:
    """The active blueprints of the trades that workers may practise (no contest's paper)."""
    found: dict[int, list[ExamBlueprint]] = {trade_id: [] for trade_id in trade_ids}
    papers = select(Contest.theory_blueprint_id).where(Contest.theory_blueprint_id.is_not(None))
    query = select(ExamBlueprint).where(
        ExamBlueprint.trade_id.in_(trade_ids),
        ExamBlueprint.is_active.is_(True),
        ExamBlueprint.id.not_in(papers),
    )
    for blueprint in db.session.scalars(query.order_by(ExamBlueprint.name)):
        found[blueprint.trade_id].append(blueprint)
    return found
