"""The one time rule: timestamps are stored as naive UTC."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(moment: datetime | None) -> datetime | None:
    """A datetime in the stored form: aware ones converted to UTC, naive ones taken as UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_midnight_utc(day: date, zone: str) -> datetime:
    """Return the naive UTC instant at which a calendar day starts in a time zone."""
    local = datetime.combine(day, time(), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def local_day(moment: datetime, zone: str) -> date:
    """Return the calendar day in a time zone of a naive UTC instant."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()
