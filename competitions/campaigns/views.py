"""Campaign pages: rules, leaderboards, statistics and forms: blueprint `campaigns`."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/skills/campaigns", cli_group="standings")
from competitions.campaigns import models  # noqa: F401,E402
