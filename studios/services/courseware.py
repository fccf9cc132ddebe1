"""Courseware (培训课件): uploads checked by content, versions kept, downloads counted.

Only the studio's active members upload; the file's kind comes from its content
(studios.services.uploads); files go to storage area "courseware" under random keys, copied
in chunks with a byte count that stops at COURSEWARE_MAX_BYTES. A new upload of an item is
version N+1; older versions stay downloadable. Trade tags show the item to workers training
in those trades.
"""

from dataclasses import dataclass, field
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.storage import SavedFile, TooLarge, storage
from guild.text import has_control_characters
from guild.timeutil import utcnow
from guild.trades.models import Trade
from studios.models import Decision, Studio
from studios.publication_models import Courseware, CoursewareKind, CoursewareTrade
from studios.publication_models import CoursewareVersion as Version
from studios.search_models import SearchKind
from studios.services import search
from studios.services.access import NotFound, require_studio_member
from studios.services.periods import today
from studios.services.uploads import EXTENSIONS, safe_filename, sniff_kind

AREA = "courseware"
TITLE_MAX, DESCRIPTION_MAX, TRADES_MAX = 200, 5000, 20

label_actions(
    {
        "courseware.upload": _l("Courseware uploaded"),
        "courseware.version": _l("Courseware version uploaded"),
    }
)


@dataclass(frozen=True)
class Upload:
    """An uploaded file: a seekable stream (a spooled temporary file) and the name it came as."""

    stream: BinaryIO
    filename: str


@dataclass(frozen=True)
class CoursewareFields:
    """What the uploader writes about an item."""

    title: str
    description: str = ""
    trade_ids: list[int] = field(default_factory=list)


def max_bytes() -> int:
    """The largest file accepted, from the configuration."""
    return int(current_app.config["COURSEWARE_MAX_BYTES"])


