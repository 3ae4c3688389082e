"""Every bad input is one clear line: the CLI as the user runs it, with arguments and
environments that ended in a traceback (or did harm) before, against a real
SecantusDB server where a database is needed."""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler import PROJECT_ROOT
from crawler.cli import main
from crawler.storage.config import connect
from crawler.storage.store import ArticleStore
from tests.helpers import SITES_DIR
from tests.reliability.helpers import run_cli as run

pytestmark = pytest.mark.reliability

IST = timezone(timedelta(hours=5, minutes=30))
# A real Jagran page from the fixture sites (see tests/fixtures/sites).
JAGRAN_URL = (
    "https://www.jagran.com/uttar-pradesh/allahabad-city-aam-aadmi-party-workers-will-agitate"
    "-on-the-issue-of-electricity-in-prayagraj-21109565.html"
)
JAGRAN_PAGE = SITES_DIR / JAGRAN_URL.removeprefix("https://")
SECRET = "s3cr%40et"  # percent-encoded in the URI; the driver may quote it decoded
DECODED_SECRET = "s3cr@et"


# --- helpers -----------------------------------------------------------------------


def status_of(argv: list[str]) -> int:
    """The exit status of the CLI run in-process, as the shell would see it."""
    cwd = os.getcwd()
    try:
        return main(argv)
    except SystemExit as exc:  # argparse; SystemExit("text") is status 1
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(cwd)  # project_settings() moves to the project root


def one_line(stderr: str) -> str:
    """stderr must be exactly one line (and no traceback); that line."""
    assert "Traceback" not in stderr, stderr[-2000:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-2000:]
    return lines[0]


def last_line(stderr: str) -> str:
    """For crawls, which log to stderr: no traceback, and the last line."""
    assert "Traceback" not in stderr, stderr[-3000:]
    return stderr.strip().splitlines()[-1]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def host_of(uri: str) -> str:
    return uri.removeprefix("mongodb://").split("/")[0]


@pytest.fixture(scope="module")
def database(mongo_server: str) -> Iterator[str]:
    """Three stored articles in a database of their own."""
    name = f"cli_inputs_{uuid.uuid4().hex[:8]}"
    with connect(mongo_server) as client:
        store = ArticleStore(client[name])
        store.ensure_indexes()
        store.upsert_articles(
            [
                {
                    "url": f"https://www.jagran.com/news/story-{n}-1234567.html",
                    "site": "jagran",
                    "title": f"खबर {n}",
                    "description": "",
                    "body": f"अनुच्छेद {n}",
                    "authors": [],
                    "published_at": datetime(2026, 11, 20, 10, n, tzinfo=IST),
                    "category": "politics",
                }
                for n in (1, 2, 3)
            ]
        )
        yield name
        client.drop_database(name)


@pytest.fixture
def db_env(mongo_server: str, database: str) -> dict[str, str]:
    return {"MONGO_URI": mongo_server, "MONGO_DATABASE": database}


