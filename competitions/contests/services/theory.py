"""A contest's theory paper: set, opened, sat online inside its window, and closed.

The paper is a training exam (one engine, not two): start_attempt composes it from the
trade's bank by the contest's blueprint, outside any campaign, so it never feeds campaign
standings or tallies; answers and submission go through the training engine's save_response
and submit_exam, and its deadline is the blueprint's time limit capped by the window's close.

Individual contests link the paper to the entry (Entry.theory_attempt_id). In a team
contest every member sits a paper of their own and the team's theory score is the mean of
the members' scores, a member who sat none counting 0. A team's papers are found, without a
column of their own, as each member's earliest exam by the contest's blueprint outside any
campaign started inside the window (see `_team_papers`).

Starting twice returns the same paper: the entry's row is locked before its papers are read,
so two starts at once queue and the second finds the first's paper. Starts hold the contest's
row in share mode, so closing the theory stage waits for them and no paper starts after it.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from competitions.contests.models import Contest, Entry, EntryMember, EntryStatus, Stage
from competitions.contests.services.contests import (
    advance,
    get_contest,
    require_organiser,
    require_stage,
)
from competitions.contests.services.panels import is_id
from competitions.training.models import Attempt, ExamBlueprint, Mode
from competitions.training.services.answering import SUBMIT_GRACE, close_if_expired
from competitions.training.services.attempts import Clock, start_attempt
from guild.accounts.models import User
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import local_day, naive_utc, utcnow
from guild.trades.models import Trade
from guild.transactions import begin_writing

THEORY_TOP = 100.0  # a theory score is out of 100
SCORE_DECIMALS = 6  # float noise in summed points must not lift a full paper past 100
BEFORE_THEORY = (Stage.DRAFT, Stage.REGISTRATION, Stage.DRAWN)
NOT_OPEN = _l("The theory paper is not open now.")
NOT_ENTRANT = _l("Only approved entrants of this contest sit its theory paper.")

label_actions(
    {
        "contest.theory_set": _l("Contest theory paper set"),
        "contest.theory_close": _l("Contest theory papers closed"),
    }
)


@dataclass(frozen=True)
class TheoryResult:
    """An entry's theory score out of 100 and the seconds its paper took (None: not sat)."""

    score: float
    seconds: float | None


