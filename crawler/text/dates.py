"""Dates as news pages write them.

Order of trust (the parser applies it): JSON-LD and meta tags (ISO 8601), then a date in
the page's own text, then :func:`date_from_page` (htmldate over the whole page).

Text forms read here, Hindi and English alike:

* absolute: '21 नवंबर 2026', 'शनिवार, 21 नवंबर 2026 10:15 AM (IST)', 'Updated: 21 Nov 2026',
  '21 नव. 2026', 'नवंबर 21, 2026', '२१ नवंबर २०२६', '21 नवंबर 2026 शाम 5:30 बजे';
* numeric, day first: '05/11/2026' and '05-11-2026' are 5 November; '2026-11-05' is ISO;
* relative, anchored to the crawl time ``now``: '3 घंटे पहले', '9 minutes ago', 'एक दिन पहले',
  'कल' (yesterday: in a dateline it never means tomorrow), 'परसों', 'आज 10:15 AM', 'अभी'.

A date without an offset is Indian Standard Time, the offset every registered site uses;
results keep the offset they were written with (the store saves UTC plus
``published_at_local``). Hindi words are rewritten into English before dateparser
sees them: its Hindi data reads 'कल' as tomorrow, 'जन' as June and misses 'सुबह'/'शाम'.
A date later than ``now`` plus a small skew (DATES_MAX_FUTURE_SKEW) is not trusted:
see :func:`not_in_future` and :func:`first_valid_date`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta

from crawler.text.fold import fold_spelling

__all__ = [
    "DEFAULT_MAX_FUTURE_SKEW",
    "IST",
    "date_from_page",
    "find_date",
    "first_valid_date",
    "not_in_future",
    "parse_date",
    "parse_duration",
    "parse_since",
]

logger = logging.getLogger(__name__)

IST = timezone(timedelta(hours=5, minutes=30), "IST")
# Clock differences and sites that stamp a story a little ahead; more than this is an error.
DEFAULT_MAX_FUTURE_SKEW = timedelta(hours=2)

_DATEPARSER_SETTINGS = {
    "TIMEZONE": "Asia/Kolkata",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "past",
}
# Hindi is rewritten to English first; "hi" stays for anything the rewrite leaves.
_DATEPARSER_LANGUAGES = ["en", "hi"]


# "(IST)" and similar labels confuse dateparser (it reads IST as Israel time); the
# offset is IST anyway.
_ZONE_LABEL_RE = re.compile(r"\(?\b(?:IST|भारतीय\s+समय(?:\s+अनुसार)?)\b\)?", re.IGNORECASE)
_LABEL_PREFIX_RE = re.compile(
    r"^\s*(?:first\s+published|last\s+updated|published|updated|posted|publish\s+date|date"
    r"|प्रकाशित|प्रकाशन\s+तिथि|अपडेटेड|अपडेट|पब्लिश्ड|पब्लिश|दिनांक|तारीख)"
    r"(?:\s+(?:on|at))?\s*[:：|\-]?\s*",
    re.IGNORECASE,
)

# Month names as Hindi sites write them, and their abbreviations ("21 नव. 2026").
_MONTHS: dict[str, tuple[str, ...]] = {
    "January": ("जनवरी",),
    "February": ("फरवरी",),
    "March": ("मार्च",),
    "April": ("अप्रैल", "अप्रेल"),
    "May": ("मई",),
    "June": ("जून",),
    "July": ("जुलाई",),
    "August": ("अगस्त",),
    "September": ("सितंबर", "सितम्बर"),
    "October": ("अक्टूबर", "अक्तूबर"),
    "November": ("नवंबर", "नवम्बर"),
    "December": ("दिसंबर", "दिसम्बर"),
}
_MONTH_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "January": ("जन",),
    "February": ("फर", "फरव"),
    "March": ("मार्",),
    "April": ("अप्रै", "अप्र"),
    "July": ("जुला", "जुल"),
    "August": ("अग",),
    "September": ("सित",),
    "October": ("अक्टू", "अक्तू", "अक्ट"),
    "November": ("नव",),
    "December": ("दिस",),
}
_WEEKDAYS = (
    "सोमवार",
    "मंगलवार",
    "बुधवार",
    "गुरुवार",
    "गुरूवार",
    "बृहस्पतिवार",
    "वीरवार",
    "शुक्रवार",
    "शनिवार",
    "रविवार",
    "इतवार",
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted({fold_spelling(w) for w in words}, key=len, reverse=True))


_HINDI_MONTH = {
    fold_spelling(w): en
    for table in (_MONTHS, _MONTH_ABBREVIATIONS)
    for en, words in table.items()
    for w in words
}
# Full names anywhere; abbreviations only with a full stop or before a year, where "जन"
# cannot be the word for people.
_NOT_DEVANAGARI_BEFORE = r"(?<![\u0900-\u097f])"
_NOT_DEVANAGARI_AFTER = r"(?![\u0900-\u097f])"
_FULL_NAMES = _alternation(w for words in _MONTHS.values() for w in words)
_ABBREVIATIONS = _alternation(w for words in _MONTH_ABBREVIATIONS.values() for w in words)
_HINDI_MONTH_RE = re.compile(
    rf"{_NOT_DEVANAGARI_BEFORE}(?:(?P<full>{_FULL_NAMES})|(?P<abbr>{_ABBREVIATIONS})"
    rf"(?:\.|(?=\s*,?\s*\d{{4}}))){_NOT_DEVANAGARI_AFTER}"
)
_HINDI_WEEKDAY_RE = re.compile(rf"(?:{_alternation(_WEEKDAYS)})\s*,?")
# Times of day: सुबह/प्रातः/पूर्वाह्न are before noon; दोपहर/अपराह्न/शाम/सायं after; रात is
# evening up to midnight and night after it. "बजे" is "o'clock".
_TIME_OF_DAY_RE = re.compile(
    r"(?P<word>सुबह|प्रातः|पूर्वाह्न|दोपहर|अपराह्न|शाम|सायं|रात)\s*"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?:बजे)?"
)
_AM_WORDS = ("सुबह", "प्रातः", "पूर्वाह्न")
_BARE_BAJE_RE = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*बजे")

_UNITS: dict[str, str] = {
    **dict.fromkeys(("second", "seconds", "sec", "secs", "सेकंड", "सेकेंड"), "seconds"),
    **dict.fromkeys(("minute", "minutes", "min", "mins", "मिनट", "मिनटों"), "minutes"),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "घंटा", "घंटे", "घंटों"), "hours"),
    **dict.fromkeys(("day", "days", "दिन", "दिनों"), "days"),
    **dict.fromkeys(("week", "weeks", "हफ्ता", "हफ्ते", "हफ्तों", "सप्ताह", "सप्ताहों"), "weeks"),
    **dict.fromkeys(("month", "months", "महीना", "महीने", "महीनों", "माह"), "months"),
    **dict.fromkeys(("year", "years", "साल", "सालों", "वर्ष", "वर्षों"), "years"),
}
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5}
_RELATIVE = (
    rf"(?<![\w\u0900-\u097f])(?P<count>\d+|{_alternation(_COUNT_WORDS)})\s*(?P<unit>{_alternation(_UNITS)})"
    r"\s+(?:ago|पहले|पूर्व)"
)
_RELATIVE_RE = re.compile(_RELATIVE, re.IGNORECASE)
# Day words: days back from today, with an optional time after them.
_DAY_WORDS = {"आज": 0, "today": 0, "कल": 1, "yesterday": 1, "परसों": 2}
_DAY_WORD_RE = re.compile(
    rf"(?P<day>{_alternation(_DAY_WORDS)})\s*,?\s*(?P<time>\d{{1,2}}[:.]\d{{2}}(?:\s*[AaPp]\.?[Mm]\.?)?)?",
    re.IGNORECASE,
)
_JUST_NOW_RE = re.compile(r"अभी(?:\s*-?\s*अभी)?|just\s+now", re.IGNORECASE)

# Dates inside longer text (a dateline, a byline, a paragraph), for find_date.
_EN_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = r"(?:\s*,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*\(?ist\)?)?)?"
_FIND_RE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_EN_MONTH},?\s+\d{{4}}{_TIME}"
    rf"|\b{_EN_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?"
    rf"|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}{_TIME}"
    rf"|{_RELATIVE}",
    re.IGNORECASE,
)

_MAX_WHOLE_TEXT_CHARS = 60

_SINCE_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_SINCE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"": "seconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


# --- reading one date -------------------------------------------------------------------


def parse_date(value: object, now: datetime | None = None) -> datetime | None:
    """An aware datetime from an ISO string or date text (Hindi or English), else None.

    Relative forms ('3 घंटे पहले', 'कल') count back from ``now`` (default: the current
    time); the result is in IST then.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=IST)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _parse_text(text, now)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)