# --- date windows, limits, numbers -------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--since", "99999999d"],
        ["stats", "--since", "99999999d"],
        ["export", "--until", "99999999w"],
        ["crawl", "--since", "99999999d"],
        ["report", "--since", "99999999d"],
        ["nightly", "--since", "999999999999h"],
        ["query", "--since", "9" * 5000 + "d"],  # more digits than int() takes
    ],
)
def test_a_date_window_too_far_back_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert status_of(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert f"error: argument {argv[1]}:" in line
    assert "before the year 1" in line


@pytest.mark.parametrize(
    ("option", "date"), [("--since", "0001-01-01T00:00:00"), ("--until", "9999-12-31T23:00-05:00")]
)
def test_a_date_that_is_out_of_range_in_utc_is_a_usage_error(
    option: str, date: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Valid as written, but not in UTC, where the store compares dates (OverflowError)."""
    assert status_of(["stats", option, date]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"argument {option}:" in line and "out of range (years 1 to 9999 in UTC)" in line


def test_a_date_window_as_far_back_as_year_1000_still_works(
    db_env: dict[str, str],
) -> None:
    result = run("query", "--since", f"{(2026 - 1000) * 365}d", "--json", env=db_env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


@pytest.mark.parametrize("limit", ["-5", "0", str(10**30), "ten"])
def test_a_limit_out_of_range_is_refused(limit: str, db_env: dict[str, str]) -> None:
    result = run("query", "--limit", limit, "--json", env=db_env)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "--limit" in line and repr(limit) in line
    assert result.stdout == ""  # no rows: before, -5 listed every article


def test_a_limit_in_range_limits(db_env: dict[str, str]) -> None:
    result = run("query", "--limit", "2", "--json", env=db_env)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == [
        "खबर 3",
        "खबर 2",
    ]


def test_keep_days_below_one_is_refused_and_no_log_is_deleted(
    tmp_path: Path, mongo_server: str
) -> None:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    old = log_dir / "crawl-20261203-023000.log"
    old.write_text("yesterday's run\n")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    result = run(
        "nightly",
        "--keep-days",
        "-1",
        "--sites",
        "jagran",
        "--local-sites",
        "--log-dir",
        str(log_dir),
        "--lock-file",
        str(tmp_path / "nightly.lock"),
        "-s",
        f"MONGO_JOURNAL_PATH={tmp_path / 'journal' / 'pending.jsonl'}",
        env={"MONGO_URI": mongo_server, "MONGO_DATABASE": f"keep_{uuid.uuid4().hex[:8]}"},
    )
    assert result.returncode == 2
    assert "--keep-days" in one_line(result.stderr)
    assert old.read_text() == "yesterday's run\n"
    assert [p.name for p in log_dir.iterdir()] == [old.name]  # and no run was started


def test_schedule_refuses_keep_days_below_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crontab = tmp_path / "crontab"
    argv = ["schedule", "install", "--crontab-file", str(crontab), "--keep-days", "-1"]
    assert status_of(argv) == 2
    assert "--keep-days" in one_line(capsys.readouterr().err)
    assert not crontab.exists()


# --- setting overrides ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("MONGO_BATCH_SIZE=abc", "expected a whole number"),
        ("MONGO_BATCH_SIZE=2.5", "expected a whole number"),
        ("CLASSIFY_MIN_CONFIDENCE=high", "expected a number"),
        ("LANGUAGE_MIN_CONFIDENCE=nan", "expected a number"),
        ("DEDUPE_PERSIST=maybe", "expected true or false"),
        ("MONITORS_MIN_FIELD_COVERAGE=title", "expected a JSON object"),
        ("CRAWL_SINCE=yesterday", "expected a span like 1d"),
        ("CONCURRENT_REQUESTS=many", "expected a whole number"),  # Scrapy's own, set here
        ("BAD NAME=1", "not a setting name"),
    ],
)
def test_a_setting_override_of_the_wrong_type_is_a_usage_error(
    setting: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status_of(["crawl", "jagran", "-s", setting]) == 2
    line = one_line(capsys.readouterr().err)
    assert "-s/--set" in line and expected in line


def test_a_bad_setting_stops_the_crawl_before_it_starts(tmp_path: Path, mongo_server: str) -> None:
    """Before: the pipeline's getint() raised mid-start and the crawl ended in a traceback."""
    journal = tmp_path / "journal" / "pending.jsonl"
    result = run(
        "crawl",
        "jagran",
        "--local-sites",
        "-s",
        "MONGO_BATCH_SIZE=abc",
        "-s",
        f"MONGO_JOURNAL_PATH={journal}",
        env={"MONGO_URI": mongo_server, "MONGO_DATABASE": f"bad_{uuid.uuid4().hex[:8]}"},
    )
    assert result.returncode == 2
    assert "MONGO_BATCH_SIZE=abc: expected a whole number" in one_line(result.stderr)
    assert not journal.parent.exists()


@pytest.mark.parametrize("command", [["nightly"], ["schedule", "install"]])
def test_nightly_and_schedule_check_setting_overrides_too(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--crontab-file", str(tmp_path / "crontab")] if command[0] == "schedule" else []
    assert status_of([*command, *extra, "-s", "MONGO_BATCH_SIZE=abc"]) == 2
    assert "MONGO_BATCH_SIZE=abc" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "crontab").exists()


def test_settings_of_the_right_type_are_taken() -> None:
    from crawler.argtypes import setting_arg

    assert setting_arg("MONGO_BATCH_SIZE=20") == ("MONGO_BATCH_SIZE", "20")
    assert setting_arg("DOWNLOAD_TIMEOUT=2.5") == ("DOWNLOAD_TIMEOUT", "2.5")  # read as float
    assert setting_arg("DEDUPE_PERSIST=false") == ("DEDUPE_PERSIST", "false")
    assert setting_arg("LANGUAGE_ALLOWED=hi,en") == ("LANGUAGE_ALLOWED", "hi,en")
    assert setting_arg("SOME_NEW_SETTING=anything") == ("SOME_NEW_SETTING", "anything")


def test_every_whole_number_setting_read_as_a_float_is_known() -> None:
    """FLOAT_SETTINGS must name every setting with an int default that some code reads
    with getfloat(), or `-s NAME=2.5` would be refused although it is right."""
    import scrapy
    from scrapy.settings import default_settings

    from crawler import settings as project
    from crawler.argtypes import FLOAT_SETTINGS

    roots = [
        Path(scrapy.__file__).parent,
        *(PROJECT_ROOT / d for d in ("crawler", "pipelines", "spiders")),
    ]
    read_as_float = {
        name
        for root in roots
        for path in root.rglob("*.py")
        for name in re.findall(r"getfloat\(\s*[\"']([A-Z_]+)[\"']", path.read_text("utf-8"))
    }
    assert "DOWNLOAD_TIMEOUT" in read_as_float  # the scan finds them
    defaults = {**vars(default_settings), **vars(project)}
    whole = {
        name
        for name in read_as_float
        if isinstance(defaults.get(name), int) and not isinstance(defaults.get(name), bool)
    }
    assert whole <= FLOAT_SETTINGS


# --- unknown sites ---------------------------------------------------------------------


def test_crawl_of_an_unknown_site_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert status_of(["crawl", "nosuch"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "unknown site nosuch" in line and "jagran" in line


# --- output files -------------------------------------------------------------------------


def unwritable_targets(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    return {"a directory": tmp_path, "under a file": a_file / "out.txt"}


@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_report_to_an_unwritable_out_is_one_line(
    where: str, tmp_path: Path, db_env: dict[str, str]
) -> None:
    target = unwritable_targets(tmp_path)[where]
    result = run("report", "--out", str(target), env=db_env)
    assert result.returncode == 1
    assert one_line(result.stderr).startswith(f"report: cannot write {target}: ")


@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_export_to_an_unwritable_out_is_one_line(
    where: str, tmp_path: Path, db_env: dict[str, str]
) -> None:
    target = unwritable_targets(tmp_path)[where]
    result = run("export", "--out", str(target), env=db_env)
    assert result.returncode == 1
    assert one_line(result.stderr).startswith(f"export: cannot write {target}: ")


def test_export_writes_the_file_relative_to_where_it_was_started(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--out", "corpus.jsonl"],
        cwd=tmp_path,
        env={**os.environ, **db_env, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "corpus.jsonl").read_text("utf-8").splitlines()
    titles = [json.loads(line)["title"] for line in lines]
    assert sorted(titles) == ["खबर 1", "खबर 2", "खबर 3"]
    assert not (PROJECT_ROOT / "corpus.jsonl").exists()


def test_a_failed_export_leaves_the_earlier_file_as_it_was(tmp_path: Path) -> None:
    earlier = tmp_path / "corpus.jsonl"
    earlier.write_text('{"title": "last week"}\n')
    dead = f"mongodb://127.0.0.1:{closed_port()}/"
    result = run("export", "--out", str(earlier), env={"MONGO_URI": dead})
    assert result.returncode == 1
    assert "cannot reach MongoDB" in one_line(result.stderr)
    assert earlier.read_text() == '{"title": "last week"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.jsonl"]  # no part file left


@pytest.mark.parametrize("action", ["show", "install", "remove"])
def test_a_directory_as_crontab_file_is_one_line(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path
    assert status_of(["schedule", action, "--crontab-file", str(target)]) == 1
    assert one_line(capsys.readouterr().err).startswith(f"schedule: cannot read {target}: ")


def test_an_unwritable_crontab_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file reads as empty (not there yet) but its directory cannot be made."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / "sub" / "crontab"
    assert status_of(["schedule", "install", "--crontab-file", str(target)]) == 1
    assert one_line(capsys.readouterr().err).startswith(f"schedule: cannot write {target}: ")


# --- MongoDB away or refusing the password ---------------------------------------------------


def unreachable_env(mongo_server: str, kind: str) -> tuple[dict[str, str], str]:
    """(environment, the address the message must name) for a MongoDB that is away or
    that refuses the password."""
    host = f"127.0.0.1:{closed_port()}" if kind == "away" else host_of(mongo_server)
    uri = f"mongodb://bob:{SECRET}@{host}/hindi?authSource=admin"
    return {"MONGO_URI": uri, "MONGO_DATABASE": "hindi"}, f"mongodb://bob:***@{host}"


@pytest.mark.parametrize("kind", ["away", "wrong password"])
@pytest.mark.parametrize(
    "argv", [["query"], ["stats"], ["export"], ["query", "--json", "--site", "jagran"]]
)
def test_an_unreachable_mongodb_is_one_line_without_the_password(
    argv: list[str], kind: str, mongo_server: str
) -> None:
    env, address = unreachable_env(mongo_server, kind)
    result = run(*argv, env=env)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith(f"{argv[0]}: cannot reach MongoDB at {address}: ")
    reason = "Connection refused" if kind == "away" else "authentication failed"
    assert reason in line
    assert SECRET not in result.stderr and DECODED_SECRET not in result.stderr


def test_report_names_the_server_the_same_way(mongo_server: str, tmp_path: Path) -> None:
    env, address = unreachable_env(mongo_server, "wrong password")
    result = run("report", "--out", str(tmp_path / "r.html"), env=env)
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        f"report: cannot reach MongoDB at {address}: authentication failed"
    )


def test_crawl_with_mongodb_refusing_the_password_ends_in_one_line(
    mongo_server: str, tmp_path: Path
) -> None:
    """The crawl keeps its articles in the journal and says why: exit 1."""
    env, address = unreachable_env(mongo_server, "wrong password")
    result = run(
        "crawl",
        "jagran",
        "--local-sites",
        "-s",
        f"MONGO_JOURNAL_PATH={tmp_path / 'journal' / 'pending.jsonl'}",
        "-s",
        "MONGO_SERVER_TIMEOUT_MS=500",
        env=env,
    )
    assert result.returncode == 1
    assert last_line(result.stderr) == (
        f"crawl: cannot reach MongoDB at {address}: authentication failed "
        "(the articles wait in the journal)"
    )
    assert SECRET not in result.stderr and DECODED_SECRET not in result.stderr


# --- extract: pages too big --------------------------------------------------------------


def padded_page(extra_bytes: int) -> bytes:
    """The real Jagran page with an HTML comment of ``extra_bytes`` before </html>."""
    page = JAGRAN_PAGE.read_bytes()
    cut = page.rindex(b"</html>")
    return page[:cut] + b"<!--" + b" " * extra_bytes + b"-->" + page[cut:]


def test_extract_of_a_gzip_bomb_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.settings import EXTRACT_MAX_BYTES

    bomb = tmp_path / "page.html.gz"
    bomb.write_bytes(gzip.compress(padded_page(EXTRACT_MAX_BYTES)))
    assert bomb.stat().st_size < EXTRACT_MAX_BYTES // 100  # small packed, big unpacked
    assert status_of(["extract", str(bomb), "--url", JAGRAN_URL]) == 1
    captured = capsys.readouterr()
    assert one_line(captured.err) == (
        f"extract: {bomb} unpacked is larger than {EXTRACT_MAX_BYTES:,} bytes (EXTRACT_MAX_BYTES)"
    )
    assert captured.out == ""


def test_extract_of_a_huge_plain_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.settings import EXTRACT_MAX_BYTES

    page = tmp_path / "page.html"
    page.write_bytes(padded_page(EXTRACT_MAX_BYTES))
    assert status_of(["extract", str(page), "--url", JAGRAN_URL]) == 1
    assert "larger than" in one_line(capsys.readouterr().err)


def test_extract_of_a_truncated_gzip_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = gzip.compress(JAGRAN_PAGE.read_bytes())
    broken = tmp_path / "page.html.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    assert status_of(["extract", str(broken), "--url", JAGRAN_URL]) == 1
    assert one_line(capsys.readouterr().err).startswith(f"extract: cannot read {broken}: ")


def test_extract_of_a_gzipped_page_under_the_limit_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(padded_page(1_000_000)))
    assert status_of(["extract", str(packed), "--url", JAGRAN_URL, "--compact"]) == 0
    article = json.loads(capsys.readouterr().out)
    assert article["site"] == "jagran"
    assert "आम आदमी पार्टी" in article["title"]


# Runs the CLI and, at exit, reports the process's peak RSS (VmHWM): that of this
# program alone. ru_maxrss would not do: Linux carries it across exec, so a child
# forked from pytest starts with pytest's own peak.
_MEASURED = """\
import atexit, runpy, sys

def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nVmHWM {peak}\\n")

atexit.register(report)
sys.argv[0] = "crawler"
runpy.run_module("crawler", run_name="__main__", alter_sys=True)
"""


def peak_rss_mb(args: list[str], stdin: Path | None = None) -> tuple[int, float]:
    """(exit status, peak RSS in MB) of one CLI run."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc (Linux) to read the peak RSS")
    with (stdin or Path(os.devnull)).open("rb") as source:
        result = subprocess.run(
            [sys.executable, "-c", _MEASURED, *args],
            cwd=PROJECT_ROOT,
            stdin=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=300,
            check=False,
        )
    kilobytes = result.stderr.decode().rsplit("VmHWM ", 1)[1].split()[0]
    return result.returncode, int(kilobytes) / 1024


def test_extract_of_a_256_mib_bomb_stays_small(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        for _ in range(16):
            out.write(b"\0" * (16 << 20))
    status, peak = peak_rss_mb(["extract", str(bomb), "--url", JAGRAN_URL])
    assert status == 1
    assert peak < 200, f"{peak:.0f} MB"  # before: the whole 256 MiB, and a copy or two


# --- classify: documents too long ---------------------------------------------------------


def fixture_bodies(category: str) -> list[str]:
    """Bodies of the fixture sites' expected articles of a category, one line each."""
    docs = [
        json.loads(p.read_text("utf-8")) for p in sorted(SITES_DIR.parent.glob("expected/*/*.json"))
    ]
    return [" ".join(d["body"].split()) for d in docs if d.get("category") == category]


def test_classify_reads_a_long_line_up_to_the_cap_only(tmp_path: Path) -> None:
    """A sports report padded to the cap, followed by business news: the model reads the
    sports report alone (before, the business news behind the cap decided)."""
    from crawler.settings import CLASSIFY_MAX_CHARS

    sports = fixture_bodies("sports")[0]
    start = sports + " " + "." * (CLASSIFY_MAX_CHARS - len(sports) - 1)
    line = start + " " + " ".join(fixture_bodies("business"))
    source = tmp_path / "in.txt"
    source.write_text(f"{sports}\n{line}\n", encoding="utf-8")
    with source.open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "classify"],
            cwd=PROJECT_ROOT,
            stdin=stdin,
            capture_output=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0
    assert result.stdout.decode().splitlines() == ["sports", "sports"]
    assert one_line(result.stderr.decode()) == (
        f"classify: 1 line(s) longer than {CLASSIFY_MAX_CHARS:,} characters "
        "(CLASSIFY_MAX_CHARS) were classified on their start"
    )


def test_classify_of_a_40_mb_line_stays_small(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    words = " ".join(fixture_bodies("business")).encode()
    with source.open("wb") as out:
        for _ in range((40 << 20) // len(words)):
            out.write(words + b" ")
        out.write(b"\nshort second line\n")
    status, peak = peak_rss_mb(["classify"], stdin=source)
    assert status == 0
    assert peak < 250, f"{peak:.0f} MB"  # before: about 23 bytes of memory per byte read


@pytest.mark.parametrize("option", ["--log-dir", "--lock-file"])
def test_nightly_with_an_unwritable_log_dir_or_lock_is_one_line(
    option: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    paths = {"--log-dir": str(tmp_path / "logs"), "--lock-file": str(tmp_path / "nightly.lock")}
    paths[option] = str(blocker / "sub")
    args = [arg for name, value in paths.items() for arg in (name, value)]
    result = run("nightly", "--sites", "jagran", *args, env={"MONGO_URI": "mongodb://127.0.0.1:1/"})
    assert result.returncode == 1
    what = {"--log-dir": "write the log directory", "--lock-file": "take the run lock"}[option]
    assert one_line(result.stderr).startswith(f"nightly: cannot {what} {blocker / 'sub'}: ")


def test_nightly_with_mongodb_away_exits_1_like_crawl_and_loses_nothing(tmp_path: Path) -> None:
    journal = tmp_path / "journal" / "pending.jsonl"
    result = run(
        "nightly",
        "--sites",
        "jagran",
        "--since",
        "2026-11-01",
        "--local-sites",
        "--log-dir",
        str(tmp_path / "logs"),
        "--lock-file",
        str(tmp_path / "nightly.lock"),
        "-s",
        f"MONGO_JOURNAL_PATH={journal}",
        "-s",
        "MONGO_SERVER_TIMEOUT_MS=300",
        env={"MONGO_URI": "mongodb://crawler:s3cret@127.0.0.1:1/"},
    )
    assert result.returncode == 1, result.stderr
    assert "cannot reach MongoDB at mongodb://crawler:***@127.0.0.1:1" in result.stderr
    assert "s3cret" not in result.stderr
    assert journal.read_text(encoding="utf-8").count("\n") > 0  # the articles wait there
