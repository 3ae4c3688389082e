"""A hostile web site of our own, on 127.0.0.1 (port 0), for the reliability tests.

Each path answers with one fault: a page that hangs, a Retry-After of an hour, an
endless or huge body, a gzip bomb, UTF-16 served as UTF-8, a redirect to an
internal address... Synthetic by design: these are the faults real sites have
shown (issue 10), reproduced at will. Every request is counted per path
(``hits``), so a test can tell whether a URL was fetched at all and how often.

    with FaultServer({"/robots.txt": Hang(), "/": Page(b"<html>...")}) as server:
        server.url("/")                      # http://127.0.0.1:<port>/
        server.hits["/robots.txt"]           # requests seen

Paths may be served under a host prefix too (``/<host>/<path>``), the layout of
the project's local-sites mode (LOCAL_SITES_URL), so the server can stand in for
a fixture host whose requests are rerouted to loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache


class Fault:
    """What one path answers. Subclasses write the whole response."""

    async def answer(self, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        raise NotImplementedError


def _head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


@dataclass
class Page(Fault):
    """A plain answer (any status, headers and body)."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    async def answer(self, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        headers = {"Content-Type": self.content_type, "Content-Length": str(len(self.body))}
        writer.write(_head(self.status, {**headers, **self.headers}) + self.body)
        await writer.drain()


def redirect(location: str, status: int = 302) -> Page:
    return Page(status=status, headers={"Location": location})


def retry_after(seconds: int, status: int = 503) -> Page:
    return Page(b"busy", "text/plain", status, {"Retry-After": str(seconds)})


class Hang(Fault):
    """Reads the request and never answers (until the server stops)."""

    async def answer(self, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        await stop.wait()


@dataclass
class Stream(Fault):
    """``size`` bytes of ``chunk`` repeated, sent as fast as the client reads; with
    ``size=None`` the body never ends (no Content-Length, until the client hangs up)."""

    size: int | None
    chunk: bytes = b"<p>" + "क".encode() * 1000 + b"</p>\n"
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    async def answer(self, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        headers = {"Content-Type": self.content_type, **self.headers}
        if self.size is not None:
            headers["Content-Length"] = str(self.size)
        writer.write(_head(200, headers))
        block = self.chunk * max(1, 65536 // len(self.chunk))
        left = self.size if self.size is not None else 1 << 62
        while left > 0 and not stop.is_set():
            piece = block[:left]
            writer.write(piece)
            left -= len(piece)
            await writer.drain()


@cache
def gzip_of_zeros(size: int) -> bytes:
    """``size`` zero bytes gzipped (about 1000:1): the payload of a gzip bomb."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    parts.append(packer.compress(bytes(size & ((1 << 20) - 1))))
    parts.append(packer.flush())
    return b"".join(parts)


def gzip_bomb(size: int, *, as_file: bool = False) -> Page:
    """Gzipped zeros that unpack to ``size`` bytes: as Content-Encoding (undone by the
    HTTP client) or as a .gz file (undone by the spider's sitemap reader)."""
    if as_file:
        return Page(gzip_of_zeros(size), "application/gzip")
    return Page(gzip_of_zeros(size), "text/html", headers={"Content-Encoding": "gzip"})


class FaultServer:
    """Serves ``routes`` (path -> Fault) on 127.0.0.1 from a thread with its own loop."""

    def __init__(self, routes: Mapping[str, Fault]) -> None:
        self.routes = dict(routes)
        self.hits: Counter[str] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-server", daemon=True)
        self._stop: asyncio.Event | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.root + path

    def start(self) -> FaultServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault server did not start")
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            # Hanging handlers end on _stop; give them a moment to close their sockets.
            await asyncio.sleep(0.05)

    def route(self, path: str) -> tuple[str, Fault | None]:
        path = path.split("?", 1)[0]
        if path in self.routes:
            return path, self.routes[path]
        return path, None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._stop is not None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode("latin-1")
            path, fault = self.route(target)
            self.hits[path] += 1
            if fault is None:
                await Page(b"not here", "text/plain", 404).answer(writer, self._stop)
            else:
                await fault.answer(writer, self._stop)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up: that is what clients of a hostile site do
        finally:
            with contextlib.suppress(ConnectionError, RuntimeError):
                writer.close()
