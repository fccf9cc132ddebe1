"""Pages of the innovation domain: blueprint `studios`."""

from flask import Blueprint, render_template

from guild.access import public

bp = Blueprint("studios", __name__, url_prefix="/studios")


@bp.route("/")
@public
def index():
    """The front page of the innovation studio alliance."""
    return render_template("studios/index.html")
