"""argparse types shared by the commands: a date window and a NAME=VALUE pair."""

from __future__ import annotations

import argparse

from crawler.dates import parse_since


def date_arg(value: str) -> str:
    """A date window as parse_since reads it: 1d, 36h, 2w or a date."""
    try:
        parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def pair_arg(value: str) -> tuple[str, str]:
    """NAME=VALUE, for settings overrides and field filters."""
    name, sep, setting = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name.strip(), setting
