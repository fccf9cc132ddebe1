"""What the results pages show: who may see them, the ranking a page at a time, score sheets,
prize certificates' facts and the judges' analytics, all from services.results.

Organisers and the contest's chief judge see the standings from the practical stage on, by
entry code until the reveal and by name after it; once results are published (publicity or
final) every signed-in user sees the ranking (names, enterprise, figures, prizes), never
anyone's aspect marks. A refusal with field "contest_id" means: answer as if there were no
such contest (drafts are the organisers' own); any other refusal means forbidden.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from flask_babel import lazy_gettext as _l

from competitions.contests.models import Contest, Entry, EntryMember, Stage
from competitions.contests.services.contests import is_organiser
from competitions.contests.services.panels import is_chief_judge, is_id
from competitions.contests.services.results import (
    PUBLISHED,
    Standings,
    standings,
)
from guild.accounts.models import Enterprise, User
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db

PER_PAGE = 100  # rows of a results page or score sheet
MAX_QUERY = 40
SHOWN_FROM = (Stage.PRACTICAL, Stage.LOCKED, Stage.REVEALED, *PUBLISHED)
NO_CONTEST = _l("There is no such contest.")
STAFF_ONLY = _l("Only the organisers and the chief judge of this contest may see this.")
NOT_PUBLISHED = _l("Results are not published yet.")
NOT_REVEALED = _l("Certificates are made once the entry codes are revealed.")
NO_AWARD = _l("You have no prize or title in this contest.")
PRIZES = {1: _l("First prize"), 2: _l("Second prize"), 3: _l("Third prize")}


class Audience(StrEnum):
    """Who is looking: the contest's organisers and chief judge, or anyone after publication."""

    STAFF = "staff"
    PUBLIC = "public"


def prize_label(level: int) -> str:
    """The name of a prize level: first, second, third, then "Prize N"; "" for none."""
    if level <= 0:
        return ""
    return str(PRIZES.get(level) or _l("Prize %(level)d", level=level))


def visible_contest(actor: Actor, contest_id: int) -> Contest:
    """The contest, unless it does not exist or is a draft the actor may not see."""
    contest = db.session.get(Contest, contest_id) if is_id(contest_id) else None
    if contest is None or (contest.stage is Stage.DRAFT and not is_organiser(actor)):
        raise DomainError(NO_CONTEST, "contest_id")
    return contest


def is_results_staff(actor: Actor, contest_id: int) -> bool:
    """Tell whether the actor organises contests or is this contest's chief judge."""
    return is_organiser(actor) or is_chief_judge(actor, contest_id)


def results_audience(actor: Actor, contest_id: int) -> tuple[Contest, Audience]:
    """The contest and how the actor sees its results; refused before publication."""
    contest = visible_contest(actor, contest_id)
    if is_results_staff(actor, contest.id):
        return contest, Audience.STAFF
    if contest.stage in PUBLISHED:
        return contest, Audience.PUBLIC
    raise DomainError(NOT_PUBLISHED, "stage")


def staff_contest(actor: Actor, contest_id: int) -> Contest:
    """The contest, for its organisers and chief judge only."""
    contest = visible_contest(actor, contest_id)
    if not is_results_staff(actor, contest.id):
        raise DomainError(STAFF_ONLY)
    return contest


def names_shown(contest: Contest) -> bool:
    """Tell whether entrants may be named: once the codes are revealed."""
    return contest.revealed_at is not None


