"""Activity reports: what a studio, or an alliance's studios, did in a period.

Counted per period (both days inclusive, local days of the platform's time zone):
- patents by filing date (`filed_on`), also by type;
- achievements (results) by `achieved_on`, with their economic benefit (fen, shown in yuan);
- courseware: items created in the period (`created_at`); the versions uploaded in the period
  (first uploads and new versions alike) are counted apart as "uploads";
- challenge claims (made in the period, not withdrawn) and deliveries (accepted as passed in
  the period) from the challenge board (`challenge_counts`);
- events held: not cancelled, started in the period (and by now); an alliance's report adds
  the events the alliance (or, for the provincial one, its sub-alliances) held itself.
Each kind is one grouped query over the studios' rows; item lists are limited on pages.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import func, select

from guild.extensions import db
from guild.timeutil import utcnow
from studios.activity_models import Event
from studios.models import Alliance, Studio
from studios.publication_models import (
    Achievement,
    Courseware,
    CoursewareVersion,
    Patent,
    PatentType,
)
from studios.services.challenge_counts import challenge_counts
from studios.services.periods import Period

LIST_LIMIT = 100  # items of each kind listed on a page (the .xlsx has them all)


@dataclass
class Counts:
    """One studio's (or a total's) figures for the period."""

    studio_id: int | None
    name: str
    patents: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PatentType, 0))
    achievements: int = 0
    benefit_fen: int = 0
    courseware: int = 0
    uploads: int = 0
    claims: int = 0
    delivered: int = 0
    events: int = 0

    def add(self, other: "Counts") -> None:
        """Add another studio's figures to these."""
        for name in ("patents", "achievements", "benefit_fen", "courseware", "uploads"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("claims", "delivered", "events"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.by_type.items():
            self.by_type[kind] += count


@dataclass
class ActivityReport:
    """A period's figures per studio and in total, and the items behind them."""

    period: Period
    studios: list[Counts]
    total: Counts
    patents: list = field(default_factory=list)
    achievements: list = field(default_factory=list)
    courseware: list = field(default_factory=list)
    events: list = field(default_factory=list)
    alliance_events: int = 0  # held by the alliance itself, included in total.events


def _grouped(query, studio_ids: list[int]) -> list:
    return db.session.execute(query).all() if studio_ids else []


def _count_rows(counts: dict[int, Counts], studio_ids: list[int], period: Period) -> None:
    start, until = period.utc_bounds()
    patents = select(Patent.studio_id, Patent.patent_type, func.count()).where(
        Patent.studio_id.in_(studio_ids), Patent.filed_on.between(period.start, period.end)
    )
    for studio_id, kind, number in _grouped(
        patents.group_by(Patent.studio_id, Patent.patent_type), studio_ids
    ):
        counts[studio_id].patents += number
        counts[studio_id].by_type[PatentType(kind)] += number
    results = select(
        Achievement.studio_id, func.count(), func.coalesce(func.sum(Achievement.benefit_fen), 0)
    )
    results = results.where(
        Achievement.studio_id.in_(studio_ids),
        Achievement.achieved_on.between(period.start, period.end),
    )
    for studio_id, number, fen in _grouped(results.group_by(Achievement.studio_id), studio_ids):
        counts[studio_id].achievements, counts[studio_id].benefit_fen = number, int(fen)
    items = select(Courseware.studio_id, func.count()).where(
        Courseware.studio_id.in_(studio_ids),
        Courseware.created_at >= start,
        Courseware.created_at < until,
    )
    for studio_id, number in _grouped(items.group_by(Courseware.studio_id), studio_ids):
        counts[studio_id].courseware = number
    uploads = (
        select(Courseware.studio_id, func.count())
        .join(CoursewareVersion, CoursewareVersion.courseware_id == Courseware.id)
        .where(
            Courseware.studio_id.in_(studio_ids),
            CoursewareVersion.uploaded_at >= start,
            CoursewareVersion.uploaded_at < until,
        )
    )
    for studio_id, number in _grouped(uploads.group_by(Courseware.studio_id), studio_ids):
        counts[studio_id].uploads = number
    events = select(Event.studio_id, func.count()).where(
        Event.studio_id.in_(studio_ids), *_held(period)
    )
    for studio_id, number in _grouped(events.group_by(Event.studio_id), studio_ids):
        counts[studio_id].events = number
    for studio_id, found in challenge_counts(studio_ids, period.start, period.end).items():
        counts[studio_id].claims, counts[studio_id].delivered = found["claims"], found["delivered"]


def _held(period: Period) -> tuple:
    """Conditions on an event held in the period: not cancelled, started in it (by now)."""
    start, until = period.utc_bounds()
    until = min(until, utcnow())  # an event still to come has not been held
    return Event.cancelled_at.is_(None), Event.starts_at >= start, Event.starts_at < until


def activity_report(
    studio_ids: list[int],
    period: Period,
    alliance_ids: list[int] = (),
    limit: int | None = LIST_LIMIT,
) -> ActivityReport:
    """The figures of the studios (and the alliances' own events) for the period.

    `limit` caps each kind's item list (newest first); None lists everything.
    """
    names = (
        dict(
            db.session.execute(
                select(Studio.id, Studio.name).where(Studio.id.in_(studio_ids))
            ).all()
        )
        if studio_ids
        else {}
    )
    counts = {studio_id: Counts(studio_id, names.get(studio_id, "")) for studio_id in studio_ids}
    _count_rows(counts, list(counts), period)
    total = Counts(None, pgettext("sum of a column", "Total"))
    for row in counts.values():
        total.add(row)
    report = ActivityReport(
        period, sorted(counts.values(), key=lambda c: (c.name, c.studio_id)), total
    )
    if alliance_ids:
        query = (
            select(func.count())
            .select_from(Event)
            .where(Event.alliance_id.in_(alliance_ids), *_held(period))
        )
        report.alliance_events = db.session.scalar(query) or 0
        total.events += report.alliance_events
    _list_items(report, list(counts), list(alliance_ids), limit)
    return report


def _patent_items(period, studio_ids: list[int]):
    return (
        select(
            Studio.name,
            Patent.title,
            Patent.application_number,
            Patent.patent_type,
            Patent.filed_on,
            Patent.status,
        )
        .join(Studio, Studio.id == Patent.studio_id)
        .where(Patent.studio_id.in_(studio_ids), Patent.filed_on.between(period.start, period.end))
        .order_by(Patent.filed_on.desc(), Patent.id.desc())
    )


def _result_items(period, studio_ids: list[int]):
    return (
        select(
            Studio.name,
            Achievement.title,
            Achievement.category,
            Achievement.achieved_on,
            Achievement.benefit_fen,
        )
        .join(Studio, Studio.id == Achievement.studio_id)
        .where(
            Achievement.studio_id.in_(studio_ids),
            Achievement.achieved_on.between(period.start, period.end),
        )
        .order_by(Achievement.achieved_on.desc(), Achievement.id.desc())
    )


def _courseware_items(period, studio_ids: list[int]):
    start, until = period.utc_bounds()
    return (
        select(
            Studio.name,
            Courseware.title,
            Courseware.kind,
            Courseware.created_at,
            Courseware.version_count,
        )
        .join(Studio, Studio.id == Courseware.studio_id)
        .where(
            Courseware.studio_id.in_(studio_ids),
            Courseware.created_at >= start,
            Courseware.created_at < until,
        )
        .order_by(Courseware.created_at.desc(), Courseware.id.desc())
    )


def _event_items(period, studio_ids: list[int], alliance_ids: list[int]):
    holder = func.coalesce(Studio.name, Alliance.name)
    held_by = (
        Event.studio_id.in_(studio_ids) | Event.alliance_id.in_(alliance_ids)
        if alliance_ids
        else Event.studio_id.in_(studio_ids)
    )
    return (
        select(holder, Event.title, Event.starts_at, Event.place, Event.confirmed_count)
        .outerjoin(Studio, Studio.id == Event.studio_id)
        .outerjoin(Alliance, Alliance.id == Event.alliance_id)
        .where(held_by, *_held(period))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )


def _list_items(
    report: ActivityReport, studio_ids: list[int], alliance_ids: list[int], limit: int | None
) -> None:
    """The report's items of each kind, newest first (at most `limit` of each, if given)."""
    period = report.period
    for name, query in (
        ("patents", _patent_items(period, studio_ids)),
        ("achievements", _result_items(period, studio_ids)),
        ("courseware", _courseware_items(period, studio_ids)),
        ("events", _event_items(period, studio_ids, alliance_ids)),
    ):
        if limit is not None:
            query = query.limit(limit)
        setattr(report, name, db.session.execute(query).all() if studio_ids or alliance_ids else [])


def activity_sentence(counts: Counts) -> str:
    """ "2 patents, 2 results, 3 courseware, 4 claims, 6 events" in the user's language."""
    return _(
        "%(patents)s, %(results)s, %(courseware)s, %(claims)s, %(events)s",
        patents=ngettext("%(num)d patent", "%(num)d patents", counts.patents),
        results=ngettext("%(num)d result", "%(num)d results", counts.achievements),
        courseware=ngettext("%(num)d courseware", "%(num)d courseware", counts.courseware),
        claims=ngettext("%(num)d claim", "%(num)d claims", counts.claims),
        events=ngettext("%(num)d event", "%(num)d events", counts.events),
    )
