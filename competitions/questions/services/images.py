"""Pictures in question stems: checked by their bytes, stored under random names."""

from flask_babel import lazy_gettext as _l

from guild.errors import DomainError
from guild.storage import storage

MAX_IMAGE_BYTES = 2 * 1024 * 1024
AREA = "question-images"
# The first bytes of each accepted format, and the suffix and type it is stored and served as.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def image_suffix(data: bytes) -> str | None:
    """The format of an image by its content (PNG, JPEG, GIF, WebP), or None."""
    for signature, suffix in SIGNATURES:
        if data.startswith(signature):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def store_image(data: bytes) -> str:
    """Check and keep a stem picture; returns its storage key."""
    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError(_l("The picture is larger than 2 MB."), field="image")
    suffix = image_suffix(data)
    if suffix is None:
        raise DomainError(_l("Use a PNG, JPEG, GIF or WebP picture."), field="image")
    return storage(AREA).save(data, suffix)


def image_mimetype(key: str) -> str:
    """The content type a stored picture is served with."""
    return MIMETYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream")
