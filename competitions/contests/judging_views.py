"""Contest pages for judges, the chief judge and the encryption officer: `judging`."""

from flask import Blueprint

bp = Blueprint("judging", __name__, url_prefix="/skills/judging")
