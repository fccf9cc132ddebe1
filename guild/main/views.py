"""The home page, the language switch and the health check: blueprint `main`."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from guild.access import public
from guild.accounts.services.users import set_locale
from guild.extensions import db
from guild.i18n import LANGUAGE_COOKIE
from guild.web import current_account, safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """Tell visitors what the platform offers; greet signed-in users with their shortcuts."""
    return render_template("index.html")


@bp.route("/ping")
@public
def ping():
    """A constant answer for load balancers, and the baseline of the HTTP benchmark."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/language", methods=["POST"])
@public
def language():
    """Switch the interface language; remembered per user, or in a cookie for visitors."""
    chosen = request.form.get("language", "")
    back = safe_next(request.form.get("next"), url_for("main.index"))
    response = redirect(back)
    if chosen not in current_app.config["LANGUAGES"]:  # CSRF is checked by CSRFProtect
        return response
    if current_user.is_authenticated:
        set_locale(current_account(), chosen)
        db.session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
    )
    return response
