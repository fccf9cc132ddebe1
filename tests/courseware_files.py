"""Small real files of every courseware kind, and the bad ones the upload must refuse."""

import io
import struct
import zipfile

from studios.demo_activity import tiny_docx, tiny_pdf

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def package(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip package holding the members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(part: str) -> bytes:
    """A minimal Office Open XML package with one main part (word/, ppt/ or xl/)."""
    return package({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<R/>", part: b"<x/>"})


def wps() -> bytes:
    """An OLE compound file header, as WPS Office's .wps/.et/.dps files start."""
    return OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 1000


def mp4() -> bytes:
    """An ISO BMFF file: an `ftyp` box of brand isom, then a small `mdat` box."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 0x200, b"isom", b"mp41")
    return ftyp + struct.pack(">I4s", 108, b"mdat") + b"\x00" * 100


GOOD_FILES = {
    "pdf": ("讲义.pdf", tiny_pdf("lesson")),
    "docx": ("讲义.docx", tiny_docx("lesson")),
    "pptx": ("slides.pptx", ooxml("ppt/presentation.xml")),
    "xlsx": ("sheet.xlsx", ooxml("xl/workbook.xml")),
    "wps": ("文档.wps", wps()),
    "ofd": ("公文.ofd", package({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"})),
    "mp4": ("video.mp4", mp4()),
}


def exe() -> bytes:
    """The start of a Windows program (MZ header)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def zip_with_entries(count: int, names: tuple[str, ...] = ()) -> bytes:
    """A zip of `count` empty stored entries (plus the named ones), built by hand, fast."""
    local, central = bytearray(), bytearray()
    all_names = [*names, *(f"ppt/s/{n}.xml" for n in range(count))]
    for name in all_names:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(encoded), 0)
        local += encoded
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    count, at, size = len(all_names), len(local), len(central)
    zip64 = b""
    if count >= 0xFFFF:  # as zipfile writes it: a zip64 end record and its locator
        zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, at)
        zip64 += struct.pack("<4sLQL", b"PK\x06\x07", 0, at + size, 1)
    entries = min(count, 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, size, at, 0)
    return bytes(local + central + zip64 + end)


def zip_bomb(megabytes: int = 20) -> bytes:
    """A docx-looking package whose document part unpacks to `megabytes` of zeros."""
    return package(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (megabytes << 20)}
    )
