"""The nightly job under cron: the crontab entry, its environment file, the run
lock and the per-run log files.

`python -m crawler schedule install` writes one entry, between marker comments
naming the project directory, into the user's crontab (``crontab -l`` /
``crontab -``) or into a crontab file. The entry changes to the project root
and runs ``python -m crawler nightly`` with the project's own interpreter
(absolute path). Environment the job needs (MONGO_URI and the like), when set at
install time, goes into an env file with mode 0600 that the entry sources: the
crontab itself never holds a password.

The job takes an exclusive, non-blocking lock (``fcntl.flock`` on a lock file,
released by the kernel even when the process dies), so a second run exits at
once; it logs to ``crawl-YYYYmmdd-HHMMSS.log`` and deletes logs older than
``--keep-days``.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from crawler import PROJECT_ROOT
from crawler.text.textcheck import control_character

# Exit status of a nightly run that found another one still going (EX_TEMPFAIL).
EXIT_LOCKED = 75
LOG_PREFIX = "crawl-"
LOG_SUFFIX = ".log"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(Exception):
    """A crontab that cannot be read or written, or a bad schedule option."""


# --- the entry ---------------------------------------------------------------------------


def parse_time(value: str) -> tuple[int, int]:
    """``HH:MM`` -> (hour, minute); ValueError on anything else."""
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(f"expected a time as HH:MM (00:00 to 23:59), got {value!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass
class NightlyEntry:
    """What the crontab entry runs, and when."""

    hour: int = 2
    minute: int = 30
    sites: Sequence[str] = ()  # empty: every registered site
    since: str = ""  # empty: CRAWL_SINCE
    max_articles: int | None = None  # None: CRAWL_MAX_ARTICLES
    log_level: str = ""  # empty: LOG_LEVEL
    keep_days: int = 14
    settings: Sequence[str] = ()  # NAME=VALUE overrides for the crawl
    local_sites: bool = False  # demo and tests only: the offline fixture sites
    log_dir: str = ""  # empty: SCHEDULE_LOG_DIR
    lock_file: str = ""  # empty: SCHEDULE_LOCK_FILE
    env_file: str = ""  # empty: nothing to source
    python: str = field(default_factory=lambda: default_python())
    project_root: str = str(PROJECT_ROOT)

    def command(self) -> str:
        """The shell command (POSIX sh), before cron's escaping of ``%``."""
        args = [self.python, "-m", "crawler", "nightly"]
        args += [*self.sites] if self.sites else ["--all"]
        if self.since:
            args += ["--since", self.since]
        if self.max_articles:
            args += ["--max-articles", str(self.max_articles)]
        if self.log_level:
            args += ["--log-level", self.log_level]
        args += ["--keep-days", str(self.keep_days)]
        if self.log_dir:
            args += ["--log-dir", self.log_dir]
        if self.lock_file:
            args += ["--lock-file", self.lock_file]
        if self.local_sites:
            args.append("--local-sites")
        for setting in self.settings:
            args += ["-s", setting]
        parts = [f"cd {shlex.quote(self.project_root)}"]
        if self.env_file:
            # `.` stops the job, with a message cron mails, if the file is gone.
            parts.append(f". {shlex.quote(self.env_file)}")
        parts.append("exec " + shlex.join(args))
        return " && ".join(parts)

    def line(self) -> str:
        """The crontab line: five time fields, then the command with ``%`` escaped.

        Quoting cannot hold a line break: cron reads a quoted newline as the end of
        the entry and the rest as a line of its own. So every value is refused if it
        holds one (or any other control character)."""
        command = self.command()
        bad = control_character(command)
        if bad:
            raise ScheduleError(
                f"the entry would hold a control character ({bad}): {command!r}; not written"
            )
        # cron turns an unescaped % into a newline, even inside quotes.
        return f"{self.minute} {self.hour} * * * " + command.replace("%", r"\%")


def default_python() -> str:
    """The project's own interpreter, absolute: .venv/bin/python, else the running one.

    Not resolved through symlinks: a venv's python is a symlink to the system one,
    and only the link knows about the venv's packages.
    """
    venv = PROJECT_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else os.path.abspath(sys.executable)


def command_of(line: str) -> str:
    """The command cron hands to ``sh -c`` for a crontab line (after the 5 time fields)."""
    fields = line.split(None, 5)
    if len(fields) < 6:
        raise ValueError(f"not a crontab entry: {line!r}")
    # cron's own unescaping: \\% is a literal %.
    return fields[5].replace(r"\%", "%")


def _markers(project_root: str) -> tuple[str, str]:
    return (
        f"# BEGIN hindi-news nightly crawl ({project_root}), by: python -m crawler schedule",
        f"# END hindi-news nightly crawl ({project_root})",
    )


def block(entry: NightlyEntry) -> str:
    """The managed block: marker comments around the one entry line."""
    begin, end = _markers(entry.project_root)
    return f"{begin}\n{entry.line()}\n{end}\n"


