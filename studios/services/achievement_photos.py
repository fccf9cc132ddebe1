"""Photos of achievements: JPEG, PNG or WebP as their first bytes show, stored under random names.

The size limit is ACHIEVEMENT_PHOTO_MAX_BYTES (5 MB unless configured); an upload is read at
most one byte past it, so a huge one is refused without being held whole. The file's name
and declared type are never trusted; photos are served with the type found here.
"""

from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.storage import storage
from studios.publication_models import AchievementPhoto
from studios.services.access import NotFound, require_studio_member
from studios.services.achievements import get_achievement

AREA = "achievement_photos"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 12
SUFFIXES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
NO_PHOTO = _l("There is no such photo.")


def image_type(head: bytes) -> str | None:
    """The image type the first bytes show: JPEG, PNG or WebP; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def max_bytes() -> int:
    """The largest photo accepted, in bytes."""
    return int(current_app.config.get("ACHIEVEMENT_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most limit + 1 bytes of the stream (one more tells that it is too large)."""
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def add_photo(
    actor: Actor, studio_id: int, achievement_id: int, stream: BinaryIO
) -> AchievementPhoto:
    """A member adds a photo to an achievement of their studio."""
    studio = require_studio_member(actor, studio_id)
    item = get_achievement(achievement_id, studio.id)
    count = db.session.scalar(
        select(func.count()).where(AchievementPhoto.achievement_id == item.id)
    )
    if count >= MAX_PHOTOS:
        raise DomainError(_l("An achievement has at most 12 photos."), "photo")
    limit = max_bytes()
    data = read_limited(stream, limit)
    if not data:
        raise DomainError(_l("Choose a photo to upload."), "photo")
    if len(data) > limit:
        raise DomainError(
            _l("The photo is too large (%(mb)s MB at most).", mb=round(limit / 1048576, 1)),
            "photo",
        )
    content_type = image_type(data[:16])
    if content_type is None:
        raise DomainError(_l("The photo must be a JPEG, PNG or WebP image."), "photo")
    key = storage(AREA).save(data, SUFFIXES[content_type])
    photo = AchievementPhoto(
        achievement_id=item.id,
        storage_key=key,
        content_type=content_type,
        position=count,
        uploaded_by_id=actor.user.id,
    )
    db.session.add(photo)
    db.session.flush()
    record(actor, "achievement.photo_add", item, None, {"photo_id": photo.id, "type": content_type})
    return photo


def get_photo(studio_id: int, achievement_id: int, photo_id: int) -> AchievementPhoto:
    """A photo of the studio's achievement; DomainError NO_PHOTO otherwise."""
    get_achievement(achievement_id, studio_id)
    photo = db.session.get(AchievementPhoto, photo_id) if 0 < photo_id <= MAX_ID else None
    if photo is None or photo.achievement_id != achievement_id:
        raise NotFound(NO_PHOTO, "photo_id")
    return photo


def delete_photo(actor: Actor, studio_id: int, achievement_id: int, photo_id: int) -> str:
    """A member removes a photo; returns its storage key, to remove after commit."""
    require_studio_member(actor, studio_id)
    photo = get_photo(studio_id, achievement_id, photo_id)
    key = photo.storage_key
    record(actor, "achievement.photo_delete", photo, {"achievement_id": achievement_id}, None)
    db.session.delete(photo)
    db.session.flush()
    return key


def photos_of(achievement_id: int) -> list[AchievementPhoto]:
    """An achievement's photos in the order they were added."""
    query = (
        select(AchievementPhoto)
        .where(AchievementPhoto.achievement_id == achievement_id)
        .order_by(AchievementPhoto.position, AchievementPhoto.id)
    )
    return list(db.session.scalars(query))


def remove_files(keys: list[str]) -> None:
    """Remove stored photo files (after the rows are gone for good)."""
    area = storage(AREA)
    for key in keys:
        area.delete(key)
