"""The hostile values, and the files and tables the sweep uploads."""

import functools
import io
import zipfile

from guild.extensions import MAX_ID
from tests.bad_input.forms import Field

# fmt: off
QUERY_VALUES = [
    "", "abc", "-1", "0", "99999999999999999999", "1.5", "２", "\x00", "x" * 5000,
    "2026-13-45", "<script>", "' OR 1=1 --",
]
# Sent to every GET route at once (each alone only where its view module reads it).
COMMON_KEYS = [
    "page", "q", "sort", "order", "trade", "trade_id", "day", "from", "to", "start", "end",
    "format", "lang", "next", "per_page", "status", "city", "enterprise",
]
# fmt: on
TEXT_VALUES = ["", "abc", "\x00", "x" * 10_000]
NUMBER_VALUES = ["-1", "0", "1.5", "1e309", "99999999999999999999", "２", "nan"]
DATE_VALUES = ["2026-13-45", "0001-01-01", "9999-12-31T23:59"]


PATH_INT_VALUES = ("0", str(MAX_ID))
PATH_TEXT_VALUES = ("abc", "..", "\x00", "x" * 300, "a.gif")


def _hostile_values(control: Field) -> list[str]:
    values = list(TEXT_VALUES)
    if control.numeric:
        values += NUMBER_VALUES
    if control.dated:
        values += DATE_VALUES
    return values


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def _blank_xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _plausible(control: Field) -> tuple[bytes, str]:
    """A file of the kind the input asks for, by its accept list or its name."""
    accept = control.accept.lower()
    if "image" in accept or control.name in ("photo", "image"):
        return PNG, "照片.png"
    if accept.startswith(".pdf") or ".pdf" in accept:
        return PDF, "课件.pdf"
    return _blank_xlsx(), "导入.xlsx"


def _hostile_files(control: Field) -> list[tuple[str, bytes, str]]:
    """(label, content, file name) of the uploads to try in the input."""
    content, name = _plausible(control)
    ext = name.rsplit(".", 1)[1]
    return [
        ("a plausible file", content, name),
        ("an empty file", b"", f"empty.{ext}"),
        ("a wrong extension", b"MZ\x90\x00" + b"\x00" * 60, "evil.exe"),
        ("no extension", content, "noext"),
        ("junk with the right extension", b"\x00\xffjunk" * 10, f"junk.{ext}"),
        ("a zip that is not a zip", b"PK\x03\x04broken", "broken.zip"),
        ("a zip that is not a workbook", _zip({"hello.txt": b"hi"}), "notbook.xlsx"),
        ("a truncated workbook", _blank_xlsx()[:300], "cut.xlsx"),
        ("a CSV of junk", "\ufeff名称,类别\n\x00,\n" + "a," * 500, "junk.csv"),
        ("an image that is not one", b"\x89PNG\r\n", "fake.png"),
        ("a PDF that is not one", b"%PDF-", "fake.pdf"),
        ("malformed Moodle XML", b"<quiz><question type=", "quiz.xml"),
        ("XML with an entity", b'<!DOCTYPE q [<!ENTITY a "aa">]><quiz>&a;</quiz>', "dtd.xml"),
        ("GIFT junk", "::标题:: 题干 {=\x00 ~ }}} {{{ #".encode(), "junk.gift"),
        ("CSV not in UTF-8", "名称,类别\n电工,电力\n".encode("gb18030"), "gbk.csv"),
        ("an empty file name", content, ""),
        ("a path as file name", content, f"../../../etc/passwd.{ext}"),
        ("a 300-char file name", content, "x" * 300 + f".{ext}"),
        ("an upper-case extension", content, f"FILE.{ext.upper()}"),
    ]


CELL_VALUES = ["", "abc", -1, 99999999999999999999, 1e308, "x" * 10_000, "=1/0"]
# The trades import takes a CSV of these columns (its page says so) and links no template.
CSV_FALLBACK = "code,name,category,levels\n,扫描工种,电力能源,L5\n"
