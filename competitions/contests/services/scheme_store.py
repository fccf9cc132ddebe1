"""A contest's marking scheme in the database: save (replace) it, load it, and .xlsx in and out.

A save replaces the contest's criteria, sub-criteria and aspects as a whole. It is refused
once any mark exists for the contest or once the practical has begun: marks and panels hang
on the aspects. Judges already on an aspect's panel stay on it when the new scheme keeps
the aspect's code. Texts are stored trimmed, and a measurement aspect keeps no descriptors,
so a scheme loaded back equals the one saved whenever it came trimmed (as from .xlsx).
"""

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from competitions.contests.marking_models import (
    AgreedMark,
    Aspect,
    Criterion,
    JudgeScore,
    PanelJudge,
    SubCriterion,
)
from competitions.contests.models import Contest, Stage
from competitions.contests.scheme import Aspect as SchemeAspect
from competitions.contests.scheme import AspectKind, Problem, Scheme, format_mark, validate
from competitions.contests.scheme import Criterion as SchemeCriterion
from competitions.contests.scheme import SubCriterion as SchemeSubCriterion
from competitions.contests.scheme_xlsx import read_scheme
from competitions.contests.scheme_xlsx_write import write_scheme
from competitions.contests.services.contests import get_contest, require_organiser
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.transactions import begin_writing

STAGES = list(Stage)  # in lifecycle order
FIXED_FROM = Stage.PRACTICAL  # the scheme cannot change from this stage on

label_actions(
    {
        "contest.scheme_save": _l("Marking scheme saved"),
        "contest.scheme_import": _l("Marking scheme imported"),
    }
)


class SchemeRejected(DomainError):
    """A scheme that cannot be saved, with every problem found; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem_text(problem) for problem in problems), "scheme")
        self.problems = problems


def problem_text(problem: Problem) -> str:
    """A problem as a line for the user: "Row 7: …", or its message alone for the whole file."""
    if problem.where:
        return str(_l("Row %(row)d: %(message)s", row=problem.where, message=problem.message))
    return problem.message


def save_scheme(actor: Actor, contest_id: int, scheme: Scheme) -> None:
    """Replace a contest's marking scheme with a valid one (organisers, before any mark)."""
    begin_writing()
    contest = _changeable_contest(actor, contest_id)
    problems = validate(scheme)
    if problems:
        raise SchemeRejected(problems)
    _replace(actor, contest, scheme, "contest.scheme_save")


def import_scheme_xlsx(actor: Actor, contest_id: int, content: bytes) -> Scheme:
    """Replace a contest's scheme with an .xlsx file's; any problem and nothing is changed."""
    begin_writing()
    contest = _changeable_contest(actor, contest_id)
    scheme, problems = read_scheme(content)  # validated as it is read
    if scheme is None:
        raise SchemeRejected(problems)
    _replace(actor, contest, scheme, "contest.scheme_import")
    return scheme


def export_scheme_xlsx(contest_id: int) -> bytes:
    """The contest's scheme as an .xlsx file in the import template's layout."""
    return write_scheme(load_scheme(contest_id))


def load_scheme(contest_id: int) -> Scheme:
    """The contest's scheme from its rows, in position order (no criteria when none saved)."""
    get_contest(contest_id)
    aspects: dict[int, list[SchemeAspect]] = defaultdict(list)
    for row in _rows(Aspect, contest_id):
        aspects[row.sub_criterion_id].append(_scheme_aspect(row))
    subs: dict[int, list[SchemeSubCriterion]] = defaultdict(list)
    for row in _rows(SubCriterion, contest_id):
        sub = SchemeSubCriterion(row.code, row.name, tuple(aspects[row.id]))
        subs[row.criterion_id].append(sub)
    criteria = [
        SchemeCriterion(row.code, row.name, tuple(subs[row.id]))
        for row in _rows(Criterion, contest_id)
    ]
    return Scheme(tuple(criteria))


def _rows(model, contest_id: int) -> list:
    """A contest's rows of one scheme table, in position order."""
    query = db.select(model).where(model.contest_id == contest_id)
    return list(db.session.scalars(query.order_by(model.position, model.id)))


def _scheme_aspect(row: Aspect) -> SchemeAspect:
    """The scheme's aspect of a stored one."""
    return SchemeAspect(
        code=row.code,
        description=row.description,
        kind=row.kind,
        max_mark=row.max_mark,
        descriptors=tuple(row.descriptors or ()),
        requirement=row.requirement,
    )


