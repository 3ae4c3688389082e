"""The nightly cron entry: install/show/remove against a crontab file, the env file
for secrets, the run lock and log pruning; then the installed line itself, run with
sh as cron runs it, against the fixture sites and the test MongoDB server."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler import PROJECT_ROOT
from crawler.cli import main
from crawler.ops.schedule import (
    EXIT_LOCKED,
    LockBusy,
    RunLock,
    ScheduleError,
    UserCrontab,
    command_of,
    prune_logs,
)
from crawler.storage.config import connect
from tests.helpers import EXPECTED_DIR

PASSED_ON = ("MONGO_URI", "MONGO_DATABASE", "MONGO_EMBEDDED_PORT", "CRAWL_CONTACT")
BEGIN = f"# BEGIN hindi-news nightly crawl ({PROJECT_ROOT}), by: python -m crawler schedule"
END = f"# END hindi-news nightly crawl ({PROJECT_ROOT})"


@pytest.fixture(autouse=True)
def _no_passed_on_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PASSED_ON:
        monkeypatch.delenv(name, raising=False)


def schedule(*args: str) -> int:
    cwd = os.getcwd()
    try:
        return main(["schedule", *args])
    finally:
        os.chdir(cwd)  # project_settings() moves to the project root


def entry_lines(crontab: Path) -> list[str]:
    return [line for line in crontab.read_text().splitlines() if line and line[0].isdigit()]


def test_install_writes_the_entry_with_the_projects_python(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    options = ["--at", "03:15", "--sites", "jagran,bhaskar", "--env-file", f"{tmp_path}/cron.env"]
    assert schedule("install", "--crontab-file", str(crontab), *options) == 0
    (line,) = entry_lines(crontab)
    assert line.startswith("15 3 * * * ")
    command = command_of(line)
    python = PROJECT_ROOT / ".venv" / "bin" / "python"
    expected_python = str(python) if python.exists() else os.path.abspath(sys.executable)
    assert command.startswith(f"cd {PROJECT_ROOT} && exec {expected_python} -m crawler nightly ")
    assert " nightly jagran bhaskar " in command
    assert "--keep-days 14" in command
    assert not (tmp_path / "cron.env").exists()  # nothing to pass on


def test_install_names_sites_as_crawl_does_and_passes_the_crawl_options_on(
    tmp_path: Path,
) -> None:
    crontab = tmp_path / "crontab"
    options = ["jagran", "bhaskar", "--max-articles", "40", "--log-level", "WARNING"]
    assert schedule("install", "--crontab-file", str(crontab), *options) == 0
    (line,) = entry_lines(crontab)
    command = command_of(line)
    assert " nightly jagran bhaskar " in command
    assert "--max-articles 40 --log-level WARNING" in command
    assert "--all" not in command


def test_install_refuses_an_unknown_site_by_name(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    assert schedule("install", "--crontab-file", str(crontab), "jagran", "nosuchsite") == 2
    assert not crontab.exists()


def test_default_entry_is_nightly_at_0230_for_all_sites(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    assert schedule("install", "--crontab-file", str(crontab)) == 0
    (line,) = entry_lines(crontab)
    assert line.startswith("30 2 * * * ")
    assert " nightly --all --since 36h --keep-days 14" in line


def test_install_again_replaces_the_entry_and_keeps_the_rest(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("MAILTO=ops@example.org\n0 * * * * /usr/bin/true\n")
    schedule("install", "--crontab-file", str(crontab), "--at", "01:00")
    schedule("install", "--crontab-file", str(crontab), "--at", "04:45")
    lines = crontab.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.org", "0 * * * * /usr/bin/true"]
    assert lines[2] == BEGIN and lines[4] == END and len(lines) == 5
    assert lines[3].startswith("45 4 * * * ")


def test_show_prints_exactly_what_is_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("0 * * * * /usr/bin/true\n")
    schedule("install", "--crontab-file", str(crontab), "--sites", "jagran")
    capsys.readouterr()
    assert schedule("show", "--crontab-file", str(crontab)) == 0
    assert capsys.readouterr().out.splitlines() == crontab.read_text().splitlines()[1:]


def test_show_without_an_entry_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert schedule("show", "--crontab-file", str(tmp_path / "crontab")) == 1
    assert "No nightly entry" in capsys.readouterr().err


def test_remove_takes_out_only_the_entry(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("0 * * * * /usr/bin/true\n")
    schedule("install", "--crontab-file", str(crontab))
    assert schedule("remove", "--crontab-file", str(crontab)) == 0
    assert crontab.read_text() == "0 * * * * /usr/bin/true\n"


def test_secrets_go_to_a_private_env_file_never_the_crontab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "s3cr'et $HOME & `x`"
    uri = f"mongodb://crawler:{password}@db.example.org:27017/?authSource=admin"
    monkeypatch.setenv("MONGO_URI", uri)
    monkeypatch.setenv("MONGO_DATABASE", "news")
    crontab, env_file = tmp_path / "crontab", tmp_path / "private" / "cron.env"
    schedule("install", "--crontab-file", str(crontab), "--env-file", str(env_file))

    assert "s3cr" not in crontab.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    (line,) = entry_lines(crontab)
    assert f"cd {PROJECT_ROOT} && . {env_file} && exec " in command_of(line)
    # Sourced by sh, the file gives back exactly the values, quotes and all.
    shown = subprocess.run(
        ["sh", "-c", f'. {env_file} && printf "%s|%s" "$MONGO_URI" "$MONGO_DATABASE"'],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == f"{uri}|news"


def test_percent_signs_are_escaped_for_cron(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    schedule("install", "--crontab-file", str(crontab), "-s", "USER_AGENT=bot 100%")
    (line,) = entry_lines(crontab)
    assert r"100\%" in line
    assert "USER_AGENT=bot 100%'" in command_of(line)


def test_bad_time_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        schedule("install", "--crontab-file", str(tmp_path / "crontab"), "--at", "25:00")
    assert exit_info.value.code == 2
    assert "HH:MM" in capsys.readouterr().err


def test_user_crontab_goes_through_crontab_l_and_crontab_dash(tmp_path: Path) -> None:
    # A stand-in crontab(1) with the real one's interface: -l prints or says "no crontab".
    store = tmp_path / "spool"
    program = tmp_path / "crontab"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = -l ]; then [ -f {store} ] && exec cat {store}; '
        'echo "no crontab for tester" >&2; exit 1; fi\n'
        f'[ "$1" = - ] && exec cat > {store}\n'
        "exit 2\n"
    )
    program.chmod(0o755)
    crontab = UserCrontab(str(program))
    assert crontab.read() == ""
    crontab.write("0 * * * * /usr/bin/true\n")
    assert store.read_text() == "0 * * * * /usr/bin/true\n"
    assert crontab.read() == "0 * * * * /usr/bin/true\n"


def test_missing_crontab_program_says_what_to_do() -> None:
    with pytest.raises(ScheduleError, match="--crontab-file"):
        UserCrontab("no-such-crontab-program").read()


def test_second_lock_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    first, second = RunLock(tmp_path / "nightly.lock"), RunLock(tmp_path / "nightly.lock")
    with first, pytest.raises(LockBusy, match=f"pid {os.getpid()}"):
        second.acquire()
    second.acquire()  # free again once the first is released
    second.release()


def test_prune_deletes_only_run_logs_older_than_the_limit(tmp_path: Path) -> None:
    now = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)
    ages = {
        "crawl-20261101-023000.log": 20,
        "crawl-20261107-023000.log": 14.5,
        "crawl-20261108-023000.log": 13,
        "crawl-20261120-023000.log": 1,
        "notes.log": 30,  # not a run log
    }
    for name, days in ages.items():
        path = tmp_path / name
        path.write_text("log\n")
        moment = (now - timedelta(days=days)).timestamp()
        os.utime(path, (moment, moment))
    removed = prune_logs(tmp_path, keep_days=14, now=now)
    assert sorted(p.name for p in removed) == [
        "crawl-20261101-023000.log",
        "crawl-20261107-023000.log",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "crawl-20261108-023000.log",
        "crawl-20261120-023000.log",
        "notes.log",
    ]


# --- the installed line, run as cron runs it ---------------------------------------------------

WINDOW_START = "2026-11-01"


def jagran_articles_in_window() -> int:
    import json

    from crawler.text.dates import parse_date

    return sum(
        1
        for path in (EXPECTED_DIR / "jagran").glob("*.json")
        if parse_date(json.loads(path.read_text("utf-8"))["published_at"])
        >= parse_date(WINDOW_START)
    )


def run_as_cron(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    # cron's environment: a bare PATH, HOME, a POSIX sh; nothing from the installing shell.
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LANG": "C.UTF-8"},
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def cron_nights(mongo_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cron")
    crontab, logs, lock = tmp / "crontab", tmp / "logs", tmp / "nightly.lock"
    database = f"cron_{uuid.uuid4().hex[:8]}"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "schedule",
            "install",
            "--crontab-file",
            str(crontab),
            "--env-file",
            str(tmp / "cron.env"),
            "--log-dir",
            str(logs),
            "--lock-file",
            str(lock),
            "--sites",
            "jagran",
            "--since",
            WINDOW_START,
            "--local-sites",
            "-s",
            f"MONGO_JOURNAL_PATH={tmp / 'pending.jsonl'}",
            # By default three earlier nights tell what is usual; one is enough here.
            "-s",
            "MONITORS_HISTORY_MIN_RUNS=1",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MONGO_URI": mongo_server, "MONGO_DATABASE": database},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    (line,) = entry_lines(crontab)
    command = command_of(line)

    logs.mkdir()
    old_log = logs / "crawl-20261001-023000.log"
    old_log.write_text("an old night\n")
    month_ago = (datetime.now(UTC) - timedelta(days=30)).timestamp()
    os.utime(old_log, (month_ago, month_ago))

    client = connect(mongo_server)
    db = client[database]
    first = run_as_cron(command, tmp)
    logs_after_first = sorted(p.name for p in logs.iterdir())
    records_after_first = list(db.crawl_runs.find())
    with RunLock(lock):  # a run still going when the next one starts
        locked = run_as_cron(command, tmp)
    records_after_locked = db.crawl_runs.count_documents({})
    second = run_as_cron(command, tmp)  # nothing new on the site since the first night
    yield {
        "first": first,
        "locked": locked,
        "second": second,
        "logs_after_first": logs_after_first,
        "records_after_first": records_after_first,
        "records_after_locked": records_after_locked,
        "logs": logs,
        "db": db,
        "crontab": crontab,
        "mongo_uri": mongo_server,
    }
    client.drop_database(database)
    client.close()


def test_the_line_from_the_crontab_runs_a_quiet_crawl(cron_nights: dict[str, Any]) -> None:
    first = cron_nights["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout == "" and first.stderr == ""  # cron mails only what a job prints
    # MONGO_URI reached the job through the env file, not through the crontab.
    assert cron_nights["mongo_uri"] not in cron_nights["crontab"].read_text()


def test_the_run_is_recorded_with_its_summary(cron_nights: dict[str, Any]) -> None:
    (record,) = cron_nights["records_after_first"]
    assert record["spider"] == "jagran"
    assert record["summary"]["articles"]["new"] == jagran_articles_in_window()
    assert record["summary"]["finish_reason"] == "finished"


def test_the_run_logs_to_its_own_file_and_prunes_old_ones(cron_nights: dict[str, Any]) -> None:
    (name,) = cron_nights["logs_after_first"]  # the month-old log is gone
    assert name != "crawl-20261001-023000.log"
    assert name.startswith("crawl-") and name.endswith(".log") and len(name) == 25
    text = (cron_nights["logs"] / name).read_text("utf-8")
    assert "Spider closed (finished)" in text
    assert "all monitors passed" in text


def test_a_second_run_exits_at_once_while_the_first_holds_the_lock(
    cron_nights: dict[str, Any],
) -> None:
    locked = cron_nights["locked"]
    assert locked.returncode == EXIT_LOCKED
    assert "another nightly run is still going" in locked.stderr
    assert f"pid {os.getpid()}" in locked.stderr
    assert cron_nights["records_after_locked"] == 1  # it crawled nothing


def test_a_failed_monitor_makes_the_job_fail_naming_site_and_reason(
    cron_nights: dict[str, Any],
) -> None:
    second = cron_nights["second"]
    assert second.returncode == 3
    assert (
        f"nightly: monitor failed: jagran: new_articles: no new articles; 1 of the last 1 runs "
        f"had some, median {jagran_articles_in_window()}"
    ) in second.stderr.splitlines()
    assert cron_nights["db"].crawl_runs.count_documents({}) == 2