@dataclass(frozen=True)
class Pager:
    """A page of rows, with what the `pager` macro reads."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def iter_pages(self, left_edge=1, left_current=1, right_current=2, right_edge=1) -> Iterator:
        """Page numbers to link, None for a gap (as Flask-SQLAlchemy's pagination)."""
        last = 0
        for number in range(1, self.pages + 1):
            near = self.page - left_current <= number <= self.page + right_current
            if number <= left_edge or near or number > self.pages - right_edge:
                if number != last + 1:
                    yield None
                yield number
                last = number


@dataclass(frozen=True)
class GroupChoice:
    """A group to choose on the page, with its number of ranked entrants."""

    id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class ResultRow:
    """One ranked entry as a page shows it (name and enterprise empty before the reveal)."""

    entry_id: int
    code: str
    name: str
    enterprise: str
    group: str
    theory: float
    practical: float
    total: float
    rank: int
    prize: int
    title: bool
    missing: int
    flagged: int
    marks: tuple = ()  # score sheets: (mark or None, flagged) per aspect of `aspects`


@dataclass(frozen=True)
class AspectHead:
    """A column of the score sheet."""

    aspect_id: int
    code: str
    kind: str
    max_mark: float


@dataclass(frozen=True)
class ResultsPage:
    """A page of a contest's ranking or score sheet."""

    contest: Contest
    audience: Audience
    named: bool
    groups: tuple[GroupChoice, ...]
    group_id: int | None
    query: str
    rows: tuple[ResultRow, ...]
    pager: Pager
    entrants: int
    missing_marks: int
    flagged_spreads: int
    marks_version: int
    aspects: tuple[AspectHead, ...] = ()


def _groups(contest: Contest, table: pd.DataFrame) -> tuple[GroupChoice, ...]:
    """The contest's groups with their entrants (none: one choice for everybody)."""
    counts = table["group_id"].value_counts()
    choices = [GroupChoice(g.id, g.name, int(counts.get(g.id, 0))) for g in contest.groups]
    ungrouped = int(table["group_id"].isna().sum())
    if ungrouped or not choices:
        choices.append(GroupChoice(None, "", ungrouped))
    return tuple(choices)


def _selected(contest: Contest, table: pd.DataFrame, group_id, query: str, named: bool):
    """The rows found by the query (all groups), else those of the group."""
    if query:
        codes = table["code"].fillna("").str.casefold()
        found = codes.str.contains(query.casefold(), regex=False)
        if named:
            found |= table.index.isin(_entries_named(contest.id, query))
        return table[found.to_numpy()]
    if group_id is None:
        return table[table["group_id"].isna().to_numpy()]
    return table[table["group_id"].eq(group_id).fillna(False).to_numpy()]


def _entries_named(contest_id: int, query: str) -> list[int]:
    """Ids of the contest's entries whose member's or team's name contains the text."""
    members = (
        db.select(EntryMember.entry_id)
        .join(User, User.id == EntryMember.user_id)
        .where(
            EntryMember.contest_id == contest_id, User.real_name.contains(query, autoescape=True)
        )
    )
    teams = db.select(Entry.id).where(
        Entry.contest_id == contest_id, Entry.team_name.contains(query, autoescape=True)
    )
    return list(db.session.scalars(members.union(teams)))


def entrant_labels(contest_id: int, entry_ids: Iterable[int] | None) -> dict[int, tuple[str, str]]:
    """Per entry: its name (a team's name with its members) and enterprise; None: all entries."""
    ids = None if entry_ids is None else [int(entry_id) for entry_id in entry_ids]
    members = (
        db.select(EntryMember.entry_id, User.real_name)
        .join(User, User.id == EntryMember.user_id)
        .where(EntryMember.contest_id == contest_id)
        .order_by(EntryMember.entry_id, EntryMember.position, User.id)
    )
    entries = (
        db.select(Entry.id, Entry.team_name, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.id == Entry.enterprise_id)
        .where(Entry.contest_id == contest_id)
    )
    if ids is not None:
        members = members.where(EntryMember.entry_id.in_(ids))
        entries = entries.where(Entry.id.in_(ids))
    names = _grouped(db.session.execute(members))
    labels = {}
    for entry_id, team, enterprise in db.session.execute(entries):
        people = "、".join(names[entry_id])
        labels[entry_id] = (f"{team}（{people}）" if team else people, enterprise or "")
    return labels


def _grouped(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """(entry id, name) pairs as each entry's names, in order."""
    names: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in pairs:
        names[entry_id].append(name)
    return names


def member_names(contest_id: int, entry_ids: Iterable[int]) -> dict[int, list[str]]:
    """The members' real names of each of the entries, the captain first."""
    query = (
        db.select(EntryMember.entry_id, User.real_name)
        .join(User, User.id == EntryMember.user_id)
        .where(
            EntryMember.contest_id == contest_id,
            EntryMember.entry_id.in_([int(entry_id) for entry_id in entry_ids]),
        )
        .order_by(EntryMember.entry_id, EntryMember.position, User.id)
    )
    return _grouped(db.session.execute(query))


def _row(entry_id, values: dict, label: tuple[str, str], group: str, marks=()) -> ResultRow:
    """A ranked entry's figures as a row."""
    return ResultRow(
        entry_id=int(entry_id),
        code=values["code"] or "",
        name=label[0],
        enterprise=label[1],
        group=group,
        theory=float(values["theory"]),
        practical=float(values["practical"]),
        total=float(values["total"]),
        rank=int(values["rank"]),
        prize=int(values["prize"]),
        title=bool(values["title"]),
        missing=int(values["missing"]),
        flagged=int(values["flagged"]),
        marks=marks,
    )


def aspect_heads(current: Standings) -> tuple[AspectHead, ...]:
    """The scheme's aspects in order, as score sheet columns."""
    return tuple(
        AspectHead(int(a.aspect_id), a.code, a.kind, float(a.max_mark))
        for a in current.aspects.itertuples(index=False)
    )


def mark_grid(current: Standings, entry_ids=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Marks and flags as entry × aspect tables (the scheme's columns), for some or all entries."""
    marks = current.marks
    if entry_ids is not None:
        marks = marks[marks["entry_id"].isin(list(entry_ids)).to_numpy()]
    columns = current.aspects["aspect_id"].tolist()
    grid = marks.pivot(index="entry_id", columns="aspect_id", values="mark")
    flags = marks.pivot(index="entry_id", columns="aspect_id", values="flagged")
    return grid.reindex(columns=columns), flags.reindex(columns=columns).eq(True)


def _cells(grid: pd.DataFrame, flags: pd.DataFrame, entry_id: int) -> tuple:
    """One entry's (mark or None, flagged) per aspect."""
    if entry_id not in grid.index:
        return tuple((None, False) for _ in grid.columns)
    marks, flagged = grid.loc[entry_id].tolist(), flags.loc[entry_id].tolist()
    return tuple(
        (None if pd.isna(mark) else float(mark), bool(flag))
        for mark, flag in zip(marks, flagged, strict=True)
    )


def results_page(
    contest: Contest,
    audience: Audience,
    group_id: int | None = None,
    query: str = "",
    page: int = 1,
    sheet: bool = False,
) -> ResultsPage:
    """A page of the ranking (or with `sheet`, of the score sheet) of a group or a search."""
    current = standings(contest.id)
    table, named = current.table, names_shown(contest)
    groups = _groups(contest, table)
    query = (query or "").strip()[:MAX_QUERY]
    if group_id not in {choice.id for choice in groups}:
        group_id = groups[0].id
    selected = _selected(contest, table, group_id, query, named)
    pager = Pager(1, PER_PAGE, len(selected))
    pager = Pager(min(max(page, 1), pager.pages), PER_PAGE, len(selected))
    part = selected.iloc[pager.offset : pager.offset + PER_PAGE]
    labels = entrant_labels(contest.id, part.index) if named else {}
    group_names = {choice.id: choice.name for choice in groups}
    grid = mark_grid(current, part.index) if sheet else None
    rows = tuple(
        _row(
            entry_id,
            values,
            labels.get(entry_id, ("", "")),
            group_names.get(None if pd.isna(values["group_id"]) else int(values["group_id"]), ""),
            _cells(*grid, entry_id) if grid else (),
        )
        for entry_id, values in zip(part.index, part.to_dict("records"), strict=True)
    )
    return ResultsPage(
        contest, audience, named, groups, group_id, query, rows, pager, len(table),
        current.missing_marks, current.flagged_spreads, current.marks_version,
        aspect_heads(current) if sheet else (),
    )  # fmt: skip


def results_links(actor: Actor, contest: Contest) -> dict[str, bool]:
    """Which results links the hub shows the actor (at most two small queries)."""
    staff = actor.user is not None and is_results_staff(actor, contest.id)
    shown = contest.stage in SHOWN_FROM
    published = contest.stage in PUBLISHED
    return {
        "results": (staff and shown) or published,
        "sheet": staff and shown,
        "analytics": staff and shown,
        "certificates": staff and is_organiser(actor) and names_shown(contest) and shown,
        "own": published and actor.user is not None and _entered(contest.id, actor.user.id),
    }


def _entered(contest_id: int, user_id: int) -> bool:
    """Tell whether the user is a member of an entry of the contest."""
    query = db.select(EntryMember.entry_id).where(
        EntryMember.contest_id == contest_id, EntryMember.user_id == user_id
    )
    return db.session.scalar(query.limit(1)) is not None
