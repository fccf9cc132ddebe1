"""Report periods: two dates, both inclusive, read from a query string or a preset."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from guild.errors import DomainError
from guild.timeutil import local_day, local_midnight_utc, utcnow

PRESETS = ("this_month", "this_quarter", "this_year", "last_year")
PRESET_LABELS = {
    "this_month": _l("This month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "last_year": _l("Last year"),
}
EARLIEST, LATEST = date(1949, 10, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days counted, in the platform's time zone."""

    start: date
    end: date

    def utc_bounds(self, zone: str | None = None) -> tuple[datetime, datetime]:
        """The naive UTC instants [from, until) the period's local days cover."""
        zone = zone or time_zone()
        return local_midnight_utc(self.start, zone), local_midnight_utc(
            self.end + timedelta(1), zone
        )


def time_zone() -> str:
    """The zone in which report days begin and end (the app's default)."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def today() -> date:
    """Today in the platform's time zone."""
    return local_day(utcnow(), time_zone())


def preset_period(name: str, day: date) -> Period:
    """A named period around `day`: this month, quarter or year so far, or last year whole."""
    if name == "this_month":
        return Period(day.replace(day=1), day)
    if name == "this_quarter":
        return Period(date(day.year, (day.month - 1) // 3 * 3 + 1, 1), day)
    if name == "last_year":
        return Period(date(day.year - 1, 1, 1), date(day.year - 1, 12, 31))
    if name == "this_year":
        return Period(date(day.year, 1, 1), day)
    raise DomainError(_l("Choose a period from the list."), "preset")


def _parsed(value: str, field: str) -> date:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError as error:
        raise DomainError(_l("Write dates as YYYY-MM-DD."), field) from error
    if not EARLIEST <= parsed <= LATEST:
        raise DomainError(_l("Give a date between 1949 and 2999."), field)
    return parsed


def _ten_years_after(day: date) -> date:
    """The same day ten years later (29 February gives 1 March)."""
    try:
        return day.replace(year=day.year + 10)
    except ValueError:
        return date(day.year + 10, 3, 1)


def parse_period(start: str | None, end: str | None, preset: str | None, day: date) -> Period:
    """The period a query asks for; this year so far when it asks for none.

    A preset wins over dates; a missing start is 1 January of the end's year, a missing end
    is `day`. Refused (DomainError): unreadable dates, an end before the start, more than
    ten years.
    """
    if preset:
        return preset_period(preset, day)
    if not start and not end:
        return preset_period("this_year", day)
    last = _parsed(end, "end") if end else day
    first = _parsed(start, "start") if start else date(last.year, 1, 1)
    if last < first:
        raise DomainError(_l("The end of the period comes before its start."), "end")
    if last >= _ten_years_after(first):
        raise DomainError(_l("A report covers at most ten years."), "end")
    return Period(first, last)
