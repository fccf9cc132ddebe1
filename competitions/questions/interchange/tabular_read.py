"""Loading spreadsheets safely: limits, encodings, zip bombs, formulas; the shared vocabulary."""

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator

import pandas as pd
from defusedxml import ElementTree
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from competitions.questions.types import FALSE, OPTION_LETTERS, TRUE, Problem, QuestionType

MIB = 1024 * 1024
MAX_BYTES = 20 * MIB
MAX_ROWS = 200_000
MAX_UNPACKED = 200 * MIB  # all entries of an .xlsx together, uncompressed
MAX_ENTRIES = 10_000
MAX_RATIO = 100  # uncompressed / compressed, for entries bigger than RATIO_FLOOR
RATIO_FLOOR = MIB

# The canonical columns, as the template and exports write them, and their keys.
COLUMNS = {"type": "题型", "stem": "题干"}
COLUMNS |= {letter: f"选项{letter}" for letter in OPTION_LETTERS}
COLUMNS |= {"answer": "答案", "explanation": "解析", "difficulty": "难度"}
COLUMNS |= {"chapter": "章节", "levels": "等级", "tags": "标签"}
REQUIRED = ("type", "stem", "answer")
TYPE_NAMES = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL_BLANK: "填空",
}
TRUE_WORD, FALSE_WORD = "正确", "错误"

_HEADER_WORDS = {
    "type": ("题型", "类型", "type", "questiontype"),
    "stem": ("题干", "题目", "stem", "question"),
    "answer": ("答案", "正确答案", "answer"),
    "explanation": ("解析", "答案解析", "explanation"),
    "difficulty": ("难度", "difficulty"),
    "chapter": ("章节", "知识点", "chapter"),
    "levels": ("等级", "级别", "levels", "level"),
    "tags": ("标签", "tags", "tag"),
}
_HEADER_WORDS |= {x: (f"选项{x}", x, f"option{x}") for x in OPTION_LETTERS}
_TYPE_WORDS = {
    QuestionType.SINGLE: ("单选", "单选题", "单项选择题", "single", "singlechoice"),
    QuestionType.MULTIPLE: ("多选", "多选题", "多项选择题", "multiple", "multiplechoice"),
    QuestionType.TRUE_FALSE: ("判断", "判断题", "truefalse", "tf"),
    QuestionType.FILL_BLANK: ("填空", "填空题", "fillblank", "fill"),
}
_TRUE_WORDS = ("正确", "对", "√", "✓", "✔", "t", "true", "是", "yes", "y")
_FALSE_WORDS = ("错误", "错", "×", "✗", "✘", "✕", "f", "false", "否", "no", "n")
DIFFICULTY_WORDS = {"易": 2, "容易": 2, "简单": 2, "中": 3, "中等": 3, "难": 4, "困难": 4}
DIFFICULTY_WORDS |= {"easy": 2, "medium": 3, "hard": 4}
LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")
LETTER_SEPARATORS = frozenset(" \t\n,，、;；|｜/")
CSV_UNESCAPE = re.compile(r"^'(?=[=+\-@])")


def fold(text: str) -> str:
    """Text as compared with known words: NFKC, case-folded, without spaces _ - *."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-*]+", "", folded)


HEADER_ALIASES = {fold(word): key for key, words in _HEADER_WORDS.items() for word in words}
TYPE_ALIASES = {fold(word): kind for kind, words in _TYPE_WORDS.items() for word in words}
TF_ALIASES = {word: TRUE for word in _TRUE_WORDS} | {word: FALSE for word in _FALSE_WORDS}


def load_sheet(
    content: bytes, filename: str
) -> tuple[pd.DataFrame | None, dict[int, list[int]], Problem | None]:
    """The raw first sheet (header included), its formula cells {row: [column]}, a problem."""
    extension = posixpath.splitext(filename.lower())[1]
    problem, frame, formulas = None, None, {}
    if extension not in (".csv", ".xlsx"):
        problem = _l("unsupported file type: upload an .xlsx or a .csv file")
    elif len(content) > MAX_BYTES:
        problem = _l("the file is too large (more than %(max)d MB)", max=MAX_BYTES // MIB)
    elif not content.strip():
        problem = _l("the file is empty")
    elif extension == ".csv":
        problem, frame = _read_csv(content)
    else:
        problem, formulas = _check_xlsx(content)
        frame = None if problem else _read_xlsx(content)
        problem = problem or (_l("the .xlsx file could not be read") if frame is None else None)
    if problem is None and frame is not None and len(frame) - 1 > MAX_ROWS:
        problem = _l("more than %(max)d rows: split the file", max=MAX_ROWS)
    if problem is not None:
        return None, {}, problem if isinstance(problem, Problem) else Problem(0, str(problem))
    return frame, formulas, None


def _decode(content: bytes) -> str | None:
    """UTF-8 with or without BOM, else GBK (as Chinese Excel saves CSV); None when neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(content: bytes) -> tuple[LazyString | Problem | None, pd.DataFrame | None]:
    """A problem (or None) and the CSV's cells as strings, one frame row per record."""
    text = _decode(content)
    if text is None:
        return _l("the file is neither UTF-8 nor GBK text: save it as “CSV UTF-8”"), None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            nrows=MAX_ROWS + 2,
        )
    except pd.errors.EmptyDataError:
        return _l("the file is empty"), None
    except (pd.errors.ParserError, ValueError) as error:
        return _csv_problem(str(error)), None
    return None, frame.fillna("")


