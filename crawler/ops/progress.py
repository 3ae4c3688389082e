"""Live progress of a crawl on a terminal: one status line per site, redrawn in place.

On a terminal (stderr is a TTY) the extension keeps a block of status lines,
one per site crawled in the process (requests, articles stored, pages failed),
at the bottom of the screen; log lines scroll by above it. Anywhere else (cron,
a pipe, a file) it switches itself off and the output is the plain log.

Log records reach the terminal through stream handlers on ``sys.stderr``; while
the block is shown, ``sys.stderr`` (and the handlers already holding it) write
through :class:`_BoardStream`, which lifts the block before each write and puts
it back after a complete line, so log text and status lines never overwrite
each other.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)

_UP = "\x1b[{n}A\r"  # cursor up n lines, to column 0
_CLEAR_DOWN = "\x1b[J"  # clear from the cursor to the end of the screen


class ProgressBoard:
    """The status lines of every site crawled in this process, on one terminal stream."""

    _boards: dict[int, ProgressBoard] = {}

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: dict[str, str] = {}
        self.running: set[str] = set()
        self.drawn = 0  # status lines currently on screen, below the cursor's line
        self._wrapper: _BoardStream | None = None
        self._mid_line = False  # a log write without its newline yet

    @classmethod
    def for_stream(cls, stream: TextIO) -> ProgressBoard:
        """One board per stream: all crawlers of the process share it."""
        key = id(stream)
        if key not in cls._boards:
            cls._boards[key] = cls(stream)
        return cls._boards[key]

    # --- sites ---------------------------------------------------------------------------

    def open(self, site: str, line: str) -> None:
        if not self.running:
            self._install()
        self.running.add(site)
        self.lines[site] = line
        self.draw()

    def update(self, site: str, line: str) -> None:
        self.lines[site] = line
        self.draw()

    def close(self, site: str, line: str) -> None:
        self.lines[site] = line
        self.running.discard(site)
        self.draw()
        if not self.running:
            # The final lines stay on screen, above whatever is printed next.
            self.drawn = 0
            self.lines.clear()
            self._uninstall()

    # --- drawing -------------------------------------------------------------------------

    def erase(self) -> None:
        if self.drawn:
            self.stream.write(_UP.format(n=self.drawn) + _CLEAR_DOWN)
            self.drawn = 0

    def draw(self) -> None:
        if self._mid_line:
            return  # never cut into a half-written log line
        width = max(shutil.get_terminal_size(fallback=(100, 24)).columns - 1, 20)
        self.erase()
        # Cut to the terminal's width: a wrapped line would throw off the cursor arithmetic.
        self.stream.write("".join(line[:width] + "\n" for line in self.lines.values()))
        self.stream.flush()
        self.drawn = len(self.lines)

    def write_through(self, text: str) -> int:
        """Log text: lift the block, write, put the block back after a complete line."""
        if not text:
            return 0
        self.erase()
        written = self.stream.write(text)
        self._mid_line = not text.endswith("\n")
        if not self._mid_line and self.lines:
            self.draw()
        return written

    # --- the stderr wrapper ----------------------------------------------------------------

    def _install(self) -> None:
        if self._wrapper is not None:
            return
        self._wrapper = _BoardStream(self)
        # Handlers made later (Scrapy installs one per crawler) take sys.stderr as it is then.
        if sys.stderr is self.stream:
            sys.stderr = self._wrapper  # type: ignore[assignment]
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                handler.setStream(self._wrapper)

    def _uninstall(self) -> None:
        if self._wrapper is None:
            return
        if sys.stderr is self._wrapper:
            sys.stderr = self.stream
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self._wrapper:
                handler.setStream(self.stream)
        # Handlers that still hold the wrapper now write straight through it.
        self._wrapper.board = None
        self._wrapper = None


class _BoardStream:
    """A text stream that writes through a board (or straight through once detached)."""

    def __init__(self, board: ProgressBoard) -> None:
        self.board: ProgressBoard | None = board
        self.stream = board.stream

    def write(self, text: str) -> int:
        if self.board is None:
            return self.stream.write(text)
        return self.board.write_through(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def status_line(site: str, stats: dict[str, Any], state: str, seconds: float) -> str:
    """``jagran  running  13 requests  4 articles stored  1 failed  0:08``"""
    minutes, secs = divmod(int(seconds), 60)
    return (
        f"{site:<22} {state:<9} {stats.get('downloader/request_count', 0):>6} requests "
        f"{stats.get('item_scraped_count', 0):>5} articles stored "
        f"{stats.get('spider/failed_pages', 0):>4} failed  {minutes}:{secs:02d}"
    )


class ProgressExtension:
    """Shows the site's status line on the process's board while its spider runs."""

    def __init__(self, crawler: Crawler, board: ProgressBoard, interval: float) -> None:
        self.crawler = crawler
        self.board = board
        self.interval = max(float(interval), 0.1)
        self.site = ""
        self.started = 0.0
        self._task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = crawler.settings
        if not settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured("PROGRESS_ENABLED is off")
        stream = sys.stderr
        if not stream.isatty():
            raise NotConfigured("stderr is not a terminal")  # cron, pipes: plain log only
        # A later crawler in the same process finds sys.stderr already wrapped.
        real = stream.stream if isinstance(stream, _BoardStream) else stream
        board = ProgressBoard.for_stream(real)
        extension = cls(crawler, board, settings.getfloat("PROGRESS_INTERVAL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.site = spider.name
        self.started = time.monotonic()
        self.board.open(self.site, self._line("starting"))
        self._task = task.LoopingCall(self.refresh)
        self._task.start(self.interval, now=False)

    def refresh(self) -> None:
        self.board.update(self.site, self._line("running"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        self.board.close(self.site, self._line(reason))

    def _line(self, state: str) -> str:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        return status_line(self.site, stats, state, time.monotonic() - self.started)
