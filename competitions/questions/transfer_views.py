"""Moving questions in and out of a bank: import with preview, export, the template."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from competitions.questions.forms import ConfirmImportForm, ImportForm
from competitions.questions.services import exporting, importing
from competitions.questions.views import EDITORS, _filters, bp
from guild.access import roles_required
from guild.errors import DomainError
from guild.extensions import db
from guild.storage import storage
from guild.trades.models import Trade
from guild.web import current_actor

STAGED = "question_import"


def _download(content: bytes, mimetype: str, filename: str):
    return send_file(
        BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename
    )


@bp.route("/template.xlsx")
@roles_required(*EDITORS)
def template():
    """The import template with instructions and allowed values."""
    from competitions.questions.interchange.tabular import template_xlsx

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(template_xlsx(), xlsx, "题库导入模板.xlsx")


@bp.route("/<int:trade_id>/export")
@roles_required(*EDITORS)
def export(trade_id: int):
    """Download the filtered bank as .xlsx, .csv or Moodle XML."""
    trade = db.get_or_404(Trade, trade_id)
    kind = request.args.get("format", "xlsx")
    if kind not in exporting.FORMATS:
        abort(400)
    exported = exporting.export_bank(trade, _filters(), kind)
    return _download(exported.content, exported.mimetype, exported.filename)


def _forget_staged() -> None:
    staged = session.pop(STAGED, None)
    if staged:
        storage("staging").delete(staged["key"])


@bp.route("/<int:trade_id>/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def upload(trade_id: int):
    """Upload a file and see what would be imported, with every problem by row."""
    trade = db.get_or_404(Trade, trade_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("competitions/import_upload.html", form=form, trade=trade)
    content, filename = form.file.data.read(), form.file.data.filename or "upload"
    report = importing.preview(trade, content, filename)
    _forget_staged()
    if report.ok and report.rows:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        key = storage("staging").save(content, suffix)
        session[STAGED] = {"key": key, "trade_id": trade.id, "filename": filename}
    return render_template(
        "competitions/import_preview.html",
        trade=trade,
        report=report,
        filename=filename,
        confirm=ConfirmImportForm(),
    )


@bp.route("/<int:trade_id>/import/confirm", methods=["POST"])
@roles_required(*EDITORS)
def confirm_import(trade_id: int):
    """Import the previewed file: every row or none."""
    trade = db.get_or_404(Trade, trade_id)
    staged = session.get(STAGED)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or not staged or staged["trade_id"] != trade.id:
        flash(_("Upload the file again: the preview has expired."), "warning")
        return redirect(url_for("banks.upload", trade_id=trade.id))
    try:
        content = storage("staging").read(staged["key"])
        report = importing.preview(trade, content, staged["filename"])
        summary = importing.import_rows(current_actor(), trade, report, form.skip_duplicates.data)
    except (DomainError, FileNotFoundError, KeyError) as error:
        db.session.rollback()
        flash(
            str(error)
            if isinstance(error, DomainError)
            else _("Upload the file again: the preview has expired."),
            "danger",
        )
        return redirect(url_for("banks.upload", trade_id=trade.id))
    db.session.commit()
    _forget_staged()
    flash(
        _(
            "Imported %(created)d questions; skipped %(skipped)d already in the bank.",
            created=summary.created,
            skipped=summary.duplicates,
        ),
        "success",
    )
    return redirect(url_for("banks.trade_bank", trade_id=trade.id))