def now_clock() -> Clock:
    """Now, and today in the union's time zone."""
    now = utcnow()
    return Clock(now, local_day(now, current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _stored_time(moment: object, field: str) -> datetime:
    if not isinstance(moment, datetime):
        raise DomainError(_l("Set when the theory paper opens and when it closes."), field)
    return naive_utc(moment)


def _blueprint(contest: Contest, blueprint_id: int | None) -> ExamBlueprint:
    """The contest trade's active blueprint of that id; refused otherwise."""
    known = is_id(blueprint_id)
    blueprint = db.session.get(ExamBlueprint, blueprint_id) if known else None
    if blueprint is None or blueprint.trade_id != contest.trade_id or not blueprint.is_active:
        message = _l("Choose an active exam blueprint of the contest's trade.")
        raise DomainError(message, "theory_blueprint_id")
    return blueprint


def _theory_snapshot(contest: Contest) -> dict:
    opens, closes = contest.theory_opens_at, contest.theory_closes_at
    return {
        "theory_blueprint_id": contest.theory_blueprint_id,
        "theory_opens_at": opens.isoformat(sep=" ") if opens else None,
        "theory_closes_at": closes.isoformat(sep=" ") if closes else None,
    }


def set_theory(
    actor: Actor, contest_id: int, blueprint_id: int, opens_at: datetime, closes_at: datetime
) -> Contest:
    """Set the paper's blueprint and window (naive UTC), until the theory stage begins."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    message = _l("The theory paper cannot change once the theory stage has begun.")
    require_stage(contest, BEFORE_THEORY, message)
    blueprint = _blueprint(contest, blueprint_id)
    opens = _stored_time(opens_at, "theory_opens_at")
    closes = _stored_time(closes_at, "theory_closes_at")
    if closes <= opens:
        raise DomainError(_l("The theory paper must close after it opens."), "theory_closes_at")
    before = _theory_snapshot(contest)
    contest.theory_blueprint_id = blueprint.id
    contest.theory_opens_at, contest.theory_closes_at = opens, closes
    db.session.flush()
    record(actor, "contest.theory_set", contest, before, _theory_snapshot(contest))
    return contest


def open_theory(actor: Actor, contest_id: int) -> Contest:
    """Move a drawn contest to its theory stage; it needs its paper set."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, Stage.DRAWN)
    if contest.theory_opens_at is None or contest.theory_closes_at is None:
        raise DomainError(_l("Set the theory paper first."), "theory_blueprint_id")
    _blueprint(contest, contest.theory_blueprint_id)  # still active, still the trade's
    advance(contest, Stage.DRAWN, Stage.THEORY, actor)
    return contest


def close_theory(actor: Actor, contest_id: int, clock: Clock | None = None) -> Contest:
    """Move to the practical stage once the window has closed, grading every open paper.

    Each paper still open is graded as its deadline would have done (close_if_expired), at
    that deadline; the window counts as closed once the auto-submit grace has passed too.
    """
    require_organiser(actor)
    begin_writing()
    clock = clock or now_clock()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, Stage.THEORY)
    if clock.now <= contest.theory_closes_at + SUBMIT_GRACE:
        raise DomainError(_l("The theory paper's window has not closed yet."), "stage")
    graded = 0
    for papers in theory_papers(contest).values():
        for attempt in papers:
            graded += close_if_expired(attempt, clock)
    advance(contest, Stage.THEORY, Stage.PRACTICAL, actor)
    record(actor, "contest.theory_close", contest, None, {"graded": graded})
    return contest


def _shared_contest(contest_id: int) -> Contest:
    """The contest, its row held in share mode (PostgreSQL) so it cannot close meanwhile."""
    query = select(Contest).where(Contest.id == contest_id).with_for_update(read=True)
    contest = db.session.scalar(query.execution_options(populate_existing=True))
    if contest is None:
        raise DomainError(_l("There is no such contest."), "contest_id")
    return contest


def _own_entry(contest: Contest, user_id: int) -> Entry:
    """The user's approved, drawn entry in the contest, its row locked; refused otherwise."""
    query = select(EntryMember.entry_id).where(
        EntryMember.contest_id == contest.id, EntryMember.user_id == user_id
    )
    entry_id = db.session.scalar(query)
    entry = None
    if entry_id is not None:
        entry = db.session.get(Entry, entry_id, with_for_update=True, populate_existing=True)
    if entry is None or entry.status is not EntryStatus.APPROVED or entry.code is None:
        raise DomainError(NOT_ENTRANT, "contest_id")
    return entry


def start_theory(user_id: int, contest_id: int, clock: Clock) -> Attempt:
    """Start the entrant's paper inside the window; a paper already started is returned."""
    begin_writing()
    contest = _shared_contest(contest_id)
    require_stage(contest, Stage.THEORY, NOT_OPEN)
    if not contest.theory_opens_at <= clock.now < contest.theory_closes_at:
        raise DomainError(NOT_OPEN, "contest_id")
    entry = _own_entry(contest, user_id)
    existing = _existing_paper(contest, entry, user_id)
    if existing is not None:
        return existing
    attempt = start_attempt(
        db.session.get(User, user_id),
        db.session.get(Trade, contest.trade_id),
        Mode.EXAM,
        clock,
        blueprint=_blueprint(contest, contest.theory_blueprint_id),
        campaign_free=True,
        deadline_cap=contest.theory_closes_at,
    )
    if not contest.is_team:
        entry.theory_attempt_id = attempt.id
        db.session.flush()
    return attempt


def _existing_paper(contest: Contest, entry: Entry, user_id: int) -> Attempt | None:
    if not contest.is_team:
        attempt_id = entry.theory_attempt_id
        return db.session.get(Attempt, attempt_id) if attempt_id else None
    return _team_papers(contest, [entry.id], user_id).get((entry.id, user_id))


def _team_papers(
    contest: Contest, entry_ids: list[int], user_id: int | None = None
) -> dict[tuple[int, int], Attempt]:
    """Each team member's paper by (entry, user): their earliest exam by the contest's
    blueprint, outside any campaign, started inside the window and due by its close.

    A contest's blueprint is never a mock exam (training refuses to start one by it), so the
    only exams by it are contest papers.
    """
    query = (
        select(EntryMember.entry_id, Attempt)
        .join(Attempt, Attempt.user_id == EntryMember.user_id)
        .where(
            EntryMember.contest_id == contest.id,
            EntryMember.entry_id.in_(entry_ids),
            Attempt.mode == Mode.EXAM,
            Attempt.trade_id == contest.trade_id,
            Attempt.blueprint_id == contest.theory_blueprint_id,
            Attempt.campaign_id.is_(None),
            Attempt.started_at >= contest.theory_opens_at,
            Attempt.started_at < contest.theory_closes_at,
            Attempt.deadline_at <= contest.theory_closes_at,
        )
        .order_by(Attempt.started_at, Attempt.id)
    )
    if user_id is not None:
        query = query.where(EntryMember.user_id == user_id)
    papers: dict[tuple[int, int], Attempt] = {}
    for entry_id, attempt in db.session.execute(query):
        papers.setdefault((entry_id, attempt.user_id), attempt)
    return papers


def _approved(contest: Contest) -> list[Entry]:
    query = select(Entry).where(
        Entry.contest_id == contest.id,
        Entry.status == EntryStatus.APPROVED,
        Entry.code.is_not(None),
    )
    return list(db.session.scalars(query.order_by(Entry.id)))


def theory_papers(contest: Contest) -> dict[int, list[Attempt]]:
    """The papers of every approved, drawn entry, by entry id (none: an empty list)."""
    entries = _approved(contest)
    papers: dict[int, list[Attempt]] = {entry.id: [] for entry in entries}
    if contest.theory_blueprint_id is None or not entries:
        return papers
    if contest.is_team:
        found = _team_papers(contest, list(papers))
        for (entry_id, _), attempt in sorted(found.items()):
            papers[entry_id].append(attempt)
        return papers
    linked = {entry.theory_attempt_id: entry.id for entry in entries if entry.theory_attempt_id}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.id.in_(list(linked)))):
        papers[linked[attempt.id]].append(attempt)
    return papers


