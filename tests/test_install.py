"""The project as a package, away from its checkout: the egg `scrapyd-deploy` builds,
deployed to a real Scrapyd that crawls fixture sites into a real SecantusDB; and
`pip install` into a fresh virtualenv, whose commands run from another directory.

Both build from a copy of the package's files: a build leaves build/ and
*.egg-info behind, and the checkout is not the place for them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from pymongo.database import Database

from crawler import PROJECT_ROOT
from crawler.devtools.localsites import FixtureSiteServer
from crawler.parsing.registry import SITES
from crawler.text.dates import parse_date
from tests.helpers import EXPECTED_DIR, SITES_DIR, load_expected

pytestmark = pytest.mark.install

# What a package is built from (pyproject.toml names the packages and their data).
PACKAGE_SOURCES = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "scrapy.cfg",
    "requirements.txt",
    "README.md",
    "crawler",
    "spiders",
    "pipelines",
)
PROJECT = "hindi_news"
# Two sites, crawled as two Scrapyd jobs at once: both unpack the egg's data.
CRAWLED_SITES = ("jansatta", "bbchindi")
# The fixture sites' reproduced articles are dated 2026-11-19..21 (see test_e2e.py).
SINCE = "2026-11-01"
REAL_PAGE = PROJECT_ROOT / "tests" / "fixtures" / "real-pages" / "zeenews_2020-10-09.html.gz"
HEADLINES = "भारत ने ऑस्ट्रेलिया को छह विकेट से हराया\nशेयर बाजार में भारी गिरावट, सेंसेक्स 800 अंक टूटा\n"


def package_source(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for entry in PACKAGE_SOURCES:
        source = PROJECT_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, target / entry, ignore=ignore)
        else:
            shutil.copy2(source, target / entry)
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without a way back to the checkout (PYTHONPATH) or to the
    developer's MongoDB and data directory."""
    dropped = {"PYTHONPATH", "MONGO_URI", "MONGO_DATABASE", "HINDI_NEWS_DATA_DIR"}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_folder_of_modules_is_a_regular_package() -> None:
    """Scrapyd imports the egg through zipimport, which finds no namespace package
    there (the egg has no directory entries): a folder without __init__.py imports
    from a checkout and fails only when deployed."""
    folders = {
        path.parent.relative_to(PROJECT_ROOT).as_posix()
        for root in ("crawler", "spiders", "pipelines")
        for path in (PROJECT_ROOT / root).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert sorted(f for f in folders if not (PROJECT_ROOT / f / "__init__.py").is_file()) == []


# --- Scrapyd ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The egg, built by scrapyd-deploy itself (`setup.py bdist_egg` in the project)."""
    source = package_source(tmp_path_factory, "egg-source")
    path = tmp_path_factory.mktemp("egg") / f"{PROJECT}.egg"
    build = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", f"--build-egg={path}"],
        cwd=source,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return path


@dataclass
class Scrapyd:
    url: str
    root: Path
    env: dict[str, str]

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/{endpoint}?{urlencode(params)}") as reply:
            return json.load(reply)

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        reply = requests.post(f"{self.url}/{endpoint}", data=fields, timeout=120)
        reply.raise_for_status()
        return reply.json()


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A real Scrapyd on a free loopback port, its directories and home in a temp dir
    (HOME too: Scrapyd also reads ~/.scrapyd.conf, and the egg's data is unpacked
    under the user's cache)."""
    root = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (root / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {root / 'eggs'}\n"
        f"logs_dir = {root / 'logs'}\n"
        f"dbs_dir = {root / 'dbs'}\n"
        "items_dir =\n"
        "poll_interval = 0.5\n",
        encoding="utf-8",
    )
    env = clean_env(
        HOME=str(root / "home"),
        XDG_CACHE_HOME=str(root / "cache"),
        HINDI_NEWS_DATA_DIR=str(root / "data"),
    )
    log = (root / "scrapyd.out").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--pidfile="],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Scrapyd(f"http://127.0.0.1:{port}", root, env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (root / "scrapyd.out").read_text()[-3000:]
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                assert time.monotonic() < deadline, "Scrapyd did not answer in 60 s"
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Deployment:
    scrapyd: Scrapyd
    db: Database[dict[str, Any]]
    uploaded: dict[str, Any]
    jobs: dict[str, str]  # job id: spider
    finished: list[dict[str, Any]]


@pytest.fixture(scope="module")
def deployed(egg: Path, scrapyd: Scrapyd, mongo_server: str) -> Iterator[Deployment]:
    """The egg uploaded with addversion.json, one job per site scheduled with
    schedule.json against the fixture sites, and waited for (listjobs.json)."""
    from crawler.storage.config import connect

    client = connect(mongo_server)
    database = f"scrapyd_{uuid.uuid4().hex[:8]}"
    with FixtureSiteServer(SITES_DIR) as sites, egg.open("rb") as upload:
        reply = requests.post(
            f"{scrapyd.url}/addversion.json",
            data={"project": PROJECT, "version": "r1"},
            files={"egg": (egg.name, upload)},
            timeout=120,
        )
        uploaded = reply.json()
        jobs = {}
        if uploaded.get("status") == "ok":
            for spider in CRAWLED_SITES:
                scheduled = scrapyd.post(
                    "schedule.json",
                    [
                        ("project", PROJECT),
                        ("spider", spider),
                        ("since", SINCE),
                        ("setting", f"LOCAL_SITES_URL={sites.url}"),
                        ("setting", f"LOCAL_SITES_DIR={SITES_DIR}"),
                        ("setting", f"MONGO_URI={mongo_server}"),
                        ("setting", f"MONGO_DATABASE={database}"),
                        ("setting", "CRAWL_RUN_ID=scrapyd-test"),
                    ],
                )
                assert scheduled["status"] == "ok", scheduled
                jobs[scheduled["jobid"]] = spider
        finished: list[dict[str, Any]] = []
        deadline = time.monotonic() + 300
        while jobs and time.monotonic() < deadline:
            finished = [
                job
                for job in scrapyd.get("listjobs.json", project=PROJECT)["finished"]
                if job["id"] in jobs
            ]
            if len(finished) == len(jobs):
                break
            time.sleep(0.5)
    try:
        yield Deployment(scrapyd, client[database], uploaded, jobs, finished)
    finally:
        client.drop_database(database)
        client.close()


def job_log(deployment: Deployment, job_id: str) -> str:
    spider = deployment.jobs[job_id]
    path = deployment.scrapyd.root / "logs" / PROJECT / spider / f"{job_id}.log"
    return path.read_text(encoding="utf-8") if path.exists() else f"(no log at {path})"


def test_the_egg_ships_the_packages_their_data_and_the_settings_entry_point(egg: Path) -> None:
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    shipped = {
        f"crawler/{path.relative_to(PROJECT_ROOT / 'crawler').as_posix()}"
        for folder in ("data", "models")
        for path in (PROJECT_ROOT / "crawler" / folder).rglob("*")
        if path.is_file()
    }
    assert shipped <= names
    assert {"crawler/models/topics-v2.npz", "crawler/data/stopwords-hi.txt"} <= shipped
    assert {"spiders/jansatta.py", "pipelines/store.py", "crawler/parsing/registry.py"} <= names
    assert not {name for name in names if name.startswith(("tests/", "bench/"))}
    assert "[scrapy]\nsettings = crawler.settings" in entry_points


def test_scrapyd_lists_the_spiders_of_the_uploaded_egg(deployed: Deployment) -> None:
    assert deployed.uploaded.get("status") == "ok", deployed.uploaded
    assert deployed.uploaded["spiders"] == len(SITES) + 1  # and the generic spider


def test_scrapyd_jobs_crawl_the_fixture_sites_into_mongodb(deployed: Deployment) -> None:
    assert len(deployed.finished) == len(CRAWLED_SITES), "jobs not finished in 300 s"
    for job_id in deployed.jobs:
        log = job_log(deployed, job_id)
        assert "'finish_reason': 'finished'" in log, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
    for site in CRAWLED_SITES:
        wanted = {
            expected["url"]
            for expected in map(load_expected, sorted((EXPECTED_DIR / site).glob("*.json")))
            if parse_date(expected["published_at"]) >= parse_date(SINCE)
        }
        stored = {doc["url"] for doc in deployed.db.articles.find({"site": site})}
        assert wanted
        assert stored == wanted


def test_the_jobs_read_the_data_unpacked_from_the_egg(deployed: Deployment) -> None:
    """The egg is imported as a zip: its data and model were unpacked into the cache
    once, and nothing outside the egg could have supplied the package."""
    unpacked = list((deployed.scrapyd.root / "cache" / "hindi-news").glob("package-*"))
    assert len(unpacked) == 1
    assert (unpacked[0] / "models" / "topics-v2.npz").is_file()
    assert (unpacked[0] / "data" / "stopwords-hi.txt").is_file()
    assert not list(unpacked[0].parent.glob(".extracting-*"))
    outside = subprocess.run(
        [sys.executable, "-c", "import crawler"],
        cwd=deployed.scrapyd.root,
        env=deployed.scrapyd.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "No module named 'crawler'" in outside.stderr


# --- pip install into a fresh virtualenv ---------------------------------------------


@dataclass
class Installed:
    bin: Path
    cwd: Path
    env: dict[str, str]

    def run(
        self, *args: str, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.cwd,
            env={**self.env, **env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip install <copy of the checkout>` into a new virtualenv (pip's cache and
    the package index as the machine has them); commands run from an empty directory."""
    source = package_source(tmp_path_factory, "pip-source")
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(source)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    home = tmp_path_factory.mktemp("elsewhere")
    env = clean_env(XDG_DATA_HOME=str(home / "share"), XDG_CACHE_HOME=str(home / "cache"))
    return Installed(venv / "bin", home, env)


def checkout_run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_installed_package_runs_from_site_packages(installed: Installed) -> None:
    run = installed.run(
        "python", "-c", "import crawler; print(crawler.__file__); print(crawler.default_data_dir())"
    )
    assert run.returncode == 0, run.stderr
    module, data_dir = run.stdout.splitlines()
    assert Path(module).is_relative_to(installed.bin.parent / "lib")
    assert data_dir == str(installed.cwd / "share" / "hindi-news")


def test_installed_help(installed: Installed) -> None:
    run = installed.run("hindi-news", "--help")
    assert run.returncode == 0, run.stderr
    for command in ("crawl", "extract", "classify", "query"):
        assert f"    {command} " in run.stdout


def test_installed_extract_reads_a_saved_page_as_the_checkout_does(installed: Installed) -> None:
    run = installed.run("hindi-news", "extract", "--compact", str(REAL_PAGE))
    assert run.returncode == 0, run.stderr
    article = json.loads(run.stdout)
    assert article["site"] == "zeenews"
    assert article["title"].startswith("कोरोना वायरस")
    assert article == json.loads(checkout_run("extract", "--compact", str(REAL_PAGE)).stdout)


def test_installed_classify_uses_the_shipped_model(installed: Installed) -> None:
    run = installed.run("hindi-news", "classify", "--json", stdin=HEADLINES)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[0])["label"] == "sports"
    assert run.stdout == checkout_run("classify", "--json", stdin=HEADLINES).stdout


def test_installed_scrapy_lists_the_spiders(installed: Installed) -> None:
    run = installed.run("scrapy", "list", SCRAPY_SETTINGS_MODULE="crawler.settings")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == sorted([*SITES, "generic"])
