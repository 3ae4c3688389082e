"""The ``schedule`` sub-command: install, show or remove the nightly crontab entry."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.argtypes import plain_text
from crawler.cli import chosen_sites
from crawler.commands.nightly import add_job_arguments
from crawler.ops.schedule import (
    Crontab,
    CrontabFile,
    NightlyEntry,
    ScheduleError,
    UserCrontab,
    environment_to_pass,
    installed_block,
    parse_time,
    with_block,
    without_block,
    write_env_file,
)
from crawler.project import project_settings
from crawler.text.textcheck import control_character

if TYPE_CHECKING:
    from scrapy.settings import Settings

_DESCRIPTION = """\
Manage the crontab entry that runs `python -m crawler nightly` every night with
the project's own Python, from the project root, under a lock, with a log file
per run. Environment the job needs (MONGO_URI, MONGO_DATABASE, CRAWL_CONTACT, ...;
see SCHEDULE_ENV_VARS), when set at install time, is written to an env file with
mode 0600 that the entry sources, never into the crontab itself. Without
--crontab-file the user's crontab is used (crontab -l / crontab -)."""


def _time_arg(value: str) -> str:
    try:
        parse_time(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "schedule",
        help="install, show or remove the nightly cron entry",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="schedule_command", metavar="{install,show,remove}")
    actions.required = True

    install = actions.add_parser(
        "install",
        help="write (or replace) the nightly entry",
        description="Write the nightly entry, replacing this project's earlier one.",
    )
    install.add_argument(
        "--at", type=_time_arg, metavar="HH:MM", help="time of day (default: SCHEDULE_AT, 02:30)"
    )
    add_job_arguments(install, since_default="SCHEDULE_SINCE, 36h")
    install.add_argument(
        "--env-file",
        type=plain_text,
        help="where to write the environment the job needs (default: SCHEDULE_ENV_FILE)",
    )
    show = actions.add_parser("show", help="print the installed entry exactly as it stands")
    remove = actions.add_parser("remove", help="remove this project's entry")
    for sub in (install, show, remove):
        sub.add_argument(
            "--crontab-file",
            type=plain_text,
            metavar="FILE",
            help="a crontab file instead of the user's crontab",
        )
    parser.set_defaults(func=cmd_schedule)


def _absolute(path: str | None) -> str:
    return str(Path(path).expanduser().resolve()) if path else ""


def cmd_schedule(args: argparse.Namespace) -> int:
    # Paths given relative to where the user is, before project_settings() moves to the root.
    paths = {
        name: _absolute(getattr(args, name, None))
        for name in ("crontab_file", "env_file", "log_dir", "lock_file")
    }
    settings = project_settings()
    crontab: Crontab = (
        CrontabFile(paths["crontab_file"]) if paths["crontab_file"] else UserCrontab()
    )
    try:
        if args.schedule_command == "install":
            return install(args, paths, settings, crontab)
        if args.schedule_command == "show":
            return show(crontab)
        return remove(crontab)
    except ScheduleError as exc:
        print(f"schedule: {exc}", file=sys.stderr)
        return 1


def install(
    args: argparse.Namespace, paths: dict[str, str], settings: Settings, crontab: Crontab
) -> int:
    hour, minute = parse_time(args.at or settings.get("SCHEDULE_AT"))
    entry = NightlyEntry(
        hour=hour,
        minute=minute,
        sites=chosen_sites(args) if (args.sites or args.site_list) and not args.all else (),
        since=args.since or settings.get("SCHEDULE_SINCE") or "",
        max_articles=args.max_articles,
        log_level=args.log_level or "",
        keep_days=args.keep_days
        if args.keep_days is not None
        else settings.getint("SCHEDULE_KEEP_DAYS"),
        settings=[f"{name}={value}" for name, value in args.set],
        local_sites=args.local_sites,
        log_dir=paths["log_dir"],
        lock_file=paths["lock_file"],
    )
    env_file = Path(paths["env_file"] or settings.get("SCHEDULE_ENV_FILE"))
    values = environment_to_pass(settings.getlist("SCHEDULE_ENV_VARS"), os.environ)
    for name, value in values.items():
        bad = control_character(value)
        if bad:  # refused before anything is written
            print(
                f"schedule: {name} in the environment holds a control character ({bad}); "
                "it would be written to the env file the entry sources. Nothing installed.",
                file=sys.stderr,
            )
            return 2
    entry.line()  # ScheduleError before the env file is written, if the entry cannot be
    if values:
        write_env_file(env_file, values)
        entry.env_file = str(env_file)
    crontab.write(with_block(crontab.read(), entry))

    print(f"Installed in {crontab.describe()}:\n")
    print(installed_block(crontab.read(), entry.project_root) or "", end="")
    print()
    if values:
        print(
            f"{', '.join(values)} written to {env_file} (mode 0600, readable by you only); "
            "the entry sources it."
        )
    else:
        print(
            "No MONGO_URI in the environment: the job uses the embedded MongoDB server "
            f"({settings.get('MONGO_EMBEDDED_DIR')})."
        )
        if env_file.exists():
            print(f"Note: {env_file} exists but the new entry does not use it.")
    return 0


def show(crontab: Crontab) -> int:
    text = installed_block(crontab.read())
    if text is None:
        print(f"No nightly entry for this project in {crontab.describe()}.", file=sys.stderr)
        return 1
    print(text, end="")
    return 0


def remove(crontab: Crontab) -> int:
    text = crontab.read()
    if installed_block(text) is None:
        print(f"No nightly entry for this project in {crontab.describe()}; nothing to remove.")
        return 0
    crontab.write(without_block(text))
    print(f"Removed the nightly entry from {crontab.describe()}.")
    print("The env file with the job's environment, if any, is left in place.")
    return 0