def _parse_text(text: str, now: datetime | None) -> datetime | None:
    text = fold_spelling(text)  # digits too; nukta does not change a month (फ़रवरी)
    text = _ZONE_LABEL_RE.sub(" ", _LABEL_PREFIX_RE.sub("", text)).strip(" ,|-")
    if not text:
        return None
    relative = _relative(text, now or datetime.now(UTC))
    if relative is not None:
        return relative
    import dateparser  # imported on use: half a second that `query --since 2d` never needs

    parsed = dateparser.parse(
        _to_english(text), languages=_DATEPARSER_LANGUAGES, settings=_DATEPARSER_SETTINGS
    )
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)


def _relative(text: str, now: datetime) -> datetime | None:
    """'3 घंटे पहले', '9 minutes ago', 'कल 10:15 AM', 'अभी' as a datetime in IST."""
    now = now.astimezone(IST)
    if _JUST_NOW_RE.fullmatch(text):
        return now
    if match := _RELATIVE_RE.fullmatch(text):
        raw = match["count"].lower()
        count = int(raw) if raw.isdigit() else _COUNT_WORDS[raw]
        unit = _UNITS[match["unit"].lower()]
        if unit in ("months", "years"):
            return now - relativedelta(**{unit: count})
        return now - timedelta(**{unit: count})
    if match := _DAY_WORD_RE.fullmatch(_to_english_times(text)):
        day = now.date() - timedelta(days=_DAY_WORDS[match["day"].lower()])
        clock = _clock(match["time"]) if match["time"] else time(0, 0)
        return None if clock is None else datetime.combine(day, clock, tzinfo=IST)
    return None


