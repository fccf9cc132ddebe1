"""Contest pages for organisers: setup, staff, scheme, panels, entries, theory, draw: `contests`."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/skills/contests")
