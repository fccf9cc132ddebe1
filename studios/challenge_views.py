"""The challenge board: browsing, posting, review, the challenge page, dashboards, the bell:
`challenges`.

The board and the pages of open, selected and finished challenges are public; drafts,
submitted, rejected and cancelled challenges are seen only by the poster and the reviewing
alliance's admins (404 for anyone else). Which buttons a page shows comes from
`challenge_flow.allowed`; the services decide every right again on POST. Dashboards and
notifications are in `challenge_mine_views`, on the same blueprint.
"""

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from guild.access import public, signed_in
from guild.accounts.models import Enterprise
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.money import yuan_to_fen
from guild.timeutil import local_midnight_utc, utcnow
from guild.trades.models import Trade
from guild.web import current_account, current_actor, page_number, small_int
from studios.challenge_forms import AS_ENTERPRISE, AttachForm, ChallengeForm
from studios.challenge_models import Challenge, ChallengeTrade
from studios.courseware_forms import to_local
from studios.models import Alliance, Studio
from studios.services import challenge_board, challenge_files, challenges
from studios.services.challenge_access import is_insider, visible_challenge
from studios.services.challenge_dashboard import led_studio_ids, timeline
from studios.services.challenge_flow import CLAIM_LABELS, STATE_LABELS, allowed
from studios.services.courseware import max_bytes, trade_choices
from studios.web import accept_uploads, attempt, found

bp = Blueprint("challenges", __name__, url_prefix="/challenges")
PER_PAGE = 20
FILTER_NAMES = ("status", "field", "reward_min", "reward_max", "deadline_from", "deadline_to")
FILTER_NAMES += ("trade", "q")
UPLOAD_ENDPOINTS = frozenset({"challenges.attach"})
accept_uploads(bp, UPLOAD_ENDPOINTS)
ACTIONS = ("edit", "submit", "approve", "reject", "cancel")


def _user():
    return current_account()


@bp.app_template_global()
def challenge_file_url(file_id: int) -> str | None:
    """The download address of a challenge file (served by the `challenge_work` pages)."""
    endpoint = current_app.extensions.get("challenge_file_endpoint")
    if endpoint is None:
        rules = [
            r for r in current_app.url_map.iter_rules() if r.rule.startswith("/challenges/files/")
        ]
        endpoint = next((r.endpoint for r in rules if r.arguments == {"file_id"}), "")
        current_app.extensions["challenge_file_endpoint"] = endpoint
    return url_for(endpoint, file_id=file_id) if endpoint else None


@bp.app_template_global()
def board_state_label(state) -> str:
    """A challenge state in words."""
    return str(STATE_LABELS.get(state, state))


@bp.app_template_global()
def board_claim_label(state) -> str:
    """A claim state in words."""
    return str(CLAIM_LABELS.get(state, state))


# The board ---------------------------------------------------------------------------------


def _fen_arg(name: str) -> int | None:
    try:
        value = yuan_to_fen(request.args.get(name, ""), name, challenge_board.MOST_REWARD_FEN)
    except DomainError:
        return None
    return value if request.args.get(name, "").strip() else None


def _date_arg(name: str) -> date | None:
    text = request.args.get(name, "")
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return day if day and 2000 <= day.year <= 2999 else None


def board_filter() -> challenge_board.BoardFilter:
    """The board's filter from the query string; anything malformed is ignored."""
    status = request.args.get("status", "open")
    return challenge_board.BoardFilter(
        status=status if status in challenge_board.STATUS_CHOICES else "open",
        field=request.args.get("field", "")[:40].strip(),
        reward_min_fen=_fen_arg("reward_min"),
        reward_max_fen=_fen_arg("reward_max"),
        deadline_from=_date_arg("deadline_from"),
        deadline_to=_date_arg("deadline_to"),
        trade_id=small_int(request.args.get("trade")),
        query=request.args.get("q", "")[: challenge_board.MAX_QUERY],
    )


