"""Shared fixtures. MongoDB is a real SecantusDB server, never a fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo.database import Database
from secantus import SecantusDBServer

from crawler.storage.config import connect


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URI of a throw-away SecantusDB server, one per test session (stopping takes seconds)."""
    server = SecantusDBServer(port=0, storage_path=str(tmp_path_factory.mktemp("mongo") / "db"))
    server.start()
    try:
        yield server.uri
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
