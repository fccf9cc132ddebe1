"""The requests that failed, and the report of them grouped by cause."""

import traceback
from dataclasses import dataclass
from pathlib import Path

from tests.bad_input.shots import Shot, _short

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Failure:
    """A request that answered 500 or raised, and where."""

    request: str
    outcome: str
    cause: str  # the exception and the innermost frame of the project, to group by
    error: BaseException | None = None

    @property
    def trace(self) -> str:
        if self.error is None:
            return ""
        return "".join(traceback.format_exception(self.error, limit=-14))


def _ours(filename: str) -> bool:
    return filename.startswith(str(ROOT)) and not filename.startswith(str(ROOT / ".venv"))


def _failure(shot: Shot, error: BaseException) -> Failure:
    where = "?"
    for frame, line in traceback.walk_tb(error.__traceback__):
        if _ours(frame.f_code.co_filename):
            where = f"{Path(frame.f_code.co_filename).relative_to(ROOT)}:{line}"
    outcome = f"{type(error).__name__}: {_short(str(error), 160)}"
    return Failure(shot.describe(), outcome, f"{type(error).__name__} at {where}", error)


def _report(case: str, failures: list[Failure]) -> str:
    """The failures grouped by cause: every request, then one traceback per cause."""
    causes: dict[str, list[Failure]] = {}
    for failure in failures:
        causes.setdefault(failure.cause, []).append(failure)
    lines = [f"{case}: {len(failures)} request(s) failed, {len(causes)} cause(s)"]
    for cause, group in causes.items():
        lines.append(f"\n== {cause} ({len(group)} request(s))")
        lines += [f"  {f.request} -> {f.outcome}" for f in group[:60]]
        if len(group) > 60:
            lines.append(f"  … and {len(group) - 60} more")
        lines.append(group[0].trace)
    return "\n".join(lines)