def _changeable_contest(actor: Actor, contest_id: int) -> Contest:
    """The contest, locked, when the actor is an organiser and its scheme may still change."""
    require_organiser(actor)
    contest = get_contest(contest_id, lock=True)
    if STAGES.index(contest.stage) >= STAGES.index(FIXED_FROM):
        message = _l("The marking scheme cannot change once the practical has begun.")
        raise DomainError(message, "scheme")
    if has_marks(contest_id):
        message = _l("The marking scheme cannot change once marks have been entered.")
        raise DomainError(message, "scheme")
    return contest


def has_marks(contest_id: int) -> bool:
    """Whether any judge's score or agreed mark exists for the contest."""
    for model in (JudgeScore, AgreedMark):
        query = db.select(model.id).where(model.contest_id == contest_id).limit(1)
        if db.session.scalar(query) is not None:
            return True
    return False


def _replace(actor: Actor, contest: Contest, scheme: Scheme, action: str) -> None:
    """Swap the stored scheme for a valid one, keep panels by aspect code, and audit it."""
    old = load_scheme(contest.id)
    panels = _panels_by_code(contest.id)
    for model in (PanelJudge, Aspect, SubCriterion, Criterion):  # children first
        db.session.execute(db.delete(model).where(model.contest_id == contest.id))
    new_ids = _insert(contest.id, scheme)
    kept = [
        PanelJudge(aspect_id=new_ids[code], user_id=user_id, contest_id=contest.id)
        for code, user_ids in panels.items()
        if code in new_ids
        for user_id in user_ids
    ]
    db.session.add_all(kept)
    db.session.flush()
    after = _summary(scheme) | {"panel_judges_kept": len(kept)}
    record(actor, action, contest, _summary(old) if old.criteria else None, after)


def _panels_by_code(contest_id: int) -> dict[str, list[int]]:
    """The judges on each aspect's panel, by aspect code."""
    query = (
        db.select(Aspect.code, PanelJudge.user_id)
        .join(PanelJudge, PanelJudge.aspect_id == Aspect.id)
        .where(Aspect.contest_id == contest_id)
        .order_by(Aspect.code, PanelJudge.user_id)
    )
    panels: dict[str, list[int]] = defaultdict(list)
    for code, user_id in db.session.execute(query):
        panels[code].append(user_id)
    return panels


def _insert(contest_id: int, scheme: Scheme) -> dict[str, int]:
    """Add the scheme's rows level by level; the new aspects' ids by code."""
    criteria = [
        (item, Criterion(contest_id=contest_id, code=item.code, name=item.name.strip(), position=i))
        for i, item in enumerate(scheme.criteria)
    ]
    db.session.add_all(row for _, row in criteria)
    db.session.flush()
    subs = [
        (sub, _sub_row(contest_id, row.id, sub, position))
        for item, row in criteria
        for position, sub in enumerate(item.sub_criteria)
    ]
    db.session.add_all(row for _, row in subs)
    db.session.flush()
    aspects = [
        _aspect_row(contest_id, row, aspect, position)
        for sub, row in subs
        for position, aspect in enumerate(sub.aspects)
    ]
    db.session.add_all(aspects)
    db.session.flush()
    return {row.code: row.id for row in aspects}


def _sub_row(contest_id: int, criterion_id: int, sub: SchemeSubCriterion, position: int):
    """The row of a sub-criterion."""
    return SubCriterion(
        contest_id=contest_id,
        criterion_id=criterion_id,
        code=sub.code,
        name=sub.name.strip(),
        position=position,
    )


def _aspect_row(contest_id: int, sub: SubCriterion, aspect: SchemeAspect, position: int) -> Aspect:
    """The row of an aspect, its texts trimmed; no descriptors for a measurement."""
    judged = aspect.kind is AspectKind.JUDGEMENT
    return Aspect(
        contest_id=contest_id,
        criterion_id=sub.criterion_id,
        sub_criterion_id=sub.id,
        code=aspect.code,
        description=aspect.description.strip(),
        kind=aspect.kind,
        max_mark=aspect.max_mark,
        requirement=aspect.requirement.strip(),
        descriptors=[text.strip() for text in aspect.descriptors] if judged else [],
        position=position,
    )


def _summary(scheme: Scheme) -> dict:
    """What the audit log keeps of a scheme: each criterion's marks and the aspect count."""
    marks = {item.code: format_mark(item.max_mark) for item in scheme.criteria}
    return {"criteria": marks, "aspects": sum(1 for _ in scheme.aspects())}
