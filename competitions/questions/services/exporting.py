"""Exporting a filtered bank as .xlsx, .csv or Moodle XML."""

from dataclasses import dataclass

from competitions.questions.models import QuestionVersion
from competitions.questions.services.bank import BankFilter, filtered_query
from competitions.questions.types import QuestionData
from guild.extensions import db
from guild.trades.models import Trade

FORMATS = ("xlsx", "csv", "moodle-xml")


@dataclass(frozen=True)
class ExportFile:
    """A file to hand to the user."""

    content: bytes
    mimetype: str
    filename: str


def bank_questions(trade: Trade, filters: BankFilter) -> list[QuestionData]:
    """The current content of the trade's questions matching the filter, oldest first."""
    query = filtered_query(trade, filters).with_only_columns(QuestionVersion)
    query = query.order_by(QuestionVersion.question_id)
    return [version.to_data() for version in db.session.scalars(query)]


def export_bank(trade: Trade, filters: BankFilter, kind: str) -> ExportFile:
    """Write the filtered bank in one of FORMATS."""
    from competitions.questions.interchange.moodle_xml import export_moodle_xml
    from competitions.questions.interchange.tabular import export_csv, export_xlsx

    questions = bank_questions(trade, filters)
    stem = f"questions-{trade.code or trade.id}"
    if kind == "csv":
        return ExportFile(export_csv(questions), "text/csv; charset=utf-8", f"{stem}.csv")
    if kind == "moodle-xml":
        return ExportFile(export_moodle_xml(questions), "application/xml", f"{stem}.xml")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return ExportFile(export_xlsx(questions), xlsx, f"{stem}.xlsx")
