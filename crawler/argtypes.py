"""argparse types shared by the commands: a date window, bounded numbers, NAME=VALUE
pairs and setting overrides checked against the type of their default."""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from crawler.text.dates import parse_since
from crawler.text.textcheck import control_character

# The largest integer MongoDB (a BSON int64) takes, e.g. as a query limit.
MAX_INT64 = 2**63 - 1
# Characters that end or break a line somewhere: C0 and C1 controls, DEL, and the
# Unicode line and paragraph separators (Python's str.splitlines() splits on these).
_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Settings that hold a date window; parse_since() must read them.
_DATE_WINDOW_SETTINGS = ("CRAWL_SINCE", "SCHEDULE_SINCE", "REPORT_SINCE")
# Settings read with getfloat() although their default is a whole number: they take
# 2.5 as well (tests/reliability/test_cli_inputs.py keeps this list complete).
FLOAT_SETTINGS = frozenset(
    {
        "CLOSESPIDER_TIMEOUT",
        "CRAWL_ROBOTSTXT_TIMEOUT",
        "DEDUPE_WINDOW_DAYS",
        "DNS_TIMEOUT",
        "DOWNLOAD_DELAY",
        "DOWNLOAD_TIMEOUT",
        "INCREMENTAL_SKIP_DAYS",
    }
)


class UsageError(Exception):
    """A bad argument found after parsing; the CLI prints it as argparse would (exit 2)."""


def plain_text(value: str) -> str:
    """A value with no control characters (it may end up in a crontab or a shell file)."""
    bad = control_character(value)
    if bad:
        raise argparse.ArgumentTypeError(f"{value!r} holds a control character ({bad})")
    return value


def date_arg(value: str) -> str:
    """A date window as parse_since reads it: 1d, 36h, 2w or a date."""
    plain_text(value)
    try:
        parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def int_range(low: int, high: int = MAX_INT64) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            bounds = f"{low} or more" if high == MAX_INT64 else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"expected a whole number, {bounds}; got {value!r}")
        return number

    return parse


def positive_float(value: str) -> float:
    """A finite number above 0 (seconds to wait)."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value!r}")
    return number


def pair_arg(value: str) -> tuple[str, str]:
    """NAME=VALUE, for settings overrides and field filters."""
    name, sep, setting = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name.strip(), setting


def _default_settings() -> dict[str, Any]:
    """Defaults by name: Scrapy's, overridden by the project's crawler/settings.py."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    def public(module: ModuleType) -> dict[str, Any]:
        return {k: v for k, v in vars(module).items() if k.isupper()}

    return {**public(default_settings), **public(project)}


def _check_type(name: str, value: str, default: Any) -> str | None:
    """Why ``value`` cannot stand for a setting whose default is ``default``, or None."""
    if isinstance(default, bool):  # before int: bool is an int
        if value not in ("0", "1", "true", "false", "True", "False"):
            return "expected true or false (or 1 or 0)"
    elif isinstance(default, float) or name in FLOAT_SETTINGS:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return "expected a number"
    elif isinstance(default, int):
        try:
            int(value)
        except ValueError:
            return "expected a whole number"
    elif isinstance(default, dict):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return 'expected a JSON object, e.g. {"name": 1}'
    elif name in _DATE_WINDOW_SETTINGS:
        try:
            parse_since(value)
        except ValueError as exc:
            return str(exc)
    return None


def setting_arg(value: str) -> tuple[str, str]:
    """-s NAME=VALUE: a setting override. A known setting's value must read as the type
    of its default (Scrapy's getint() and the like would fail mid-crawl otherwise); no
    value may hold a control character (it may be written into a crontab)."""
    name, setting = pair_arg(value)
    if not _SETTING_NAME.match(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not a setting name (letters, digits, _)")
    plain_text(setting)
    defaults = _default_settings()
    if name in defaults:
        problem = _check_type(name, setting, defaults[name])
        if problem:
            default = defaults[name]
            shown = f" (the default is {default!r})" if isinstance(default, int | float) else ""
            raise argparse.ArgumentTypeError(f"{name}={setting}: {problem}{shown}")
    return name, setting
