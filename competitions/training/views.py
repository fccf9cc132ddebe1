"""Worker training pages: dashboard, attempts, mistake book: blueprint `training`."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/skills/training")
from competitions.training import models  # noqa: F401,E402
