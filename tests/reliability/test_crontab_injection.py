"""The crontab cannot be injected: no value given to `schedule install` (options,
setting overrides, the environment passed on to cron.env) may add a line to the
crontab or to the env file, and what goes in is quoted so that sh reads it back
exactly. Always --crontab-file: the real crontab is never touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.ops.schedule import NightlyEntry, ScheduleError, command_of

pytestmark = pytest.mark.reliability

PASSED_ON = ("MONGO_URI", "MONGO_DATABASE", "MONGO_EMBEDDED_PORT", "CRAWL_CONTACT")
# Characters that end a line for cron, for sh or for Python's splitlines().
BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x00", "\t", "\x7f"]


@pytest.fixture(autouse=True)
def _no_passed_on_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PASSED_ON:
        monkeypatch.delenv(name, raising=False)


def schedule(*args: str) -> int:
    cwd = os.getcwd()
    try:
        return main(["schedule", *args])
    except SystemExit as exc:  # argparse
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(cwd)  # project_settings() moves to the project root


def entry_lines(crontab: Path) -> list[str]:
    """Lines cron would run: neither blank nor a comment."""
    return [line for line in crontab.read_text().split("\n") if line.strip() and line[0] != "#"]


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_newline_in_a_setting_override_adds_no_cron_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's reproduction: before, `* * * * * touch /tmp/PWNED #` became an entry."""
    crontab = tmp_path / "crontab"
    payload = f"CRAWL_CONTACT=x\n* * * * * touch {tmp_path}/PWNED #"
    assert schedule("install", "--crontab-file", str(crontab), "-s", payload) == 2
    line = one_line(capsys.readouterr().err)
    assert "-s/--set" in line and "control character (U+000A)" in line
    assert not crontab.exists()


@pytest.mark.parametrize("option", ["--log-dir", "--lock-file", "--env-file"])
@pytest.mark.parametrize("char", BREAKS, ids=[f"U+{ord(c):04X}" for c in BREAKS])
def test_a_control_character_in_a_path_option_is_refused(
    option: str, char: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crontab = tmp_path / "crontab"
    value = f"{tmp_path}/logs{char}* * * * * touch {tmp_path}/PWNED #"
    assert schedule("install", "--crontab-file", str(crontab), option, value) == 2
    line = one_line(capsys.readouterr().err)
    assert option in line and f"U+{ord(char):04X}" in line
    assert not crontab.exists()


@pytest.mark.parametrize("char", ["\n", "\r", "\u2028"])
def test_a_control_character_in_the_date_window_is_refused(
    char: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`36h\\n` passed the date check (its regex allows trailing space) and broke the line."""
    crontab = tmp_path / "crontab"
    assert schedule("install", "--crontab-file", str(crontab), "--since", f"36h{char}") == 2
    assert "--since" in one_line(capsys.readouterr().err)
    assert not crontab.exists()


def test_a_control_character_in_a_crontab_file_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert schedule("install", "--crontab-file", f"{tmp_path}/cron\ntab") == 2
    assert "--crontab-file" in one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("char", ["\n", "\r", "\u2028"])
def test_a_control_character_in_a_passed_on_variable_writes_nothing(
    char: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAWL_CONTACT", f"ops@example.org{char}touch {tmp_path}/PWNED")
    crontab, env_file = tmp_path / "crontab", tmp_path / "cron.env"
    assert schedule("install", "--crontab-file", str(crontab), "--env-file", str(env_file)) == 2
    line = one_line(capsys.readouterr().err)
    assert "CRAWL_CONTACT" in line and f"U+{ord(char):04X}" in line
    assert not crontab.exists() and not env_file.exists()


def test_the_entry_itself_refuses_a_line_break_from_anywhere() -> None:
    """The last guard, for values no option checks (a project path, a resolved symlink)."""
    entry = NightlyEntry(log_dir="/srv/logs\n* * * * * touch /tmp/PWNED #")
    with pytest.raises(ScheduleError, match="control character"):
        entry.line()
    with pytest.raises(ScheduleError, match="U\\+2028"):
        NightlyEntry(project_root="/srv/news\u2028x").line()


HOSTILE = "x'; touch {tmp}/PWNED1; echo '$(touch {tmp}/PWNED2) `touch {tmp}/PWNED3` \"$HOME\" 100%"


def test_shell_characters_in_a_setting_reach_the_job_exactly_as_given(tmp_path: Path) -> None:
    """One entry line; sh (as cron runs it) reads the -s value back byte for byte and
    runs nothing in it."""
    crontab = tmp_path / "crontab"
    hostile = HOSTILE.format(tmp=tmp_path)
    setting = f"CRAWL_CONTACT={hostile}"
    assert schedule("install", "--crontab-file", str(crontab), "-s", setting) == 0
    (line,) = entry_lines(crontab)
    before, _, words = command_of(line).partition(" && exec ")
    assert before.startswith("cd ")
    # The job's words as sh splits them, printed NUL-separated instead of run.
    argv = (
        subprocess.run(
            ["sh", "-c", f"printf '%s\\0' {words}"], capture_output=True, check=True, timeout=10
        )
        .stdout.decode()
        .split("\0")[:-1]
    )
    assert argv[argv.index("-s") + 1] == setting
    assert not list(tmp_path.glob("PWNED*"))


def test_the_env_file_gives_back_each_value_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = HOSTILE.format(tmp=tmp_path)
    monkeypatch.setenv("CRAWL_CONTACT", hostile)
    monkeypatch.setenv("MONGO_URI", "mongodb://bob:p'a$s%20w@127.0.0.1:27017/?x=1&y=2")
    env_file = tmp_path / "cron.env"
    args = ["--crontab-file", str(tmp_path / "crontab"), "--env-file", str(env_file)]
    assert schedule("install", *args) == 0
    shown = subprocess.run(
        ["sh", "-c", '. "$1" && printf "%s\\0%s" "$CRAWL_CONTACT" "$MONGO_URI"', "sh", env_file],
        capture_output=True,
        check=True,
        timeout=10,
        env={"PATH": os.environ["PATH"]},
    ).stdout.decode()
    assert shown.split("\0") == [hostile, "mongodb://bob:p'a$s%20w@127.0.0.1:27017/?x=1&y=2"]
    assert not list(tmp_path.glob("PWNED*"))


def test_the_users_own_lines_survive_an_install_unchanged(tmp_path: Path) -> None:
    """Lines end at "\\n" for cron: a form feed or U+2028 inside someone's comment must
    not split it (before, splitlines() rewrote them as several lines)."""
    crontab = tmp_path / "crontab"
    theirs = "# backups\u2028weekly\x0cnote\n0 4 * * 0 /usr/local/bin/backup --all\n"
    crontab.write_text(theirs, encoding="utf-8")
    assert schedule("install", "--crontab-file", str(crontab)) == 0
    text = crontab.read_text(encoding="utf-8")
    assert text.startswith(theirs)
    assert schedule("remove", "--crontab-file", str(crontab)) == 0
    assert crontab.read_text(encoding="utf-8") == theirs
