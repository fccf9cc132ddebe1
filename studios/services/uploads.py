"""What an uploaded courseware file is, told by its content (never its name or browser type).

PDF, WPS (OLE compound files), MP4 (an ISO BMFF `ftyp` box of the mp4 family) by their first
bytes; docx, pptx, xlsx and OFD are zip packages, so their central directory is sized up from
the end-of-central-directory record (entry count, directory size) before zipfile reads it,
then the declared uncompressed sizes are summed and the expected members looked for. Nothing
is ever extracted. Also here: the safe download name of an upload.
"""

import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from guild.errors import DomainError
from studios.publication_models import CoursewareKind

HEAD_BYTES = 1024
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1"}
    | {b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"msnv", b"f4v "}
)
EOCD = b"PK\x05\x06"
EOCD_SIZE = 22
EOCD_SEARCH = EOCD_SIZE + 0xFFFF  # the record plus the longest comment
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"


@dataclass(frozen=True)
class ZipLimits:
    """How big a zip package may be before it is refused unread."""

    max_entries: int = 10_000
    max_directory_bytes: int = 16 * 1024 * 1024  # the central directory itself
    max_uncompressed: int = 1024 * 1024 * 1024  # declared sizes summed
    max_ratio: int = 100  # uncompressed / compressed, once past ratio_floor
    ratio_floor: int = 10 * 1024 * 1024


EXTENSIONS = {
    CoursewareKind.PDF: "pdf",
    CoursewareKind.DOCX: "docx",
    CoursewareKind.PPTX: "pptx",
    CoursewareKind.XLSX: "xlsx",
    CoursewareKind.WPS: "wps",
    CoursewareKind.OFD: "ofd",
    CoursewareKind.MP4: "mp4",
}
WPS_EXTENSIONS = frozenset({"wps", "et", "dps", "doc", "xls", "ppt"})
OOXML_TYPE = "application/vnd.openxmlformats-officedocument."
MIMETYPES = {
    CoursewareKind.PDF: "application/pdf",
    CoursewareKind.DOCX: OOXML_TYPE + "wordprocessingml.document",
    CoursewareKind.PPTX: OOXML_TYPE + "presentationml.presentation",
    CoursewareKind.XLSX: OOXML_TYPE + "spreadsheetml.sheet",
    CoursewareKind.WPS: "application/octet-stream",
    CoursewareKind.OFD: "application/ofd",
    CoursewareKind.MP4: "video/mp4",
}
OOXML_PARTS = (
    ("word/", CoursewareKind.DOCX),
    ("ppt/", CoursewareKind.PPTX),
    ("xl/", CoursewareKind.XLSX),
)
NOT_ACCEPTED = _l(
    "This file is not a PDF, Word, PowerPoint, Excel, WPS, OFD or MP4 file. "
    "The type is judged by the file's content, not its name."
)
DAMAGED_ZIP = _l("This document package is damaged and cannot be accepted.")
UNSAFE_NAME_CHARACTERS = frozenset("\"'<>:*?|/\\;%`$")
NAME_MAX = 100  # the stem; the column holds 120 with the extension


def _refuse(message) -> DomainError:
    return DomainError(message, "file")


def sniff_kind(stream: BinaryIO, limits: ZipLimits = ZipLimits()) -> CoursewareKind:
    """The kind of a seekable upload, by its content; DomainError when it is none we take."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if head.startswith(b"MZ"):
        raise _refuse(_l("Programs cannot be uploaded as courseware."))
    if head.startswith(OLE_MAGIC):
        return CoursewareKind.WPS
    if _is_mp4(head):
        return CoursewareKind.MP4
    if head.startswith(ZIP_MAGIC):
        return zip_kind(stream, limits)
    if b"%PDF-" in head:  # readers take the header anywhere in the first kilobyte
        return CoursewareKind.PDF
    raise _refuse(NOT_ACCEPTED)


def _is_mp4(head: bytes) -> bool:
    """An ISO BMFF file starting with an `ftyp` box whose brands include an mp4 one."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[:4], "big")
    if not 16 <= box_size <= min(len(head), 256):
        return head[8:12] in MP4_BRANDS
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_size - 3, 4)]
    return any(brand in MP4_BRANDS for brand in brands)


