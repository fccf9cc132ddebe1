"""What the judging pages show, read from the services: no rule is decided here.

A judge's sheet comes from services.sheet (entry codes only, recused entries left out); this
module cuts it into one aspect at a time, with the aspects of the judge's panels around it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from competitions.contests.marking_models import Aspect, Criterion, PanelJudge
from competitions.contests.models import Contest, ContestStaff, StaffRole
from competitions.contests.services.sheet import SheetMark
from guild.extensions import db


@dataclass
class AspectItem:
    """An aspect of the judge's panels in the chooser: how many of its codes are marked."""

    aspect: Aspect
    criterion: Criterion
    marked: int = 0
    total: int = 0


@dataclass
class AspectPage:
    """One aspect of a judge's sheet: its rows, and the panel's aspects around it."""

    item: AspectItem
    cells: list[SheetMark]
    items: list[AspectItem]
    previous: AspectItem | None
    following: AspectItem | None
    errors: dict[int, str] = field(default_factory=dict)  # entry id -> message
    typed: dict[int, str] = field(default_factory=dict)  # entry id -> value sent, refused

    @property
    def open(self) -> bool:
        """Whether marks of this aspect may be saved now."""
        return any(cell.open for cell in self.cells)

    @property
    def reason_needed(self) -> bool:
        """Whether changes need a reason (its criterion was locked and reopened)."""
        return any(cell.reason_needed for cell in self.cells)


def staff_roles(contest_id: int, user_id: int) -> set[StaffRole]:
    """The user's parts in the contest's staff (one query)."""
    query = db.select(ContestStaff.role).where(
        ContestStaff.contest_id == contest_id, ContestStaff.user_id == user_id
    )
    return set(db.session.scalars(query))


def my_contests(user_id: int) -> list[tuple[Contest, set[StaffRole]]]:
    """The contests the user is on the staff of, newest first, with their parts in each."""
    query = (
        db.select(Contest, ContestStaff.role)
        .join(ContestStaff, ContestStaff.contest_id == Contest.id)
        .where(ContestStaff.user_id == user_id)
        .order_by(Contest.created_at.desc(), Contest.id.desc())
    )
    parts: dict[int, tuple[Contest, set[StaffRole]]] = {}
    for contest, role in db.session.execute(query):
        parts.setdefault(contest.id, (contest, set()))[1].add(role)
    return list(parts.values())


def panel_items(contest_id: int, user_id: int, cells: list[SheetMark]) -> list[AspectItem]:
    """The aspects of the judge's panels in scheme order, with their marks of the sheet."""
    query = (
        db.select(Aspect, Criterion)
        .join(PanelJudge, PanelJudge.aspect_id == Aspect.id)
        .join(Criterion, Criterion.id == Aspect.criterion_id)
        .where(PanelJudge.user_id == user_id, Aspect.contest_id == contest_id)
        .order_by(Criterion.position, Aspect.position, Aspect.id)
    )
    items = [AspectItem(aspect, criterion) for aspect, criterion in db.session.execute(query)]
    by_id = {item.aspect.id: item for item in items}
    for cell in cells:
        item = by_id.get(cell.aspect_id)
        if item is not None:
            item.total += 1
            item.marked += cell.value is not None
    return items


def aspect_page(items: list[AspectItem], cells: list[SheetMark], aspect_id: int) -> AspectPage:
    """The page of one of the items (the caller checked it is one)."""
    place = next(i for i, item in enumerate(items) if item.aspect.id == aspect_id)
    rows = defaultdict(list)
    for cell in cells:
        rows[cell.aspect_id].append(cell)
    return AspectPage(
        item=items[place],
        cells=rows[aspect_id],
        items=items,
        previous=items[place - 1] if place > 0 else None,
        following=items[place + 1] if place + 1 < len(items) else None,
    )


def first_unfinished(items: list[AspectItem]) -> AspectItem | None:
    """The first aspect with a code left to mark, else the first aspect."""
    return next((item for item in items if item.marked < item.total), items[0] if items else None)
