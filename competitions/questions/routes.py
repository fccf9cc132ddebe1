"""The banks blueprint with all its routes and commands attached."""

from competitions.questions import cli, transfer_views  # noqa: F401  (they add to bp)
from competitions.questions.views import bp

__all__ = ["bp"]
