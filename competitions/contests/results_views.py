"""Contest results: standings, score sheets, certificates, judge analytics: `contest_results`."""

from flask import Blueprint

bp = Blueprint("contest_results", __name__, url_prefix="/skills/contests")
