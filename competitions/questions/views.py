"""Question banks for organisers: browse, author, import, export: blueprint `banks`."""

from itertools import chain

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from competitions.questions.forms import QuestionForm
from competitions.questions.models import Question
from competitions.questions.services import bank, images, statistics
from competitions.questions.types import QuestionStatus, QuestionType
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.storage import storage
from guild.trades.models import Trade
from guild.trades.services.catalogue import search_trades
from guild.web import (
    current_actor,
    filter_args,
    int_arg,
    page_number,
    page_size,
    safe_next,
    show_domain_error,
)

bp = Blueprint("banks", __name__, url_prefix="/skills/banks", cli_group="questions")
EDITORS = (Role.ORGANISER, Role.ADMIN)
FILTERS = ("q", "type", "chapter", "difficulty", "level", "status")


@bp.route("/")
@roles_required(*EDITORS)
def index():
    """Every trade with the size of its bank."""
    text = request.args.get("q", "").strip()[:50]
    pagination = search_trades(text, None, page_number(), page_size())
    return render_template(
        "competitions/banks.html",
        pagination=pagination,
        counts=bank.active_counts([trade.id for trade in pagination.items]),
        q=text,
    )


def _filters() -> bank.BankFilter:
    """The bank filter from the query string; unknown values are ignored."""
    args = request.args
    kind = args.get("type", "")
    status = args.get("status", "")
    level = args.get("level", "")
    difficulty = int_arg("difficulty")
    return bank.BankFilter(
        type=QuestionType(kind) if kind in QuestionType._value2member_map_ else None,
        chapter=args.get("chapter", "")[:100] or None,
        difficulty=difficulty if difficulty and difficulty <= 5 else None,
        level=level if level in ("L1", "L2", "L3", "L4", "L5") else None,
        status=QuestionStatus(status) if status in QuestionStatus._value2member_map_ else None,
        text=args.get("q", "").strip()[:100],
    )


@bp.route("/<int:trade_id>/")
@roles_required(*EDITORS)
def trade_bank(trade_id: int):
    """A trade's bank: filters, counts, and the questions."""
    trade = db.get_or_404(Trade, trade_id)
    filters = _filters()
    pagination = bank.search_bank(trade, filters, page_number(), page_size())
    return render_template(
        "competitions/bank.html",
        trade=trade,
        filters=filters,
        pagination=pagination,
        item_stats=statistics.bank_statistics(trade.id, [q.id for q in pagination.items]),
        counts=bank.bank_counts(trade),
        chapters=bank.chapters(trade),
        filter_args=filter_args(*FILTERS),
        types=list(QuestionType),
        statuses=list(QuestionStatus),
    )


@bp.route("/<int:trade_id>/statistics")
@roles_required(*EDITORS)
def item_statistics(trade_id: int):
    """Facility and discrimination of the bank's answered questions, flagged ones first."""
    trade = db.get_or_404(Trade, trade_id)
    found = statistics.bank_statistics(trade.id)
    questions = {q.id: q for q in bank.questions_by_ids(trade, list(found))}
    rows = sorted(
        (row for row in found.values() if row["question_id"] in questions),
        key=lambda row: (not row["flagged"], row["discrimination"] is not None, -row["attempts"]),
    )
    return render_template(
        "competitions/item_statistics.html",
        trade=trade,
        rows=rows,
        questions=questions,
        low=statistics.LOW_DISCRIMINATION,
        minimum=statistics.MIN_ATTEMPTS,
    )


def _save(trade: Trade, question: Question | None):
    form = QuestionForm()
    if request.method == "GET" and question is not None:
        form.fill_from(question.current.to_data())
    if form.validate_on_submit():
        try:
            image_key = _chosen_image(form, question)
            if question is None:
                question = bank.create_question(
                    current_actor(), trade, form.to_data(), image_key=image_key
                )
            else:
                bank.edit_question(current_actor(), question, form.to_data(), image_key)
        except DomainError as error:
            if not show_domain_error(form, error):
                flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("banks.preview", question_id=question.id))
    return render_template(
        "competitions/question_form.html", form=form, trade=trade, question=question
    )


def _chosen_image(form: QuestionForm, question: Question | None) -> str | None:
    """The picture the saved version shows: a new upload, none, or the current one."""
    upload = form.image.data
    if upload and getattr(upload, "filename", ""):
        return images.store_image(upload.read())
    if form.remove_image.data or question is None:
        return None
    return question.current.image_key


@bp.route("/images/<key>")
@signed_in
def image(key: str):
    """A stem picture (workers see them in training), served only as the image it is."""
    try:
        stream = storage(images.AREA).stream(key)
        first = next(stream, b"")
    except (KeyError, FileNotFoundError):
        abort(404)
    response = Response(chain([first], stream), mimetype=images.image_mimetype(key))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<int:trade_id>/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create(trade_id: int):
    """Write a new question for a trade."""
    return _save(db.get_or_404(Trade, trade_id), None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(question_id: int):
    """Edit a question: the old version is kept for the answers that point at it."""
    question = db.get_or_404(Question, question_id)
    return _save(db.get_or_404(Trade, question.trade_id), question)


@bp.route("/questions/<int:question_id>")
@roles_required(*EDITORS)
def preview(question_id: int):
    """The question as a worker sees it, with the answer and explanation below."""
    question = db.get_or_404(Question, question_id)
    return render_template(
        "competitions/question_preview.html",
        question=question,
        version=question.current,
        trade=db.session.get(Trade, question.trade_id),
    )


@bp.route("/<int:trade_id>/status", methods=["POST"])
@roles_required(*EDITORS)
def change_status(trade_id: int):
    """Retire or restore the ticked questions of a bank."""
    trade = db.get_or_404(Trade, trade_id)
    status = request.form.get("status", "")
    if status not in QuestionStatus._value2member_map_:
        abort(400)
    ids = [
        int(value) for value in request.form.getlist("ids") if value.isdigit() and len(value) < 10
    ]
    changed = bank.set_status(
        current_actor(), bank.questions_by_ids(trade, ids), QuestionStatus(status)
    )
    db.session.commit()
    flash(_("%(count)d questions changed.", count=changed), "success" if changed else "info")
    return redirect(
        safe_next(request.form.get("back"), url_for("banks.trade_bank", trade_id=trade.id))
    )
