"""A throw-away redis-server for tests and benchmarks: a free loopback port, no
persistence, stopped (and its directory removed) on leaving the block."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

REDIS_SERVER = shutil.which("redis-server")
NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_redis() -> Iterator[str]:
    """The URL of a redis-server started for this block (redis-server must be installed:
    `make setup` installs Debian's)."""
    if REDIS_SERVER is None:
        raise FileNotFoundError("redis-server is not installed (make setup installs it)")
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", *NO_PERSISTENCE]
        server = subprocess.Popen(
            [*command, "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        try:
            for _ in range(100):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            yield url
        finally:
            client.close()
            server.terminate()
            server.wait(timeout=10)