def theory_score(attempt: Attempt) -> float:
    """The paper's score out of 100: points earned over the paper's full marks × 100.

    Full marks are the blueprint parts' count × points as the paper was drawn from them
    (Attempt.max_score), so a blueprint edited later does not rescale papers already sat.
    A paper not yet submitted (or timed out) has earned nothing yet.
    """
    if attempt.max_score <= 0:
        return 0.0
    return min(THEORY_TOP, round(THEORY_TOP * attempt.score / attempt.max_score, SCORE_DECIMALS))


def theory_seconds(attempt: Attempt) -> int | None:
    """Seconds from start to submission (at most to the deadline); None until submitted."""
    return attempt.seconds_taken if attempt.is_finished else None


def entry_theory(contest_id: int) -> dict[int, TheoryResult]:
    """Each approved, drawn entry's theory result, by entry id.

    An individual's is their paper's; a team's score is the mean over its members, a member
    with no paper counting 0, and its seconds the mean over the papers submitted.
    """
    contest = get_contest(contest_id)
    results: dict[int, TheoryResult] = {}
    members = _member_counts(contest.id)
    for entry_id, papers in theory_papers(contest).items():
        sitters = max(members.get(entry_id, 1), 1) if contest.is_team else 1
        score = sum(theory_score(paper) for paper in papers) / sitters
        times = [theory_seconds(paper) for paper in papers if paper.is_finished]
        seconds = sum(times) / len(times) if times else None
        results[entry_id] = TheoryResult(round(score, SCORE_DECIMALS), seconds)
    return results


def _member_counts(contest_id: int) -> dict[int, int]:
    query = (
        select(EntryMember.entry_id, func.count())
        .where(EntryMember.contest_id == contest_id)
        .group_by(EntryMember.entry_id)
    )
    return {entry_id: count for entry_id, count in db.session.execute(query)}