def _csv_problem(error: str) -> Problem:
    """pandas' tokenizer error as a row-numbered problem."""
    if found := re.search(r"Expected \d+ fields in line (\d+)", error):
        message = _l("this row has more cells than the header row")
        return Problem(int(found.group(1)), str(message))
    if found := re.search(r"EOF inside string starting at row (\d+)", error):
        return Problem(int(found.group(1)) + 1, str(_l("a quoted cell is never closed")))
    return Problem(0, str(_l("the CSV file could not be read")))


def _read_xlsx(content: bytes) -> pd.DataFrame | None:
    """The first sheet's cells as strings (cached values for formulas); None if unreadable."""
    try:
        frame = pd.read_excel(
            io.BytesIO(content),
            engine="calamine",
            sheet_name=0,
            header=None,
            dtype=str,
            na_filter=False,
            nrows=MAX_ROWS + 2,
        )
    except Exception:  # calamine raises its own errors for damaged workbooks
        return None
    return frame.fillna("")


def _check_xlsx(content: bytes) -> tuple[LazyString | None, dict[int, list[int]]]:
    """A problem (or None) and the first sheet's formula cells, checked before any parsing."""
    not_xlsx = _l("not an .xlsx file (old .xls and password-protected workbooks cannot be read)")
    bomb = _l("the .xlsx file unpacks to too much data: it is damaged or malicious")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                return not_xlsx, {}
            if not _sizes_allowed(entries):
                return bomb, {}
            sheet = _first_sheet(archive)
    except Exception:  # BadZipFile, KeyError, XML errors, defusedxml's refusals of entities
        return not_xlsx, {}
    if sheet is None:
        return not_xlsx, {}
    return _inflate_all(content, entries, sheet, bomb)


def _sizes_allowed(entries: list[zipfile.ZipInfo]) -> bool:
    """The declared sizes stay within the limits on entries, total size and ratio."""
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED:
        return False
    return not any(_too_compressed(e.file_size, e.compress_size) for e in entries)


def _too_compressed(size: int, compressed: int) -> bool:
    """True when a big entry packs more than MAX_RATIO to one."""
    return size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1)


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The path of the workbook's first sheet, through workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find("{*}sheets/{*}sheet")
    if sheet is None:
        return None
    rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.findall("{*}Relationship"):
        if rel.get("Id") == rel_id and rel.get("Target"):
            target = rel.get("Target")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return posixpath.normpath(path)
    return None


def _inflate_all(
    content: bytes, entries: list[zipfile.ZipInfo], sheet: str, bomb: LazyString
) -> tuple[LazyString | None, dict[int, list[int]]]:
    """Unpack every entry counting real bytes (headers can lie); scan the sheet for formulas."""
    total, formulas = 0, {}
    for entry in entries:
        size, scanner = 0, _FormulaScanner() if entry.filename == sheet else None
        try:
            for chunk in _inflate(content, entry):
                size += len(chunk)
                if size > entry.file_size or total + size > MAX_UNPACKED:
                    return bomb, {}
                if scanner is not None:
                    scanner.feed(chunk)
        except (zlib.error, struct.error, ValueError):
            return _l("the .xlsx file could not be read"), {}
        total += size
        if scanner is not None:
            formulas = scanner.finish()
    return None, formulas


def _inflate(content: bytes, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes in chunks of at most 1 MiB, read from the raw archive."""
    signature, *_, name_length, extra_length = struct.unpack_from(
        "<4s5H3L2H", content, entry.header_offset
    )
    if signature != b"PK\x03\x04" or entry.flag_bits & 1:
        raise ValueError("not a plain local file header")
    start = entry.header_offset + 30 + name_length + extra_length
    raw = memoryview(content)[start : start + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        yield from (bytes(raw[i : i + MIB]) for i in range(0, len(raw), MIB))
        return
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError("unsupported compression")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for i in range(0, len(raw), 64 * 1024):
        yield inflater.decompress(raw[i : i + 64 * 1024], MIB)
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, MIB)
    yield inflater.flush()


class _FormulaScanner:
    """Finds <c r="B7"><f>…</f> cells in a streamed worksheet: {row: [column index]}."""

    PATTERN = re.compile(
        rb'<(?:\w+:)?c\b[^>]{0,300}?\br="([A-Z]{1,3})(\d+)"[^>]{0,300}>\s*<(?:\w+:)?f\b'
    )
    HINTS = (b"<f>", b"<f ", b":f>", b":f ")  # a fast test before the regular expression
    OVERLAP = 1024

    def __init__(self) -> None:
        self.buffer, self.found = b"", {}

    def feed(self, chunk: bytes, final: bool = False) -> None:
        """Scan the new bytes; a match starting in the last OVERLAP bytes waits for more."""
        self.buffer += chunk
        cutoff = len(self.buffer) if final else len(self.buffer) - self.OVERLAP
        hinted = any(token in self.buffer for token in self.HINTS)
        for match in self.PATTERN.finditer(self.buffer) if hinted else ():
            if match.start() >= cutoff:
                break
            column = 0
            for letter in match.group(1).decode():
                column = column * 26 + ord(letter) - 64
            self.found.setdefault(int(match.group(2)), []).append(column - 1)
        self.buffer = self.buffer[max(cutoff, 0) :]

    def finish(self) -> dict[int, list[int]]:
        """Every formula cell found."""
        self.feed(b"", final=True)
        return self.found
