"""Question banks as spreadsheets: parse .csv/.xlsx imports, write .csv/.xlsx exports.

Reading is split in two: tabular_read loads the file safely (limits, encodings, zip bombs,
formula cells); this module turns the cells into questions. tabular_write writes files.
"""

import re
import unicodedata
from functools import lru_cache

import pandas as pd
from flask_babel import lazy_gettext as _l

from competitions.questions import rules
from competitions.questions.interchange.tabular_read import (
    COLUMNS,
    CSV_UNESCAPE,
    DIFFICULTY_WORDS,
    HEADER_ALIASES,
    LETTER_SEPARATORS,
    LIST_SEPARATORS,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    TF_ALIASES,
    TYPE_ALIASES,
    fold,
    load_sheet,
)
from competitions.questions.interchange.tabular_write import (
    export_csv,
    export_rows,
    export_xlsx,
    template_xlsx,
)
from competitions.questions.types import (
    OPTION_LETTERS,
    ParsedRow,
    ParseReport,
    Problem,
    QuestionData,
    QuestionType,
)
from guild.bulk import collection_paused
from guild.trades.levels import parse_level

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "export_csv",
    "export_rows",
    "export_xlsx",
    "parse_spreadsheet",
    "template_xlsx",
]

ORDER = list(COLUMNS)  # type, stem, A…H, answer, explanation, difficulty, chapter, levels, tags
CHOICE = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def parse_spreadsheet(content: bytes, filename: str) -> ParseReport:
    """Read every question of a .csv or .xlsx file, with row-numbered errors and warnings."""
    report = ParseReport()
    frame, formulas, problem = load_sheet(content, filename)
    if frame is None:
        report.errors.append(problem or Problem(0, str(_l("the file could not be read"))))
        return report
    columns = _map_headers(frame, report)
    if columns is None:
        return report
    table = _table(frame, columns)
    bad = _formula_cells(table, formulas, columns)
    for row, names in sorted(bad.items()):
        message = _l("formulas are not allowed (%(columns)s)", columns=", ".join(names))
        report.errors.append(Problem(row, str(message)))
    _unescape(table)
    with collection_paused():
        _convert_rows(table, set(bad), report)
    if not report.rows and not report.errors:
        report.errors.append(Problem(0, str(_l("the file has no questions"))))
    report.errors.sort(key=lambda problem: problem.where)
    return report


def _map_headers(frame: pd.DataFrame, report: ParseReport) -> dict[str, int] | None:
    """Each known column's position, from row 1; None (with errors) when unusable."""
    columns: dict[str, int] = {}
    unknown, twice = [], []
    header = frame.iloc[0].tolist() if len(frame) else []
    for index, title in zip(frame.columns, header, strict=True):
        key = HEADER_ALIASES.get(fold(title))
        if key is None:
            unknown += [str(title).strip()] if str(title).strip() else []
        elif key in columns:
            twice.append(str(title).strip())
        else:
            columns[key] = index
    missing = [f"{COLUMNS[key]} ({key})" for key in REQUIRED if key not in columns]
    if missing:
        names = ", ".join(missing)
        message = _l("missing required columns (titles go in row 1): %(names)s", names=names)
        report.errors.append(Problem(1, str(message)))
    if twice:
        message = _l("columns given twice: %(names)s", names=", ".join(twice))
        report.errors.append(Problem(1, str(message)))
    if unknown:
        message = _l("unknown columns are ignored: %(names)s", names=", ".join(unknown))
        report.warnings.append(Problem(1, str(message)))
    return None if report.errors else columns


def _table(frame: pd.DataFrame, columns: dict[str, int]) -> dict[str, list[str]]:
    """Each known column as a list of stripped texts, from Excel row 2 down."""
    # Plain lists: without pyarrow, pandas' .str methods and itertuples on str columns are
    # several times slower than list comprehensions over the same values.
    blank = [""] * (len(frame) - 1)
    return {
        key: [value.strip() for value in frame[columns[key]].tolist()[1:]]
        if key in columns
        else blank
        for key in ORDER
    }


def _starting(values: list[str], prefix: str) -> list[int]:
    """The positions of the values that start with prefix (a C-speed test first)."""
    if "\x00" + prefix not in "\x00" + "\x00".join(values):
        return []
    return [index for index, value in enumerate(values) if value.startswith(prefix)]