def _day_start(day: date):
    return local_midnight_utc(day, current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _filter_links(board) -> dict:
    """The filter's values as query arguments for the pager's links."""
    values = {name: request.args.get(name, "") for name in FILTER_NAMES}
    values["status"] = board.status
    return {name: value[:100] for name, value in values.items() if value}


@bp.route("/")
@public
def index():
    """The board: open challenges (or other public ones) filtered, searched, a page at a time."""
    board = board_filter()
    page = challenge_board.board_page(board, page_number(), PER_PAGE, _day_start)
    context = {
        "board": board,
        "page": page,
        "fields": challenge_board.field_choices(),
        "trades": trade_choices(),
        "links": _filter_links(board),
        "args": request.args,
        "can_post": _can_post(),
    }
    return render_template("studios/challenge_board.html", **context)


def _can_post() -> bool:
    user = _user()
    return user is not None and bool(_poster_choices(user))


# Posting -----------------------------------------------------------------------------------


def _poster_choices(user) -> list[tuple[str, str]]:
    """Whom the person may post for: their enterprise (as its contact) and studios they lead."""
    choices = []
    if user.has_role(Role.ENTERPRISE_CONTACT) and user.enterprise_id:
        name = db.session.get(Enterprise, user.enterprise_id).name
        choices.append((AS_ENTERPRISE, name))
    studio_ids = led_studio_ids(user.id)
    if studio_ids:
        rows = db.session.execute(select(Studio.id, Studio.name).where(Studio.id.in_(studio_ids)))
        choices += [(f"s{row.id}", row.name) for row in rows]
    return choices


def _fill(form: ChallengeForm, user, fixed_poster: str | None = None) -> None:
    choices = _poster_choices(user)
    if fixed_poster is not None:
        choices = [c for c in choices if c[0] == fixed_poster]
    form.post_as.choices = select_choices(choices)
    alliances = db.session.execute(select(Alliance.id, Alliance.name).order_by(Alliance.id))
    form.alliance_id.choices = select_choices([(row.id, row.name) for row in alliances])
    form.trade_ids.choices = trade_choices()


def _form_page(form, challenge=None, status: int = 200):
    context = {"form": form, "challenge": challenge}
    return render_template("studios/challenge_form.html", **context), status


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new():
    """An enterprise contact or a studio leader drafts a challenge."""
    user = _user()
    form = ChallengeForm()
    _fill(form, user)
    if not form.post_as.choices:
        abort(403)
    if not form.is_submitted():
        return _form_page(form)
    if not form.validate():
        return _form_page(form, status=400)
    done, challenge = attempt(
        lambda: challenges.create_challenge(current_actor(), form.fields()), form
    )
    if not done:
        return _form_page(form, status=400)
    flash(_("The challenge has been saved as a draft."), "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge.id))


def _poster_key(challenge: Challenge) -> str:
    if challenge.poster_studio_id is None:
        return AS_ENTERPRISE
    return f"s{challenge.poster_studio_id}"


def _edit_form(challenge: Challenge) -> ChallengeForm:
    """The form filled from the challenge (on GET)."""
    trades = select(ChallengeTrade.trade_id).where(ChallengeTrade.challenge_id == challenge.id)
    return ChallengeForm(
        post_as=_poster_key(challenge),
        alliance_id=challenge.alliance_id,
        title=challenge.title,
        problem=challenge.problem,
        indicators=challenge.indicators,
        requirements=challenge.requirements,
        field=challenge.field,
        trade_ids=list(db.session.scalars(trades)),
        reward_yuan=f"{challenge.reward_fen / 100:.2f}",
        deadline=to_local(challenge.deadline),
        winners_wanted=challenge.winners_wanted,
    )


def _insider_challenge(challenge_id: int) -> Challenge:
    return found(lambda: visible_challenge(_user(), challenge_id))


def _may(action: str, challenge: Challenge, parts=None) -> bool:
    parts = parts if parts is not None else challenges.parts_of(_user(), challenge)
    return allowed(action, parts, challenge.state, challenge.deadline, utcnow())


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(challenge_id: int):
    """The poster changes a draft or a rejected challenge."""
    challenge = _insider_challenge(challenge_id)
    if not challenges.is_poster(_user(), challenge):
        abort(403)
    if not _may("edit", challenge):
        flash(_("This challenge can no longer be edited."), "warning")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    form = ChallengeForm() if request.method == "POST" else _edit_form(challenge)
    _fill(form, _user(), _poster_key(challenge))
    if not form.is_submitted():
        return _form_page(form, challenge)
    if not form.validate():
        return _form_page(form, challenge, 400)
    done, _result = attempt(
        lambda: challenges.edit_challenge(current_actor(), challenge.id, form.fields()), form
    )
    if not done:
        return _form_page(form, _insider_challenge(challenge_id), 400)
    flash(_("The challenge has been saved."), "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge_id))


# The challenge page ------------------------------------------------------------------------


def _poster_name(challenge: Challenge) -> str:
    if challenge.poster_studio_id is not None:
        return db.session.get(Studio, challenge.poster_studio_id).name
    return db.session.get(Enterprise, challenge.poster_enterprise_id).name


def _trade_names(challenge_id: int) -> list[str]:
    query = (
        select(Trade.name)
        .join(ChallengeTrade, ChallengeTrade.trade_id == Trade.id)
        .where(ChallengeTrade.challenge_id == challenge_id)
        .order_by(Trade.name)
    )
    return list(db.session.scalars(query))


@bp.route("/<int:challenge_id>")
@public
def detail(challenge_id: int):
    """A challenge: what it asks, its reward and deadline, files, timeline and actions."""
    return _detail_page(challenge_id)


def _detail_page(challenge_id: int, status: int = 200):
    user = _user()
    challenge = found(lambda: visible_challenge(user, challenge_id))
    parts = challenges.parts_of(user, challenge)
    insider = is_insider(user, challenge)
    context = {
        "challenge": challenge,
        "poster_name": _poster_name(challenge),
        "alliance": db.session.get(Alliance, challenge.alliance_id),
        "trades": _trade_names(challenge.id),
        "files": challenge_files.files_of(challenge.id),
        "steps": timeline(challenge, insider),
        "insider": insider,
        "may": {action: _may(action, challenge, parts) for action in ACTIONS},
        "attach_form": AttachForm(),
        "max_mb": max(1, max_bytes() // (1024 * 1024)),
    }
    return render_template("studios/challenge_detail.html", **context), status


def _act_on(challenge_id: int, action, done_message: str):
    """Run a poster's action on the challenge: back to its page with the message, or the
    page again with the refusal (400)."""
    done, _result = attempt(action)
    if not done:
        return _detail_page(challenge_id, 400)
    flash(done_message, "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge_id))


@bp.route("/<int:challenge_id>/submit", methods=["POST"])
@signed_in
def submit(challenge_id: int):
    """The poster sends the challenge to its alliance's review."""
    _insider_challenge(challenge_id)
    return _act_on(
        challenge_id,
        lambda: challenges.submit_challenge(current_actor(), challenge_id),
        _("The challenge has been submitted for review."),
    )


@bp.route("/<int:challenge_id>/cancel", methods=["POST"])
@signed_in
def cancel(challenge_id: int):
    """The poster cancels the challenge before any winner is selected."""
    _insider_challenge(challenge_id)
    return _act_on(
        challenge_id,
        lambda: challenges.cancel_challenge(current_actor(), challenge_id),
        _("The challenge has been cancelled."),
    )


from studios import challenge_mine_views, challenge_review_views  # noqa: E402, F401  (routes on `bp`)