def _clock(text: str) -> time | None:
    import dateparser

    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DATES_FROM": "past"})
    return parsed.time() if parsed else None


def _to_english_times(text: str) -> str:
    def time_of_day(match: re.Match[str]) -> str:
        hour, minute = int(match["hour"]), match["minute"] or "00"
        word = match["word"]
        if word in _AM_WORDS:
            suffix = "AM"
        elif word == "रात" and (hour < 6 or hour == 12):
            suffix = "AM"  # रात 2 बजे is 2 at night
        else:
            suffix = "PM"
        return f"{hour}:{minute} {suffix}"

    text = _TIME_OF_DAY_RE.sub(time_of_day, text)
    return _BARE_BAJE_RE.sub(lambda m: f"{m['hour']}:{m['minute'] or '00'}", text)


def _to_english(text: str) -> str:
    """Hindi month names, weekdays and times of day as dateparser reads them best."""
    text = _HINDI_WEEKDAY_RE.sub(" ", text)
    text = _HINDI_MONTH_RE.sub(lambda m: f" {_HINDI_MONTH[m['full'] or m['abbr']]} ", text)
    return re.sub(r"\s+", " ", _to_english_times(text)).strip(" ,")


# --- finding a date in text ---------------------------------------------------------------


def find_date(text: str, now: datetime | None = None) -> datetime | None:
    """The first date written in ``text`` (a dateline, a byline, a paragraph), else None.

    Reads what :func:`parse_date` reads, inside longer text; day words ('कल', 'आज')
    count only when they are the whole text, as everywhere else they are ordinary words.
    """
    if not text or not text.strip():
        return None
    normalized = fold_spelling(text)  # digits too; nukta does not change a month (फ़रवरी)
    english = _to_english(_ZONE_LABEL_RE.sub(" ", normalized))
    for match in _FIND_RE.finditer(english):
        found = parse_date(match.group().strip(" ,"), now)
        if found is not None:
            return found
    # A short text may be a date in a form the patterns above do not list; dateparser on
    # a whole paragraph finds dates in ordinary words.
    return parse_date(text, now) if len(text) <= _MAX_WHOLE_TEXT_CHARS else None


