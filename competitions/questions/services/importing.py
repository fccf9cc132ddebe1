"""Importing questions into a bank: preview with problems, then all rows or none, fast."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, literal, select

from competitions.questions.models import Question, QuestionVersion
from competitions.questions.services.bank import stem_key, version_values
from competitions.questions.types import ParsedRow, ParseReport, Problem, QuestionStatus
from guild.audit.services import Actor, record
from guild.bulk import collection_paused, insert_rows
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade

BATCH = 2000


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    created: int
    duplicates: int


def read_file(content: bytes, filename: str) -> ParseReport:
    """Parse an upload by its extension: .csv, .xlsx, .xml (Moodle XML) or .gift/.txt (GIFT)."""
    from competitions.questions.interchange.gift import parse_gift
    from competitions.questions.interchange.moodle_xml import parse_moodle_xml
    from competitions.questions.interchange.tabular import parse_spreadsheet

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("csv", "xlsx"):
        return parse_spreadsheet(content, filename)
    if suffix == "xml":
        return parse_moodle_xml(content)
    if suffix in ("gift", "txt"):
        return parse_gift(content)
    message = _l("Use a .xlsx, .csv, Moodle .xml or GIFT .gift/.txt file.")
    return ParseReport(errors=[Problem(0, str(message))])


def bank_duplicate_rows(trade: Trade, rows: list[ParsedRow]) -> set[int]:
    """The places of rows whose stem is already in the trade's bank."""
    row_keys = {row.where: stem_key(row.data.stem, row.key) for row in rows}
    keys = set(row_keys.values())
    if not keys:
        return set()
    query = (
        db.select(QuestionVersion.stem_key)
        .join(Question, QuestionVersion.question_id == Question.id)
        .where(Question.trade_id == trade.id, QuestionVersion.is_current.is_(True))
    )
    existing = {key for key in db.session.scalars(query) if key in keys}
    return {where for where, key in row_keys.items() if key in existing}


def preview(trade: Trade, content: bytes, filename: str) -> ParseReport:
    """Read a file and add the bank's duplicate warnings; nothing is written."""
    report = read_file(content, filename)
    message = str(_l("the same stem is already in the bank"))
    for where in sorted(bank_duplicate_rows(trade, report.rows)):
        report.warnings.append(Problem(where, message))
    report.warnings.sort(key=lambda problem: problem.where)
    return report


def import_rows(
    actor: Actor,
    trade: Trade,
    report: ParseReport,
    skip_duplicates: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Insert every row of a clean report, in batches through Core; refuse a report with errors."""
    if not report.ok:
        raise DomainError(_l("The file has errors; nothing was imported."))
    rows = report.rows
    duplicates = 0
    if skip_duplicates:
        flagged = bank_duplicate_rows(trade, rows)
        kept = [row for row in rows if row.where not in flagged]
        duplicates, rows = len(rows) - len(kept), kept
    author_id = actor.user.id if actor.user else None
    with collection_paused():
        for start in range(0, len(rows), BATCH):
            _insert_batch(trade, rows[start : start + BATCH], author_id)
            if progress:
                progress(len(rows[start : start + BATCH]))
    record(actor, "questions.import", trade, None, {"created": len(rows), "skipped": duplicates})
    return ImportSummary(created=len(rows), duplicates=duplicates)


def _alike_questions(trade_id: int, author_id: int | None, now, count: int):
    """INSERT `count` identical active questions of a trade, RETURNING their ids."""
    table = Question.__table__
    sequence = select(literal(1).label("n")).cte("sequence", recursive=True)
    sequence = sequence.union_all(select(sequence.c.n + 1).where(sequence.c.n < count))
    values = {
        "trade_id": trade_id,
        "status": QuestionStatus.ACTIVE,
        "author_id": author_id,
        "created_at": now,
        "updated_at": now,
    }
    columns = [literal(value, table.c[name].type) for name, value in values.items()]
    source = select(*columns).select_from(sequence)
    return insert(table).from_select(list(values), source).returning(table.c.id)


def _insert_batch(trade: Trade, rows: list[ParsedRow], author_id: int | None) -> None:
    """Insert a batch of questions and their first versions.

    The new question rows are all alike (trade, status, author, time), so one INSERT ...
    SELECT over a counted sequence makes them all, and the ids it returns pair with the
    versions in any order. The versions go in through the driver's bulk path.
    """
    now = utcnow()
    ids = db.session.scalars(_alike_questions(trade.id, author_id, now, len(rows))).all()
    versions = [
        {
            "question_id": question_id,
            "number": 1,
            "is_current": True,
            "author_id": author_id,
            "created_at": now,
            **version_values(row.data, row.key),
        }
        for question_id, row in zip(ids, rows, strict=True)
    ]
    insert_rows(QuestionVersion.__table__, versions)
