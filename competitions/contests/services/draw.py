"""The lot drawing of a contest: entry codes and stations, who sees them, and the reveal.

Lots are drawn once, after registration has closed, for the approved entries only; the
pure draw is competitions.contests.lots. The seed and the code-to-name mapping are secret
until reveal: only the contest's encryption officer sees the mapping before it, organisers
too after it, and the audit row of the draw keeps the fingerprint (a commitment to the
seed, the entries and the stations), never the seed or the lots. Judges see codes only.
The contest keeps the seed, the fingerprint and the station labels (the draw depends on all
of them when there are more stations than entries), so verify_draw can re-run it.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from competitions.contests.lots import (
    ALGORITHM,
    DrawRecord,
    Lot,
    draw,
    fingerprint,
    new_seed,
    record_draw,
    verify,
)
from competitions.contests.models import (
    Contest,
    ContestStaff,
    Entry,
    EntryMember,
    EntryStatus,
    StaffRole,
    Stage,
)
from competitions.contests.services.contests import (
    advance,
    get_contest,
    is_organiser,
    require_stage,
)
from guild.accounts.models import Enterprise, User
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing

DRAW_ACTION = "contest.lots_draw"
MAX_STATIONS = 10_000
MAX_LABEL = 12  # Entry.station's length

NO_CONTEST = _l("There is no such contest.")  # get_contest's words: a refusal looks alike

label_actions(
    {DRAW_ACTION: _l("Lots drawn"), "contest.reveal": _l("Entry codes revealed to names")}
)


@dataclass(frozen=True)
class MappedLot:
    """Who stands behind an entry code: for the encryption officer, then organisers."""

    entry_id: int
    names: tuple[str, ...]  # the members' real names, the captain first
    team_name: str
    enterprise: str
    code: str
    station: str


def draw_lots(actor: Actor, contest_id: int, stations: int | Sequence[str]) -> DrawRecord:
    """Draw every approved entry's code and station once registration has closed.

    stations is a count (labels "01".."NN") or the labels. The record returned holds the
    seed: show only its fingerprint and count.
    """
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    if not (is_organiser(actor) or _is_officer(actor, contest.id)):
        raise DomainError(_l("Only organisers or the encryption officer may draw lots."))
    _check_ready(contest)
    entries = _approved_entries(contest.id)
    labels = _station_labels(stations, len(entries))
    ids = [entry.id for entry in entries]
    seed = new_seed()
    by_id = {entry.id: entry for entry in entries}
    for lot in draw(ids, labels, seed):
        by_id[lot.entry_id].code, by_id[lot.entry_id].station = lot.code, lot.station
    drawn = record_draw(ids, labels, seed)
    contest.lot_seed, contest.lot_fingerprint = seed, drawn.fingerprint
    contest.lot_stations = labels
    contest.lots_drawn_at = drawn.drawn_at
    advance(contest, Stage.REGISTRATION, Stage.DRAWN, actor)
    after = {
        "algorithm": ALGORITHM,
        "fingerprint": drawn.fingerprint,
        "entry_count": drawn.entry_count,
        "stations": labels,
        "drawn_at": drawn.drawn_at.isoformat(),
    }
    record(actor, DRAW_ACTION, contest, None, after)
    return drawn


def _check_ready(contest: Contest) -> None:
    """Refuse a draw outside registration, before it closes, or a second one."""
    if contest.lot_seed is not None:
        raise DomainError(_l("Lots have already been drawn for this contest."))
    require_stage(contest, Stage.REGISTRATION, _l("Lots are drawn at the end of registration."))
    closes = contest.registration_closes_at
    if closes is not None and utcnow() < closes:
        raise DomainError(_l("Lots are drawn once registration has closed."))


def _approved_entries(contest_id: int) -> list[Entry]:
    """The contest's approved entries, by id; refused when there are none."""
    query = (
        db.select(Entry)
        .where(Entry.contest_id == contest_id, Entry.status == EntryStatus.APPROVED)
        .order_by(Entry.id)
    )
    entries = list(db.session.scalars(query))
    if not entries:
        raise DomainError(_l("There are no approved entries to draw lots for."))
    return entries


def _station_labels(stations: int | Sequence[str], entries: int) -> list[str]:
    """The labels of the stations (trimmed), checked: enough of them, each one distinct."""
    if isinstance(stations, int) and not isinstance(stations, bool):
        if not 0 <= stations <= MAX_STATIONS:
            message = _l("A contest has at most %(max)d stations.", max=MAX_STATIONS)
            raise DomainError(message, "stations")
        width = max(2, len(str(stations)))
        labels = [f"{number:0{width}d}" for number in range(1, stations + 1)]
    elif isinstance(stations, Sequence) and not isinstance(stations, str):
        labels = _given_labels(stations)
    else:
        raise DomainError(_l("Give the number of stations or their labels."), "stations")
    if len(labels) < entries:
        message = _l(
            "There are %(stations)d stations for %(entries)d approved entries.",
            stations=len(labels),
            entries=entries,
        )
        raise DomainError(message, "stations")
    return sorted(labels)