def too_large_message(limit: int | None = None):
    """The refusal of a file above the limit, naming the limit in MB."""
    megabytes = max(1, (limit or max_bytes()) // (1024 * 1024))
    return _l("The file is larger than %(mb)d MB, the most accepted.", mb=megabytes)


def _checked(fields: CoursewareFields) -> CoursewareFields:
    title = " ".join((fields.title or "").split())
    description = (fields.description or "").strip()
    if not title:
        raise DomainError(_l("Give the courseware a title."), "title")
    if len(title) > TITLE_MAX or has_control_characters(title):
        raise DomainError(_l("Enter a title of at most %(n)d characters.", n=TITLE_MAX), "title")
    if len(description) > DESCRIPTION_MAX or has_control_characters(description):
        message = _l("Enter a description of at most %(n)d characters.", n=DESCRIPTION_MAX)
        raise DomainError(message, "description")
    trade_ids = sorted({t for t in fields.trade_ids or () if t is not None})
    if len(trade_ids) > TRADES_MAX:
        raise DomainError(_l("Choose at most %(n)d trades.", n=TRADES_MAX), "trade_ids")
    if trade_ids:
        valid = [t for t in trade_ids if 0 < t <= MAX_ID]
        found = set(db.session.scalars(select(Trade.id).where(Trade.id.in_(valid))))
        if found != set(trade_ids):
            raise DomainError(_l("Choose trades from the catalogue."), "trade_ids")
    return CoursewareFields(title, description, trade_ids)


def store_upload(upload: Upload, area: str = AREA) -> tuple[CoursewareKind, SavedFile, str]:
    """Check the file's size and kind, then copy it to the area's storage; nothing kept on
    refusal. Courseware and every file attached to a challenge go through here."""
    limit = max_bytes()
    try:
        size = upload.stream.seek(0, 2)
    except (AttributeError, OSError):
        raise DomainError(_l("Choose a file to upload."), "file") from None
    if size == 0:
        raise DomainError(_l("The file is empty."), "file")
    if size > limit:
        raise DomainError(too_large_message(limit), "file")
    kind = sniff_kind(upload.stream)
    upload.stream.seek(0)
    try:
        saved = storage(area).save_file(upload.stream, EXTENSIONS[kind], limit)
    except TooLarge:
        raise DomainError(too_large_message(limit), "file") from None
    return kind, saved, safe_filename(upload.filename, kind)


def _add_version(actor: Actor, item: Courseware, stored: tuple) -> Version:
    """Version N+1 of an item from a stored file; the file is removed if the rows fail."""
    kind, saved, filename = stored
    try:
        number = item.version_count + 1
        version = Version(
            courseware_id=item.id,
            number=number,
            kind=kind,
            storage_key=saved.key,
            filename=filename,
            size=saved.size,
            sha256=saved.sha256,
            uploaded_by_id=actor.user.id,
        )
        db.session.add(version)
        item.version_count, item.kind, item.updated_at = number, kind, utcnow()
        db.session.flush()
    except BaseException:
        storage(AREA).delete(saved.key)
        raise
    return version


def _snapshot(version: Version) -> dict:
    return {
        "number": version.number,
        "kind": version.kind.value,
        "filename": version.filename,
        "size": version.size,
        "sha256": version.sha256,
    }


def upload_courseware(
    actor: Actor, studio_id: int, fields: CoursewareFields, upload: Upload
) -> Courseware:
    """A studio member uploads a new courseware item: its first version and trade tags."""
    require_studio_member(actor, studio_id)
    fields = _checked(fields)
    stored = store_upload(upload)
    item = Courseware(
        studio_id=studio_id,
        title=fields.title,
        description=fields.description,
        kind=stored[0],
        created_by_id=actor.user.id,
    )
    try:
        db.session.add(item)
        db.session.flush()
    except BaseException:
        storage(AREA).delete(stored[1].key)
        raise
    version = _add_version(actor, item, stored)
    db.session.add_all(CoursewareTrade(courseware_id=item.id, trade_id=t) for t in fields.trade_ids)
    db.session.flush()
    search.index_item(
        SearchKind.COURSEWARE, item.id, studio_id, item.title, item.description, today()
    )
    after = {"title": item.title, "trade_ids": fields.trade_ids, **_snapshot(version)}
    record(actor, "courseware.upload", item, None, after)
    return item


def add_version(actor: Actor, courseware_id: int, upload: Upload) -> Version:
    """A studio member uploads a new version of an item; the old ones are kept."""
    item = get_courseware(courseware_id, lock=True)
    require_studio_member(actor, item.studio_id)
    before = {"version_count": item.version_count}
    version = _add_version(actor, item, store_upload(upload))
    record(actor, "courseware.version", item, before, _snapshot(version))
    return version


def get_courseware(courseware_id: int, lock: bool = False) -> Courseware:
    """An item of an approved studio; NotFound otherwise (lock: for a new version number)."""
    query = select(Courseware).where(Courseware.id == courseware_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = db.session.scalar(query) if 0 < courseware_id <= MAX_ID else None
    studio = db.session.get(Studio, item.studio_id) if item else None
    if studio is None or studio.status != Decision.APPROVED:
        raise NotFound(_l("There is no such courseware."))
    return item


def versions_of(courseware_id: int) -> list[Version]:
    """Every version of an item, newest first."""
    query = select(Version).where(Version.courseware_id == courseware_id)
    return list(db.session.scalars(query.order_by(Version.number.desc())))


def get_version(courseware_id: int, number: int) -> Version:
    """One version of an item; NotFound when there is none."""
    get_courseware(courseware_id)
    version = db.session.scalar(
        select(Version).where(Version.courseware_id == courseware_id, Version.number == number)
    )
    if version is None:
        raise NotFound(_l("There is no such version."))
    return version


def record_download(courseware_id: int) -> None:
    """Count one download, atomically (no read-modify-write race)."""
    db.session.execute(
        update(Courseware)
        .where(Courseware.id == courseware_id)
        .values(download_count=Courseware.download_count + 1)
        .execution_options(synchronize_session=False)
    )


def trades_of(courseware_id: int) -> list[Trade]:
    """The trades an item is tagged with, by name."""
    query = (
        select(Trade)
        .join(CoursewareTrade, CoursewareTrade.trade_id == Trade.id)
        .where(CoursewareTrade.courseware_id == courseware_id)
        .order_by(Trade.name)
    )
    return list(db.session.scalars(query))


def studio_courseware(studio_id: int, page: int, per_page: int):
    """A page of a studio's courseware, newest first."""
    query = (
        select(Courseware)
        .where(Courseware.studio_id == studio_id)
        .order_by(Courseware.created_at.desc(), Courseware.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def courseware_for_trade(trade_id: int, limit: int = 5) -> list[tuple[Courseware, str]]:
    """The newest courseware of approved studios tagged with a trade, with the studio's name."""
    query = (
        select(Courseware, Studio.name)
        .join(CoursewareTrade, CoursewareTrade.courseware_id == Courseware.id)
        .join(Studio, Studio.id == Courseware.studio_id)
        .where(CoursewareTrade.trade_id == trade_id, Studio.status == Decision.APPROVED)
        .order_by(Courseware.created_at.desc(), Courseware.id.desc())
        .limit(max(1, min(limit, 50)))
    )
    return [(item, name) for item, name in db.session.execute(query)]


def courseware_count(studio_id: int) -> int:
    """How many courseware items a studio has."""
    query = select(func.count()).select_from(Courseware).where(Courseware.studio_id == studio_id)
    return db.session.scalar(query) or 0


def trade_choices() -> list[tuple[int, str]]:
    """Every trade of the catalogue as (id, name), by category then name."""
    query = select(Trade.id, Trade.name, Trade.category).order_by(Trade.category, Trade.name)
    return [(row.id, f"{row.name}（{row.category}）") for row in db.session.execute(query)]
