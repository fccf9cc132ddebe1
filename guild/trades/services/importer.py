"""Importing the trades catalogue from CSV: all rows or none, errors by line number."""

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.levels import SkillLevel, parse_level
from guild.trades.models import Trade
from guild.trades.rules import category_problem, code_problem, name_problem
from guild.trades.services.catalogue import TradeFields, apply_fields

COLUMN_ALIASES = {
    "code": ("code", "职业编码", "职业代码", "编码", "代码"),
    "name": ("name", "工种", "工种名称", "职业名称", "名称"),
    "category": ("category", "类别", "分类", "行业"),
    "levels": ("levels", "等级", "技能等级", "职业技能等级"),
}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line of the file (line 1 is the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return str(_l("Line %(line)d: %(message)s", line=self.line, message=self.message))


class ImportRejected(DomainError):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_l("The file was not imported: %(count)d problems.", count=len(errors)))
        self.errors = errors


@dataclass(frozen=True)
class TradeRow:
    """One valid line of the file."""

    line: int
    fields: TradeFields


@dataclass
class ImportSummary:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def decode_csv(content: bytes) -> str:
    """Decode UTF-8 (with or without BOM); anything else is refused with its line numbers."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    bad_lines = []
    for number, line in enumerate(content.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append(number)
    message = _l("not UTF-8 text (the file may be GBK); save it as CSV UTF-8 and try again")
    raise ImportRejected([RowError(number, str(message)) for number in bad_lines[:20]])


def _column_map(header: list[str]) -> dict[str, int]:
    """Find each needed column by its English or Chinese heading."""
    cleaned = [cell.strip().lower() for cell in header]
    columns, missing = {}, []
    for key, aliases in COLUMN_ALIASES.items():
        index = next((cleaned.index(a) for a in aliases if a in cleaned), None)
        if index is None:
            (missing if key != "code" else []).append(key)
        else:
            columns[key] = index
    if missing:
        message = _l("missing column(s): %(names)s", names=", ".join(missing))
        raise ImportRejected([RowError(1, str(message))])
    return columns


def parse_trades_csv(content: bytes) -> list[TradeRow]:
    """Read and check every line; raise ImportRejected listing every problem."""
    if not content.strip():
        raise ImportRejected([RowError(1, str(_l("the file is empty")))])
    text = decode_csv(content)
    if "\x00" in text:
        raise ImportRejected(
            [RowError(1, str(_l("the file holds NUL characters: not a CSV file")))]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _read_rows(reader)
    except csv.Error as error:  # e.g. a field over the csv module's size limit
        message = _l("the file cannot be read as CSV: %(error)s", error=str(error))
        raise ImportRejected([RowError(reader.line_num, str(message))]) from error


def _read_rows(reader) -> list[TradeRow]:
    """Check every line after the header; raise ImportRejected listing every problem."""
    columns = _column_map(next(reader, []))
    rows, errors = [], []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(RowError(line, str(_l("more than %(max)d rows", max=MAX_ROWS))))
            break
        try:
            fields = _row_fields(cells, columns)
            _check_unique(fields, line, seen_codes, seen_names)
        except ValueError as problem:
            errors.append(RowError(line, str(problem)))
            continue
        rows.append(TradeRow(line, fields))
    if errors:
        raise ImportRejected(errors)
    return rows


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _row_fields(cells: list[str], columns: dict[str, int]) -> TradeFields:
    """Turn the cells of a line into trade fields, raising ValueError with the problem."""
    code, name = _cell(cells, columns, "code"), _cell(cells, columns, "name")
    category = _cell(cells, columns, "category")
    problem = name_problem(name) or code_problem(code) or category_problem(category)
    if problem:
        raise ValueError(problem)
    return TradeFields(name, category, _levels(_cell(cells, columns, "levels")), code or None)


def _levels(text: str) -> tuple[SkillLevel, ...]:
    parts = [part for part in re.split(r"[\s,，、;；/|]+", text) if part]
    levels = tuple(parse_level(part) for part in parts)
    if not levels or None in levels:
        raise ValueError(_l("the levels must be among L5 L4 L3 L2 L1 (or 五级…一级)"))
    return levels  # type: ignore[return-value]


def _check_unique(
    fields: TradeFields, line: int, codes: dict[str, int], names: dict[str, int]
) -> None:
    if fields.code and fields.code in codes:
        other = codes[fields.code]
        raise ValueError(
            _l("the code %(code)s is already on line %(other)d", code=fields.code, other=other)
        )
    if fields.name in names:
        raise ValueError(_l("the name is already on line %(other)d", other=names[fields.name]))
    if fields.code:
        codes[fields.code] = line
    names[fields.name] = line


def import_trades(
    actor: Actor, rows: list[TradeRow], progress: Callable[[int], None] | None = None
) -> ImportSummary:
    """Create or update trades (matched by code, else by name); all or nothing."""
    plan = _plan(rows)
    try:
        with db.session.begin_nested():
            summary = _apply(plan, progress)
    except IntegrityError as error:  # e.g. two rows swapping names between existing trades
        message = _l("codes or names clash with other trades; import them in two steps")
        raise ImportRejected([RowError(1, str(message))]) from error
    record(actor, "trades.import", "trades", None, _summary_snapshot(summary))
    return summary


def _plan(rows: list[TradeRow]) -> list[tuple[TradeRow, Trade | None]]:
    """Pair each row with the trade it updates (None: a new one); refuse clashes."""
    by_code, by_name = _existing_trades()
    plan, errors, claimed = [], [], {}
    for row in rows:
        trade = _match(row.fields, by_code, by_name)
        clash = by_name.get(row.fields.name)
        if clash is not None and trade is not None and clash is not trade:
            errors.append(RowError(row.line, str(_l("another trade already has this name"))))
        elif trade is not None and id(trade) in claimed:
            message = _l("updates the same trade as line %(other)d", other=claimed[id(trade)])
            errors.append(RowError(row.line, str(message)))
        if trade is not None:
            claimed.setdefault(id(trade), row.line)
        plan.append((row, trade))
    if errors:
        raise ImportRejected(errors)
    return plan


def _existing_trades() -> tuple[dict[str, Trade], dict[str, Trade]]:
    trades = db.session.scalars(db.select(Trade)).all()
    return {t.code: t for t in trades if t.code}, {t.name: t for t in trades}


def _match(
    fields: TradeFields, by_code: dict[str, Trade], by_name: dict[str, Trade]
) -> Trade | None:
    if fields.code and fields.code in by_code:
        return by_code[fields.code]
    return by_name.get(fields.name)


def _apply(
    plan: Iterable[tuple[TradeRow, Trade | None]], progress: Callable[[int], None] | None
) -> ImportSummary:
    summary = ImportSummary()
    for row, trade in plan:
        target = trade or Trade()
        before = (target.code, target.name, target.category, list(target.level_codes or []))
        apply_fields(target, row.fields, keep_code=True)  # an empty cell never erases a code
        after = (target.code, target.name, target.category, target.level_codes)
        if trade is None:
            db.session.add(target)
            summary.created += 1
        elif before != after:
            summary.updated += 1
        else:
            summary.unchanged += 1
        if progress:
            progress(1)
    db.session.flush()
    return summary


def _summary_snapshot(summary: ImportSummary) -> dict:
    return {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}
