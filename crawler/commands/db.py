"""The ``db`` sub-command: start, stop and inspect the MongoDB server the project uses.

Without MONGO_URI that is the embedded SecantusDB server under MONGO_EMBEDDED_DIR.
With MONGO_URI set the server is someone else's: ``start`` and ``stop`` leave it
alone and ``status`` only pings it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pymongo.errors import PyMongoError

from crawler.argtypes import positive_float
from crawler.project import project_settings
from crawler.storage.config import MongoConfig, connect, redact_uri
from crawler.storage.embedded import EmbeddedMongo, EmbeddedMongoError
from crawler.storage.store import ArticleStore

if TYPE_CHECKING:
    from scrapy.settings import Settings

_DESCRIPTION = """\
Manage the MongoDB server of the pipeline. Without MONGO_URI the project runs an
embedded SecantusDB server (a real MongoDB wire-protocol server on WiredTiger)
from MONGO_EMBEDDED_DIR on 127.0.0.1:MONGO_EMBEDDED_PORT; crawls start it on
their own when needed. With MONGO_URI set, start and stop do nothing and status
pings that server."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``db start|stop|status`` on an argparse sub-parsers object."""
    parser = subparsers.add_parser(
        "db",
        help="start, stop or inspect the MongoDB server",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run_db)
    commands = parser.add_subparsers(dest="db_command", metavar="{start,stop,status}")
    commands.required = True

    start = commands.add_parser(
        "start",
        help="start the embedded server (or reuse the running one) and print its URI",
        description="Start the embedded server in the background, or reuse the one "
        "already running on the data directory, and print its URI once it answers.",
    )
    start.add_argument(
        "--timeout",
        type=positive_float,
        default=20.0,
        metavar="SECONDS",
        help="how long to wait for the server to answer (default: %(default)s)",
    )

    stop = commands.add_parser(
        "stop",
        help="stop the embedded server and wait until it has exited",
        description="Stop the embedded server and wait for its exit: the data "
        "directory stays locked until the process is gone.",
    )
    stop.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait before killing the server (default: %(default)s)",
    )

    commands.add_parser(
        "status",
        help="show whether the server runs, its pid, URI, data directory and article count",
        description="Show the server state. Exits 0 when the server answers, 1 otherwise.",
    )
    return parser


def run_db(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run ``db <args.db_command>`` and return the exit code."""
    config = MongoConfig.from_settings(settings or project_settings())
    if config.uri:
        return _run_external(args.db_command, config)
    server = config.embedded
    try:
        if args.db_command == "start":
            print(server.start(timeout=args.timeout))
            return 0
        if args.db_command == "stop":
            if server.stop(timeout=args.timeout):
                print(f"Stopped the embedded MongoDB server on {server.data_dir}")
            else:
                print(f"No embedded MongoDB server is running on {server.data_dir}")
            return 0
    except EmbeddedMongoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return _embedded_status(server, config)


def _embedded_status(server: EmbeddedMongo, config: MongoConfig) -> int:
    status = server.status()
    state = "running" if status["running"] else "stopped"
    if status["running"] and not status["answering"]:
        state = "running, not answering"
    print(f"embedded server: {state}")
    print(f"pid:      {status['pid'] if status['pid'] is not None else '-'}")
    print(f"uri:      {status['uri']}")
    print(f"data dir: {status['data_dir']}")
    if status["answering"]:
        print(f"articles: {_article_count(status['uri'], config)}")
    return 0 if status["answering"] else 1


def _run_external(command: str, config: MongoConfig) -> int:
    shown = redact_uri(config.uri)
    if command in ("start", "stop"):
        print(f"MONGO_URI is set: an external server is configured ({shown}).")
        print(f"Nothing to {command}: that server is managed elsewhere.")
        return 0
    try:
        count = _article_count(config.uri, config, raise_errors=True)
    except PyMongoError as exc:
        print(f"external server: unreachable ({shown})")
        print(f"error:    {config.failure(exc)}")
        return 1
    print(f"external server: reachable ({shown})")
    print(f"articles: {count}")
    return 0


def _article_count(uri: str, config: MongoConfig, raise_errors: bool = False) -> str:
    client = connect(uri, config.server_timeout_ms)
    try:
        client.admin.command("ping")
        return str(ArticleStore(client[config.database]).count_articles())
    except PyMongoError:
        if raise_errors:
            raise
        return "?"
    finally:
        client.close()