def _split(text: str, project_root: str) -> tuple[list[str], list[str] | None, list[str]]:
    """Lines before, inside (None when absent) and after this project's block."""
    begin, end = _markers(project_root)
    # Lines end at "\n" only, as cron reads them: splitlines() would also split at
    # U+2028, form feeds and the like and rewrite the user's own lines.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if begin not in lines:
        return lines, None, []
    start = lines.index(begin)
    try:
        stop = lines.index(end, start + 1)
    except ValueError:
        raise ScheduleError(f"the crontab has {begin!r} without its end marker") from None
    return lines[:start], lines[start : stop + 1], lines[stop + 1 :]


def _join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def installed_block(text: str, project_root: str = str(PROJECT_ROOT)) -> str | None:
    """This project's block as it stands in a crontab's text, or None."""
    _, inside, _ = _split(text, project_root)
    return _join(inside) if inside is not None else None


def with_block(text: str, entry: NightlyEntry) -> str:
    """The crontab text with this project's block put in (or replaced in place)."""
    before, inside, after = _split(text, entry.project_root)
    new = block(entry).splitlines()
    if inside is None:
        return _join([*before, *new])
    return _join([*before, *new, *after])


def without_block(text: str, project_root: str = str(PROJECT_ROOT)) -> str:
    before, _, after = _split(text, project_root)
    return _join([*before, *after])


# --- where the crontab lives ----------------------------------------------------------------


class Crontab(Protocol):
    def read(self) -> str: ...

    def write(self, text: str) -> None: ...

    def describe(self) -> str: ...


class CrontabFile:
    """A crontab kept in a file (tests; /etc/cron.d-style deployments)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ScheduleError(f"cannot read {self.path}: {_reason(exc)}") from None

    def write(self, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ScheduleError(f"cannot write {self.path}: {_reason(exc)}") from None

    def describe(self) -> str:
        return str(self.path)


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):  # from mkdir(parents=True)
        return f"{exc.filename} is not a directory" if exc.filename else "not a directory"
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


class UserCrontab:
    """The current user's crontab, through the crontab(1) command."""

    def __init__(self, command: str = "crontab") -> None:
        self.command = command

    def _run(self, args: list[str], text: str | None = None) -> subprocess.CompletedProcess[str]:
        if shutil.which(self.command) is None:
            raise ScheduleError(
                f"{self.command} is not installed (install cron, or use --crontab-file FILE)"
            )
        return subprocess.run(
            [self.command, *args], input=text, capture_output=True, text=True, check=False
        )

    def read(self) -> str:
        result = self._run(["-l"])
        if result.returncode == 0:
            return result.stdout
        if "no crontab" in result.stderr.lower():
            return ""
        raise ScheduleError(f"crontab -l failed: {result.stderr.strip()}")

    def write(self, text: str) -> None:
        result = self._run(["-"], text)
        if result.returncode != 0:
            raise ScheduleError(f"crontab - failed: {result.stderr.strip()}")

    def describe(self) -> str:
        return "the user's crontab"


# --- the environment file -------------------------------------------------------------------


def environment_to_pass(names: Sequence[str], environ: Mapping[str, str]) -> dict[str, str]:
    """The named variables that are set (and not empty) in ``environ``."""
    return {name: environ[name] for name in names if environ.get(name)}


def write_env_file(path: str | Path, values: Mapping[str, str]) -> Path:
    """Write ``export NAME='value'`` lines for sh, readable by the owner only (0600).

    Written to a private temporary file first and renamed into place, so the
    secret is never readable by others, not even for a moment.
    """
    path = Path(path)
    for name, value in values.items():
        bad = control_character(f"{name}={value}")
        if bad:  # a sourced file is shell code: one value, one line, quoted
            raise ScheduleError(f"{name} holds a control character ({bad}); {path} not written")
    text = "# Environment for the nightly crawl; written by `python -m crawler schedule install`.\n"
    text += "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cron-env-")  # mkstemp: mode 0600
    except OSError as exc:
        raise ScheduleError(f"cannot write {path}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ScheduleError(f"cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- what the job does around the crawl -----------------------------------------------------


class LockBusy(Exception):
    """Another process holds the run lock; the message says who, if known."""


class RunLock:
    """An exclusive, non-blocking lock on a file, held for the whole nightly run.

    The file stays in place (deleting a lock file lets two runs lock two files);
    it holds the owner's pid and start time, for the message a second run prints.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown process"
            handle.close()
            raise LockBusy(f"{owner}; lock {self.path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}\n"
        )
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def log_path(log_dir: str | Path, now: datetime | None = None) -> Path:
    """``<log_dir>/crawl-YYYYmmdd-HHMMSS.log`` for a run starting ``now`` (local time)."""
    now = now or datetime.now()
    return Path(log_dir) / f"{LOG_PREFIX}{now:%Y%m%d-%H%M%S}{LOG_SUFFIX}"


def prune_logs(log_dir: str | Path, keep_days: float, now: datetime | None = None) -> list[Path]:
    """Delete run logs last written more than ``keep_days`` ago; return what went."""
    directory = Path(log_dir)
    if not directory.is_dir():
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed = []
    for path in sorted(directory.glob(f"{LOG_PREFIX}*{LOG_SUFFIX}")):
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if path.is_file() and modified < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