def _formula_cells(table: dict, formulas: dict, columns: dict) -> dict[int, list[str]]:
    """Rows holding formulas or text starting with "=", with the columns concerned."""
    bad: dict[int, list[str]] = {}
    for key in columns:
        for index in _starting(table[key], "="):
            bad.setdefault(index + 2, []).append(COLUMNS[key])
    key_at = {index: key for key, index in columns.items()}
    for row, indexes in formulas.items():
        for index in indexes:
            name = COLUMNS.get(key_at.get(index, ""))
            if name and name not in bad.get(row, []):
                bad.setdefault(row, []).append(name)
    return bad


def _unescape(table: dict[str, list[str]]) -> None:
    """Drop the apostrophe our CSV export puts before text starting with = + - @."""
    for values in table.values():
        for index in _starting(values, "'"):
            values[index] = CSV_UNESCAPE.sub("", values[index])


def _convert_rows(table: dict[str, list[str]], skip: set[int], report: ParseReport) -> None:
    """Build and check a question per non-blank row; valid ones go to report.rows."""
    seen: dict[str, int] = {}
    for row, cells in enumerate(zip(*table.values(), strict=True), start=2):
        if not any(cells):
            continue
        kind_text, stem, *rest = cells
        key = _check_duplicate(row, stem, seen, report)
        if row in skip:
            continue
        kind = _kind(kind_text)
        if kind is None:
            report.errors.append(Problem(row, _kind_message(kind_text)))
            continue
        question = _question(kind, stem, rest)
        found = rules.problems(question)
        if found:
            report.errors.extend(Problem(row, message) for message in found)
        else:
            report.rows.append(ParsedRow(row, question, key))


def _question(kind: QuestionType, stem: str, cells: list[str]) -> QuestionData:
    """The question of one row; cells are A…H, answer, explanation, difficulty, chapter, …"""
    options = cells[: len(OPTION_LETTERS)]
    while options and not options[-1]:
        options.pop()  # trailing empty option cells; gaps stay, for the rules to object
    answer, explanation, difficulty, chapter, levels, tags = cells[len(OPTION_LETTERS) :]
    return QuestionData(
        type=kind,
        stem=stem,
        options=options,
        answer=list(_answer(kind, answer)),
        explanation=explanation,
        difficulty=_difficulty(difficulty),
        chapter=chapter,
        levels=list(_levels(levels)),
        tags=list(_tags(tags)),
    )


def _check_duplicate(row: int, stem: str, seen: dict[str, int], report: ParseReport) -> str:
    """Warn when a stem repeats an earlier row's; return the normalised stem compared."""
    key = rules.normalise_stem(stem)
    if not key:
        return key
    first = seen.setdefault(key, row)
    if first != row:
        message = _l("the same stem as row %(row)d", row=first)
        report.warnings.append(Problem(row, str(message)))
    return key


def _kind_message(text: str) -> str:
    """Why a 题型 cell was not understood."""
    if not text:
        return str(_l("the question type is empty"))
    return str(_l("unknown question type “%(value)s”: use 单选, 多选, 判断 or 填空", value=text))


# Cells repeat a lot (answers, levels, tags): parse each distinct value once.
@lru_cache(maxsize=4096)
def _kind(text: str) -> QuestionType | None:
    """The type a 题型 cell names, or None."""
    return TYPE_ALIASES.get(fold(text))


@lru_cache(maxsize=4096)
def _answer(kind: QuestionType, text: str) -> tuple[str, ...]:
    """Sorted letters, true/false (unknown words kept for the rules to refuse), or answers."""
    if kind in CHOICE:
        letters = unicodedata.normalize("NFKC", text).upper()
        return tuple(sorted(c for c in letters if c not in LETTER_SEPARATORS))
    if kind == QuestionType.TRUE_FALSE:
        return (TF_ALIASES.get(fold(text), text),) if text else ()
    return tuple(part.strip() for part in re.split(r"[|｜]", text) if part.strip())


@lru_cache(maxsize=4096)
def _difficulty(text: str) -> int:
    """1–5 from a number or 易/中/难; 3 when blank; 0 when unreadable."""
    if not text:
        return 3
    if text.casefold() in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[text.casefold()]
    try:
        value = float(text)
    except ValueError:
        return 0  # out of range: rules.problems names the problem
    return int(value) if value.is_integer() else 0


@lru_cache(maxsize=4096)
def _levels(text: str) -> tuple[str, ...]:
    """Level codes in the order given, without repeats; unknown words kept, upper-cased."""
    codes: list[str] = []
    for part in LIST_SEPARATORS.split(text):
        level = parse_level(part) if part else None
        code = level.value if level else part.upper()
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


@lru_cache(maxsize=4096)
def _tags(text: str) -> tuple[str, ...]:
    """The tags, without repeats."""
    return tuple(dict.fromkeys(part for part in LIST_SEPARATORS.split(text) if part))
