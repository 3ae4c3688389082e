"""Dates as news pages write them: ISO 8601 in JSON-LD and meta tags first,
then free text ('Sat, 28 Nov 2020 01:34 PM (IST)', '21 नवंबर 2026') through
dateparser. A date without an offset is read as Indian Standard Time, the
offset every site in the registry publishes in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import dateparser

IST = timezone(timedelta(hours=5, minutes=30), "IST")

# dateparser is slow to import its language data on first use; these settings
# make it read day-first numeric dates and return aware datetimes.
_DATEPARSER_SETTINGS = {
    "TIMEZONE": "Asia/Kolkata",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "past",
}
_DATEPARSER_LANGUAGES = ["hi", "en"]
# "(IST)" and similar labels confuse dateparser; the offset is IST anyway.
_ZONE_LABEL = re.compile(r"\(?\bIST\b\)?", re.IGNORECASE)
_LABEL_PREFIX = re.compile(
    r"^\s*(published|updated|publish date|last updated|प्रकाशित|अपडेटेड)\s*(on|at)?\s*:?\s*",
    re.IGNORECASE,
)
_SINCE_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_SINCE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_date(value: object) -> datetime | None:
    """An aware datetime from an ISO string or free date text, else None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=IST)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        text = _ZONE_LABEL.sub(" ", _LABEL_PREFIX.sub("", text)).strip()
        parsed = dateparser.parse(
            text, languages=_DATEPARSER_LANGUAGES, settings=_DATEPARSER_SETTINGS
        )
        if parsed is None:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """The start of a crawl window: '1d', '36h', '2w' back from now, or an ISO date.

    Raises ValueError with a readable message on anything else.
    """
    now = now or datetime.now(UTC)
    match = _SINCE_RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return now - timedelta(**{_SINCE_UNITS[unit]: amount})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"since={value!r}: expected a span like 1d, 36h, 2w or a date like 2026-11-01"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)