def date_from_page(
    html: str | bytes,
    url: str = "",
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
) -> datetime | None:
    """The page's publication date for pages whose JSON-LD and meta tags have none.

    In order: htmldate on the page's markup conventions and URL (time elements,
    itemprops, date classes, /2026/11/21/ paths); a dateline in an element named like a
    date ('Updated: 21 Nov 2026', 'अपडेटेड: शनिवार, 21 नवंबर 2026', '3 घंटे पहले'), read
    with :func:`find_date`; htmldate's search of the whole text. htmldate's last resorts
    (a month or a copyright year, given as the 1st at midnight) are not a publication
    date and are not taken, nor is anything after ``now`` plus ``max_future_skew``.
    """
    now = now or datetime.now(UTC)
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    found = _htmldate(html, url, now, max_future_skew, extensive=False)
    if found is None:
        found = _dateline_in_markup(html, now, max_future_skew)
    if found is None:
        found = _htmldate(html, url, now, max_future_skew, extensive=True)
        if found is not None and found.day == 1 and found.time() == time(0, 0):
            logger.debug("Ignored htmldate's coarse guess %s for %s", found.date(), url)
            found = None
    return found


def _htmldate(
    html: str, url: str, now: datetime, max_future_skew: timedelta, *, extensive: bool
) -> datetime | None:
    import htmldate  # imported on use: a fallback most pages never reach

    latest = (now + max_future_skew).astimezone(IST)
    try:
        found = htmldate.find_date(
            html,
            url=url or None,
            original_date=True,
            extensive_search=extensive,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
            max_date=latest.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError) as exc:  # htmldate refuses some malformed documents
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
    return not_in_future(parse_date(found), now, max_future_skew) if found else None


# Elements that carry a dateline by their name: class, id or itemprop with one of these.
_DATELINE_XPATH = (
    "//*[self::time or "
    + " or ".join(
        f"contains(translate(@{attribute}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
        f"'abcdefghijklmnopqrstuvwxyz'), '{word}')"
        for attribute in ("class", "id", "itemprop")
        for word in ("date", "time", "publish", "updated", "posted")
    )
    + "]"
)
_MAX_DATELINES = 20
_MAX_DATELINE_CHARS = 200


def _dateline_in_markup(html: str, now: datetime, max_future_skew: timedelta) -> datetime | None:
    from parsel import Selector

    try:
        elements = Selector(text=html).xpath(_DATELINE_XPATH)[:_MAX_DATELINES]
    except ValueError:
        return None
    for element in elements:
        text = " ".join(" ".join(element.xpath(".//text()").getall()).split())
        if not text or len(text) > _MAX_DATELINE_CHARS:
            continue
        found = not_in_future(find_date(text, now), now, max_future_skew)
        if found is not None:
            return found
    return None


# --- checks ---------------------------------------------------------------------------


def not_in_future(
    value: datetime | None,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
) -> datetime | None:
    """``value``, or None when it lies beyond ``now`` + ``max_future_skew``."""
    if value is None:
        return None
    now = now or datetime.now(UTC)
    return None if value > now + max_future_skew else value


def first_valid_date(
    candidates: Iterable[object],
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
) -> datetime | None:
    """The first candidate that parses and is not in the future (JSON-LD, meta, text, ...)."""
    now = now or datetime.now(UTC)
    for candidate in candidates:
        found = not_in_future(parse_date(candidate, now), now, max_future_skew)
        if found is not None:
            return found
    return None


def parse_duration(value: str | float | timedelta) -> timedelta:
    """A span setting: '2h', '90m', '1d', '30s' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    match = _DURATION_RE.match(value)
    if not match:
        raise ValueError(f"{value!r}: expected a span like 2h, 90m, 1d or seconds")
    amount, unit = float(match.group(1)), match.group(2).lower()
    if unit == "w":
        return timedelta(weeks=amount)
    return timedelta(**{_DURATION_UNITS[unit]: amount})


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """The start of a crawl window: '1d', '36h', '2w' back from now, or an ISO date.

    Raises ValueError with a readable message on anything else.
    """
    now = now or datetime.now(UTC)
    match = _SINCE_RELATIVE.match(value)
    if match:
        unit = match.group(2).lower()
        try:
            return now - timedelta(**{_SINCE_UNITS[unit]: int(match.group(1))})
        except (OverflowError, ValueError):  # before year 1, or too many digits for int()
            raise ValueError(
                f"since={value!r}: reaches back before the year 1; give a shorter span"
            ) from None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"since={value!r}: expected a span like 1d, 36h, 2w or a date like 2026-11-01"
        ) from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)
    try:
        parsed.astimezone(UTC)  # stored dates are UTC: 0001-01-01 IST is not one
    except OverflowError:
        raise ValueError(f"since={value!r}: out of range (years 1 to 9999 in UTC)") from None
    return parsed
