"""Pages of the skills domain: blueprint `competitions`."""

from flask import Blueprint, render_template

from guild.access import public

bp = Blueprint("competitions", __name__, url_prefix="/skills")


@bp.route("/")
@public
def index():
    """The front page of online training and skills contests."""
    return render_template("competitions/index.html")
