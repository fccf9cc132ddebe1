"""A skills contest taken through its lifecycle by the real services, up to a chosen stage.

The demo data and the tests build their contests with it: every row is made by the services
a page would call (no shortcuts), so a contest built here is one the pages must handle.
Theory papers are sat on the training engine inside a window that has already closed (each
worker's clock is set inside it), unless the contest is to stop at its theory stage, when
the window is open now.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from competitions.contests.marking_models import Aspect, Criterion
from competitions.contests.models import StaffRole, Stage
from competitions.contests.scheme import Aspect as SchemeAspect
from competitions.contests.scheme import AspectKind, Scheme, SubCriterion
from competitions.contests.scheme import Criterion as SchemeCriterion
from competitions.contests.services.appeals import finalise, publish_results
from competitions.contests.services.contests import (
    ContestFields,
    create_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import draw_lots, reveal
from competitions.contests.services.locking import lock_criterion
from competitions.contests.services.marking import save_agreed_mark, save_judge_score
from competitions.contests.services.panels import assign_judge
from competitions.contests.services.registration import decide, enter
from competitions.contests.services.scheme_store import save_scheme
from competitions.contests.services.staff import appoint_staff
from competitions.contests.services.theory import (
    close_theory,
    open_theory,
    set_theory,
    start_theory,
)
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.grading import to_display_letters
from competitions.training.models import AttemptItem
from competitions.training.services.answering import save_response, submit_exam
from competitions.training.services.attempts import Clock
from competitions.training.services.blueprints import Part, save_blueprint
from guild.accounts.models import User
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade

ORDER = list(Stage)
LEVELS = ("未体现", "基本达到", "较好达到", "完全达到")
SCHEME = Scheme(
    (
        SchemeCriterion(
            "A",
            "电气安装",
            (
                SubCriterion(
                    "A1",
                    "线路敷设",
                    (
                        SchemeAspect("A1.1", "接线电阻符合要求", AspectKind.MEASUREMENT, "30"),
                        SchemeAspect("A1.2", "布线工艺美观", AspectKind.JUDGEMENT, "30", LEVELS),
                    ),
                ),
            ),
        ),
        SchemeCriterion(
            "B",
            "职业素养",
            (
                SubCriterion(
                    "B1",
                    "安全文明生产",
                    (
                        SchemeAspect("B1.1", "安全防护到位", AspectKind.JUDGEMENT, "20", LEVELS),
                        SchemeAspect("B1.2", "工位清理", AspectKind.MEASUREMENT, "20"),
                    ),
                ),
            ),
        ),
    )
)
PAPER = (  # 100 points from five questions: the smallest bank the tests' trade has
    Part(QuestionType.SINGLE, 0, 3, 20.0),
    Part(QuestionType.TRUE_FALSE, 0, 1, 20.0),
    Part(QuestionType.MULTIPLE, 0, 1, 20.0),
)


@dataclass
class People:
    """Who takes part: user ids (the judges need the judge role, the chief judge too)."""

    organiser: int
    chief: int
    officer: int
    judges: list[int]
    workers: list[int]


@dataclass
class Built:
    """The contest built and the ids a page or test needs."""

    contest_id: int
    entries: dict[int, int] = field(default_factory=dict)  # worker id → entry id
    aspects: dict[str, int] = field(default_factory=dict)  # aspect code → id
    criteria: dict[str, int] = field(default_factory=dict)  # criterion code → id


def actor(user_id: int) -> Actor:
    """The actor of a user, as the services record it."""
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def reached(until: Stage, stage: Stage) -> bool:
    """Tell whether building up to `until` passes through `stage`."""
    return ORDER.index(until) >= ORDER.index(stage)


def build_contest(
    people: People,
    trade_id: int,
    name: str,
    until: Stage = Stage.PRACTICAL,
    marked: bool = True,
    groups: tuple[str, ...] = ("甲组", "乙组"),
    theory_at: datetime | None = None,
) -> Built:
    """A contest of the trade taken by the services up to the stage; committed as it goes.

    The theory paper's window opens at theory_at (default three hours ago) for two hours, or
    ten minutes ago when the contest stops at its theory stage.
    """
    boss, now = actor(people.organiser), utcnow()
    fields = ContestFields(
        name,
        trade_id,
        groups=groups,
        title_name="技术能手",
        title_count=1,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=1),
    )
    contest_id = create_contest(boss, fields).id
    built = Built(contest_id)
    if until is Stage.DRAFT:
        return _committed(built)
    _prepare(people, built, trade_id)
    _register(people, built, groups)
    if not reached(until, Stage.DRAWN):
        return _committed(built)
    update_contest(
        boss,
        contest_id,
        _closed_window(fields, now),
    )
    _seat_panels(people, built)
    draw_lots(boss, contest_id, len(people.workers))
    if reached(until, Stage.THEORY):
        _theory(people, built, trade_id, theory_at or now - timedelta(hours=3), until)
    if reached(until, Stage.PRACTICAL) and (marked or reached(until, Stage.LOCKED)):
        _mark_everything(people, built)
    _after_marking(people, built, until, now)
    return _committed(built)


def _committed(built: Built) -> Built:
    db.session.commit()
    return built


def _closed_window(fields: ContestFields, now: datetime) -> ContestFields:
    from dataclasses import replace

    return replace(
        fields,
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now - timedelta(minutes=1),
    )


def _prepare(people: People, built: Built, trade_id: int) -> None:
    """The scheme, the open registration and the staff."""
    boss = actor(people.organiser)
    save_scheme(boss, built.contest_id, SCHEME)
    open_registration(boss, built.contest_id)
    appoint_staff(boss, built.contest_id, people.chief, StaffRole.CHIEF_JUDGE)
    appoint_staff(boss, built.contest_id, people.officer, StaffRole.ENCRYPTION_OFFICER)
    for judge in people.judges:
        appoint_staff(boss, built.contest_id, judge, StaffRole.JUDGE)
    rows = db.session.scalars(select(Aspect).where(Aspect.contest_id == built.contest_id))
    built.aspects = {row.code: row.id for row in rows}
    rows = db.session.scalars(select(Criterion).where(Criterion.contest_id == built.contest_id))
    built.criteria = {row.code: row.id for row in rows}
    db.session.commit()


def _register(people: People, built: Built, groups: tuple[str, ...]) -> None:
    """Each worker enters (groups in turn) and the organiser approves them."""
    from competitions.contests.services.contests import get_contest

    group_ids = [group.id for group in get_contest(built.contest_id).groups]
    for number, worker in enumerate(people.workers):
        group = group_ids[number % len(group_ids)] if group_ids else None
        entry = enter(actor(worker), built.contest_id, worker, group)
        decide(actor(people.organiser), entry.id, approve=True)
        built.entries[worker] = entry.id
    db.session.commit()


def _seat_panels(people: People, built: Built) -> None:
    """Every judge on each judgement aspect; the first judge enters the agreed marks."""
    boss = actor(people.organiser)
    for code, aspect_id in built.aspects.items():
        kind = _kind(code)
        panel = people.judges if kind is AspectKind.JUDGEMENT else people.judges[:1]
        for judge in panel:
            assign_judge(boss, built.contest_id, aspect_id, judge)


def _kind(code: str) -> AspectKind:
    for criterion in SCHEME.criteria:
        for sub in criterion.sub_criteria:
            for aspect in sub.aspects:
                if aspect.code == code:
                    return aspect.kind
    raise KeyError(code)


def _theory(people: People, built: Built, trade_id: int, opens: datetime, until: Stage) -> None:
    """Set and open the paper; unless it stays open, each worker sits it and it is closed."""
    boss = actor(people.organiser)
    trade = db.session.get(Trade, trade_id)
    blueprint = save_blueprint(
        Actor(None), None, trade, f"竞赛理论卷 {built.contest_id}", 30, PAPER
    )
    open_now = until is Stage.THEORY
    if open_now:
        opens = utcnow() - timedelta(minutes=10)
    set_theory(boss, built.contest_id, blueprint.id, opens, opens + timedelta(hours=2))
    open_theory(boss, built.contest_id)
    db.session.commit()
    if open_now:
        return
    for number, worker in enumerate(people.workers):
        _sit(
            worker,
            built.contest_id,
            opens + timedelta(minutes=5),
            right=len(people.workers) - number,
        )
    close_theory(boss, built.contest_id)
    db.session.commit()


def _sit(worker: int, contest_id: int, started: datetime, right: int) -> None:
    """The worker sits the paper, answering the first `right` questions rightly, and submits."""
    clock = Clock(started, started.date())
    paper = start_theory(worker, contest_id, clock)
    items = db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == paper.id).order_by(AttemptItem.position)
    ).all()
    for item in items[:right]:
        version = db.session.get(QuestionVersion, item.version_id)
        shown = [version.answer[0]]
        if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            shown = to_display_letters(item.option_order, version.answer)
        save_response(worker, paper.id, item.position, item.question_id, shown, clock)
    finished = Clock(started + timedelta(minutes=20 + right), started.date())
    submit_exam(worker, paper.id, finished)
    db.session.commit()


def _mark_everything(people: People, built: Built) -> None:
    """Every mark of every entrant, from the panel's judges; spreads stay within 1."""
    for number, worker in enumerate(people.workers):
        entry = built.entries[worker]
        for code, aspect_id in built.aspects.items():
            if _kind(code) is AspectKind.MEASUREMENT:
                top = 30 if code == "A1.1" else 20
                mark = top - number % 7
                save_agreed_mark(
                    actor(people.judges[0]), built.contest_id, entry, aspect_id, mark, None
                )
                continue
            for seat, judge in enumerate(people.judges):
                # The last judge marks every third entrant a point down: a severe judge for
                # the analytics to show, and never more than 1 apart from the panel.
                score = 3 - number % 2 - (seat == len(people.judges) - 1 and number % 3 == 0)
                save_judge_score(actor(judge), built.contest_id, entry, aspect_id, score, None)
    db.session.commit()


def _after_marking(people: People, built: Built, until: Stage, now: datetime) -> None:
    """Lock, reveal, publish and finalise as far as asked."""
    if reached(until, Stage.LOCKED):
        for criterion_id in built.criteria.values():
            lock_criterion(actor(people.chief), built.contest_id, criterion_id)
    if reached(until, Stage.REVEALED):
        reveal(actor(people.officer), built.contest_id)
    if reached(until, Stage.PUBLICITY):
        # Published long enough ago for the window to have closed when the contest is final.
        published = now - timedelta(days=40) if reached(until, Stage.FINAL) else now
        publish_results(actor(people.organiser), built.contest_id, now=published)
    if reached(until, Stage.FINAL):
        finalise(actor(people.organiser), built.contest_id)