def _given_labels(stations: Sequence[str]) -> list[str]:
    """Station labels as given, trimmed: none empty, none too long, none twice."""
    if len(stations) > MAX_STATIONS:
        message = _l("A contest has at most %(max)d stations.", max=MAX_STATIONS)
        raise DomainError(message, "stations")
    labels = [str(label).strip() for label in stations]
    if any(not label for label in labels):
        raise DomainError(_l("Every station needs a label."), "stations")
    too_long = next((label for label in labels if len(label) > MAX_LABEL), None)
    if too_long is not None:
        message = _l(
            "Station “%(label)s” is longer than %(max)d characters.", label=too_long, max=MAX_LABEL
        )
        raise DomainError(message, "stations")
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise DomainError(_l("Station “%(label)s” is listed twice.", label=label), "stations")
        seen.add(label)
    return labels


def lot_mapping(actor: Actor, contest_id: int) -> list[MappedLot]:
    """Each drawn entry's code, station and names, by code: the officer's eyes only until reveal.

    Anyone else is refused as if the contest did not exist; after reveal organisers see it too.
    """
    contest = db.session.get(Contest, contest_id)
    if contest is None or not _may_see_mapping(actor, contest):
        raise DomainError(NO_CONTEST, "contest_id")
    query = (
        db.select(Entry, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.id == Entry.enterprise_id)
        .where(Entry.contest_id == contest.id, Entry.code.is_not(None))
        .order_by(Entry.code)
    )
    rows = db.session.execute(query).all()
    names = _member_names([entry.id for entry, _ in rows])
    return [
        MappedLot(
            entry_id=entry.id,
            names=tuple(names[entry.id]),
            team_name=entry.team_name,
            enterprise=enterprise or "",
            code=entry.code or "",
            station=entry.station or "",
        )
        for entry, enterprise in rows
    ]


def _may_see_mapping(actor: Actor, contest: Contest) -> bool:
    """The encryption officer always; organisers once the codes are revealed."""
    if _is_officer(actor, contest.id):
        return True
    return contest.revealed_at is not None and is_organiser(actor)


def _member_names(entry_ids: list[int]) -> dict[int, list[str]]:
    """The real names of each entry's members, the captain first."""
    names: dict[int, list[str]] = defaultdict(list)
    if not entry_ids:
        return names
    query = (
        db.select(EntryMember.entry_id, User.real_name)
        .join(User, User.id == EntryMember.user_id)
        .where(EntryMember.entry_id.in_(entry_ids))
        .order_by(EntryMember.entry_id, EntryMember.position, User.id)
    )
    for entry_id, name in db.session.execute(query):
        names[entry_id].append(name)
    return names


def codes_for_judges(contest_id: int) -> list[tuple[int, str, str]]:
    """Each drawn approved entry as (entry id, code, station), by code: no names."""
    query = (
        db.select(Entry.id, Entry.code, Entry.station)
        .where(
            Entry.contest_id == contest_id,
            Entry.status == EntryStatus.APPROVED,
            Entry.code.is_not(None),
        )
        .order_by(Entry.code)
    )
    return [(entry_id, code, station) for entry_id, code, station in db.session.execute(query)]


def verify_draw(contest_id: int) -> bool:
    """Whether the stored codes and stations are exactly what the stored seed draws."""
    contest = db.session.get(Contest, contest_id)
    if contest is None or contest.lot_seed is None or contest.lot_fingerprint is None:
        return False
    labels = contest.lot_stations or []
    query = db.select(Entry).where(
        Entry.contest_id == contest.id, (Entry.code.is_not(None)) | (Entry.station.is_not(None))
    )
    entries = list(db.session.scalars(query))
    ids = [entry.id for entry in entries]
    lots = [Lot(entry.id, entry.code or "", entry.station or "") for entry in entries]
    try:
        if fingerprint(ids, labels, contest.lot_seed) != contest.lot_fingerprint:
            return False
    except (TypeError, ValueError):
        return False
    return verify(ids, labels, contest.lot_seed, lots)


def reveal(actor: Actor, contest_id: int) -> None:
    """Map codes to names for everyone entitled: the encryption officer, once all is locked."""
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    if not _is_officer(actor, contest.id):
        raise DomainError(_l("Only the contest's encryption officer may reveal the entry codes."))
    message = _l("Entry codes are revealed once every criterion is locked.")
    require_stage(contest, Stage.LOCKED, message)
    contest.revealed_at = utcnow()
    advance(contest, Stage.LOCKED, Stage.REVEALED, actor)
    after = {"revealed_at": contest.revealed_at.isoformat(), "fingerprint": contest.lot_fingerprint}
    record(actor, "contest.reveal", contest, None, after)


def _is_officer(actor: Actor, contest_id: int) -> bool:
    """Whether the actor is the contest's encryption officer."""
    if actor.user is None:
        return False
    key = (contest_id, actor.user.id, StaffRole.ENCRYPTION_OFFICER)
    return db.session.get(ContestStaff, key) is not None
