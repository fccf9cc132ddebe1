"""Contest pages for entrants: entering, theory paper, own result, appeals: `contest_entries`."""

from flask import Blueprint

bp = Blueprint("contest_entries", __name__, url_prefix="/skills/contests")