def _directory_size(stream: BinaryIO) -> tuple[int, int]:
    """The zip's entry count and central directory size, read from its last records only."""
    size = stream.seek(0, 2)
    start = max(0, size - EOCD_SEARCH)
    stream.seek(start)
    tail = stream.read(size - start)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < EOCD_SIZE:
        raise _refuse(DAMAGED_ZIP)
    fields = struct.unpack("<4s4H2LH", tail[at : at + EOCD_SIZE])
    entries, directory = fields[4], fields[5]
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        entries, directory = _zip64_directory_size(stream, start + at)
    return entries, directory


def _zip64_directory_size(stream: BinaryIO, eocd_at: int) -> tuple[int, int]:
    """The entry count and directory size from a zip64 end record, via its locator."""
    if eocd_at < 20:
        return 0xFFFF, 0xFFFFFFFF
    stream.seek(eocd_at - 20)
    locator = stream.read(20)
    if not locator.startswith(ZIP64_LOCATOR):  # no zip64: the capped values stand
        return 0xFFFF, 0xFFFFFFFF
    (record_at,) = struct.unpack("<Q", locator[8:16])
    stream.seek(record_at)
    record = stream.read(56)
    if len(record) < 56 or not record.startswith(ZIP64_EOCD):
        raise _refuse(DAMAGED_ZIP)
    entries, directory = struct.unpack("<2Q", record[32:48])
    return entries, directory


def zip_kind(stream: BinaryIO, limits: ZipLimits = ZipLimits()) -> CoursewareKind:
    """docx, pptx, xlsx or OFD, once the package is known small enough to read its names."""
    entries, directory = _directory_size(stream)
    if entries > limits.max_entries or directory > limits.max_directory_bytes:
        raise _refuse(_l("The package holds too many files (at most %(n)d).", n=limits.max_entries))
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError):
        raise _refuse(DAMAGED_ZIP) from None
    except (struct.error, EOFError, OSError):
        raise _refuse(DAMAGED_ZIP) from None
    finally:
        stream.seek(0)
    _check_sizes(infos, limits)
    return _package_kind({info.filename for info in infos})


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """Refuse too many entries, too much uncompressed content, or a zip bomb's ratio."""
    if len(infos) > limits.max_entries:
        raise _refuse(_l("The package holds too many files (at most %(n)d).", n=limits.max_entries))
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    too_big = unpacked > limits.max_uncompressed
    bomb = unpacked > limits.ratio_floor and unpacked > limits.max_ratio * max(packed, 1)
    if too_big or bomb:
        raise _refuse(_l("The package unpacks to far more than its size: it cannot be accepted."))


def _package_kind(names: set[str]) -> CoursewareKind:
    """Which document a zip package is, by the members it must hold."""
    if "OFD.xml" in names:
        return CoursewareKind.OFD
    if "[Content_Types].xml" in names:
        for prefix, kind in OOXML_PARTS:
            if any(name.startswith(prefix) for name in names):
                return kind
    raise _refuse(NOT_ACCEPTED)


def safe_filename(original: str | None, kind: CoursewareKind) -> str:
    """The name a download is offered under: the upload's own name made harmless.

    Directories, control and format characters (bidi overrides too), quotes, slashes and
    other shell or header specials go; leading dots and spaces go; the extension is the one
    the content shows (a WPS file keeps .wps/.et/.dps and the old Office ones).
    """
    name = unicodedata.normalize("NFC", original or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char
        for char in name
        if unicodedata.category(char)[0] != "C" and char not in UNSAFE_NAME_CHARACTERS
    )
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = " ".join(stem.split()).strip(" .")[:NAME_MAX].strip(" .") or "courseware"
    extension = extension.lower()
    if kind != CoursewareKind.WPS or extension not in WPS_EXTENSIONS:
        extension = EXTENSIONS[kind]
    return f"{stem}.{extension}"


def ascii_fallback(filename: str, fallback_stem: str) -> str:
    """The filename= value for old clients: the name if plain ASCII, else a made-up one."""
    stem, _dot, extension = filename.rpartition(".")
    printable = all(32 <= ord(char) < 127 for char in stem)
    return filename if printable and stem else f"{fallback_stem}.{extension}"
