"""Shared fixtures. MongoDB is a real SecantusDB server, never a fake."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo.database import Database

from crawler.storage.config import connect
from crawler.storage.embedded import EmbeddedMongo


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URI of a throw-away SecantusDB server, one per test session (stopping takes seconds).

    A process of its own, as the crawls run it. Inside the test process it shared the
    GIL with the tests, and twice in full runs it stopped answering mid-suite (a hang
    in test_classify_pipeline, "operation cancelled" in test_store); alone each passed.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = EmbeddedMongo(tmp_path_factory.mktemp("mongo"), port)
    uri = server.start()
    try:
        yield uri
    finally:
        server.stop()


@pytest.fixture
def mongo_db(mongo_server: str) -> Iterator[Database[dict[str, Any]]]:
    """A fresh, uniquely named database on ``mongo_server``, dropped afterwards."""
    client = connect(mongo_server)
    name = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()
