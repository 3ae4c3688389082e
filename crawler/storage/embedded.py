"""The embedded MongoDB-compatible server (SecantusDB) used when no MONGO_URI is set.

The server runs as a detached process so it outlives a crawl and is reused by
the next one. Layout of the data directory:

    <data_dir>/db              WiredTiger files (locked by the running server)
    <data_dir>/server.log      server stdout and stderr
    <data_dir>/server.pid      pid of the running server
    <data_dir>/secantusd.toml  server config; pinned so no stray ~/.secantus file applies
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

_CONFIG_TEXT = """\
# SecantusDB config for the embedded server of the Hindi news pipeline.
# Host, port, storage path and cache size come from the command line
# (MONGO_EMBEDDED_*); --standalone too (no oplog).
"""

# WiredTiger's cache (SecantusDB's default is 1G); see MONGO_EMBEDDED_CACHE_SIZE.
DEFAULT_CACHE_SIZE = "256M"
# glibc malloc arenas of the server process (MALLOC_ARENA_MAX); see
# MONGO_EMBEDDED_MALLOC_ARENAS. 0 leaves glibc's default (8 per core).
DEFAULT_MALLOC_ARENAS = 2
# Allocations above this many bytes are mapped and returned to the system when freed
# (MALLOC_MMAP_THRESHOLD_); see MONGO_EMBEDDED_MMAP_THRESHOLD. 0 leaves glibc's own
# threshold, which climbs to 32 MB after big frees and keeps what they leave.
DEFAULT_MMAP_THRESHOLD = 128 * 1024

# Lines WiredTiger and the server print when they cannot take the data dir or the port.
_LOCKED_MARKERS = ("already being managed by another process", "WiredTiger.lock")
_PORT_MARKERS = ("Address already in use", "Errno 98")


def process_alive(pid: int) -> bool:
    """Whether a process with this pid runs (not exited, not a zombie)."""
    if pid <= 0:
        return False  # 0 and -1 would address process groups, not one process
    try:
        # Reap our own exited child; otherwise it lingers as a zombie that kill(0) sees.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # A zombie of another parent (state Z) has exited already.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


class EmbeddedMongoError(RuntimeError):
    """The embedded server could not be started or stopped."""


class EmbeddedMongo:
    """Start, reuse, stop and inspect a detached SecantusDB server on one data directory."""

    def __init__(
        self,
        data_dir: Path | str,
        port: int,
        host: str = "127.0.0.1",
        cache_size: str = DEFAULT_CACHE_SIZE,
        malloc_arenas: int = DEFAULT_MALLOC_ARENAS,
        mmap_threshold: int = DEFAULT_MMAP_THRESHOLD,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.port = int(port)
        self.host = host
        self.cache_size = cache_size
        self.malloc_arenas = int(malloc_arenas)
        self.mmap_threshold = int(mmap_threshold)
        self.db_path = self.data_dir / "db"
        self.log_path = self.data_dir / "server.log"
        self.pid_path = self.data_dir / "server.pid"
        self.config_path = self.data_dir / "secantusd.toml"

    @property
    def uri(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"mongodb://{host}:{self.port}/"

    # --- public API -------------------------------------------------------------

    def start(self, timeout: float = 20) -> str:
        """Start the server (or reuse the running one) and return its URI once it answers ping.

        Serialized by a lock file: the spiders of one crawl open their pipelines
        concurrently, and only the first may spawn the server; the rest reuse it.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._start_or_reuse(timeout)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _start_or_reuse(self, timeout: float) -> str:
        pid = self._read_pid()
        if pid is not None:
            if self._is_our_server(pid):
                if self._wait_until_ready(pid, timeout):
                    logger.info("Reusing the embedded MongoDB server (pid %d) at %s", pid, self.uri)
                    return self.uri
                raise EmbeddedMongoError(
                    f"An embedded MongoDB server (pid {pid}) is running on {self.data_dir} "
                    f"but does not answer at {self.uri} (started with another port?). "
                    f"Stop it with `python -m crawler db stop` or end pid {pid}."
                )
            logger.info("Removing the stale pid file %s (pid %d is gone)", self.pid_path, pid)
            self._remove_pid_file()

        owner = self._answering_pid()
        if owner and self._is_our_server(owner):
            # Our server, but its pid file is gone: adopt it again.
            self.pid_path.write_text(f"{owner}\n", encoding="ascii")
            logger.info("Reusing the embedded MongoDB server (pid %d) at %s", owner, self.uri)
            return self.uri
        if owner is not None or self._port_open():
            raise EmbeddedMongoError(
                f"Port {self.port} on {self.host} is in use by another process"
                + (f" (a MongoDB server, pid {owner})" if owner else "")
                + "; set MONGO_EMBEDDED_PORT to a free port."
            )

        self.db_path.mkdir(parents=True, exist_ok=True)
        if not self.config_path.exists():
            self.config_path.write_text(_CONFIG_TEXT, encoding="utf-8")
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        pid = self._spawn()
        self.pid_path.write_text(f"{pid}\n", encoding="ascii")
        logger.info("Starting the embedded MongoDB server (pid %d) on %s", pid, self.db_path)

        if self._wait_until_ready(pid, timeout):
            logger.info("Embedded MongoDB server ready at %s", self.uri)
            return self.uri
        if not self._alive(pid):
            self._remove_pid_file()
            raise self._startup_error(log_offset)
        raise EmbeddedMongoError(
            f"The embedded MongoDB server (pid {pid}) did not answer at {self.uri} within "
            f"{timeout:g}s; it may still be starting. See {self.log_path}."
        )

    def stop(self, timeout: float = 30) -> bool:
        """Stop the server and wait for its exit; return False if none was running.

        Waiting matters: WiredTiger keeps its lock on the data directory until the
        process has exited, so a `start` right after an unawaited stop would fail.
        """
        pid = self._read_pid()
        if pid is None or not self._is_our_server(pid):
            self._remove_pid_file()
            return False
        logger.info("Stopping the embedded MongoDB server (pid %d)", pid)
        self._signal(pid, signal.SIGTERM)
        if not self._wait_for_exit(pid, timeout):
            logger.warning(
                "The embedded MongoDB server (pid %d) did not exit within %gs; killing it",
                pid,
                timeout,
            )
            self._signal(pid, signal.SIGKILL)
            if not self._wait_for_exit(pid, 10):
                raise EmbeddedMongoError(f"The embedded MongoDB server (pid {pid}) does not exit")
        self._remove_pid_file()
        return True

    def status(self) -> dict[str, Any]:
        pid = self._read_pid()
        running = pid is not None and self._is_our_server(pid)
        return {
            "running": running,
            "answering": running and self._answering_pid() == pid,
            "pid": pid if running else None,
            "uri": self.uri,
            "data_dir": str(self.data_dir),
        }

    # --- process handling ---------------------------------------------------------

    def _spawn(self) -> int:
        argv = [
            sys.executable,
            "-c",
            "import sys; from secantus.cli import main; sys.exit(main())",
            "--config",
            str(self.config_path),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.db_path),
            # No replica-set advertisement, hence no oplog: nothing here reads change
            # streams, and every write would otherwise be encoded and stored twice.
            "--standalone",
            "--cache-size",
            self.cache_size,
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        # 0 means glibc's own: not what the starting process set for itself (a crawl
        # exports its CRAWL_MMAP_THRESHOLD to the processes it starts).
        for name, value in (
            ("MALLOC_ARENA_MAX", self.malloc_arenas),
            ("MALLOC_MMAP_THRESHOLD_", self.mmap_threshold),
        ):
            if value > 0:
                env[name] = str(value)
            else:
                env.pop(name, None)
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            # posix_spawn with setsid is Popen(start_new_session=True) without a Popen
            # object: the server is meant to outlive us, and a dropped Popen of a live
            # child raises ResourceWarning. setsid keeps Ctrl+C of a crawl away from it.
            return os.posix_spawn(
                sys.executable,
                argv,
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, log_fd, 1),
                    (os.POSIX_SPAWN_DUP2, log_fd, 2),
                ],
                setsid=True,
            )
        except OSError as exc:
            raise EmbeddedMongoError(f"Cannot start the embedded MongoDB server: {exc}") from exc
        finally:
            os.close(log_fd)

    def _startup_error(self, log_offset: int) -> EmbeddedMongoError:
        tail = self._log_since(log_offset)
        if any(marker in tail for marker in _LOCKED_MARKERS):
            return EmbeddedMongoError(
                f"The data directory {self.db_path} is locked by another process (a server "
                f"that is still running or shutting down). Stop it first, e.g. "
                f"`python -m crawler db stop`, or wait for it to exit. See {self.log_path}."
            )
        if any(marker in tail for marker in _PORT_MARKERS):
            return EmbeddedMongoError(
                f"Port {self.port} on {self.host} is in use by another process; "
                f"set MONGO_EMBEDDED_PORT to a free port."
            )
        last_lines = "\n".join(tail.strip().splitlines()[-5:])
        return EmbeddedMongoError(
            f"The embedded MongoDB server exited during startup. See {self.log_path}:\n{last_lines}"
        )

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _wait_until_ready(self, pid: int, timeout: float) -> bool:
        """Wait until the server with ``pid`` answers at our URI (not some other server)."""
        deadline = time.monotonic() + timeout
        while True:
            if self._answering_pid() == pid:
                return True
            if not self._alive(pid) or time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _wait_for_exit(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def _port_open(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _answering_pid(self) -> int | None:
        """Pid of the server that answers ping at our URI, or None if none answers."""
        # A plain TCP probe first: cheaper than a client when nothing listens yet.
        if not self._port_open():
            return None
        client: MongoClient[dict[str, Any]] = MongoClient(
            self.uri, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            client.admin.command("ping")
            # serverStatus tells which process answers: ours, or another server on the port.
            pid = client.admin.command("serverStatus").get("pid")
            return int(pid) if isinstance(pid, int) else 0
        except PyMongoError:
            return None
        finally:
            client.close()

    def _is_our_server(self, pid: int) -> bool:
        if not self._alive(pid):
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return True  # no /proc: trust the pid file
        # Guards against a reused pid that now belongs to an unrelated process.
        return b"secantus" in cmdline and os.fsencode(str(self.db_path)) in cmdline

    @staticmethod
    def _alive(pid: int) -> bool:
        return process_alive(pid)

    @staticmethod
    def _signal(pid: int, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def _remove_pid_file(self) -> None:
        self.pid_path.unlink(missing_ok=True)
