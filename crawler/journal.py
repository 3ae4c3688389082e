"""A durable local JSONL file of article documents waiting for MongoDB.

When MongoDB is unreachable the store pipeline appends its batches here, and a
later run (or the same run, once the server is back) replays them. Every change
happens under an exclusive ``flock`` on ``<path>.lock`` so that several
pipelines (threads or processes) can share one journal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.store import ArticleStore

logger = logging.getLogger(__name__)

# Datetimes are written as {"$datetime": "<ISO 8601 with offset>"} so they come back
# as the same aware datetimes (offset included), not as strings.
_DATETIME_TAG = "$datetime"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.isoformat()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATETIME_TAG in obj:
        return datetime.fromisoformat(obj[_DATETIME_TAG])
    return obj


def dumps_line(doc: dict[str, Any]) -> str:
    """One journal line (no newline) for ``doc``."""
    return json.dumps(doc, ensure_ascii=False, default=_encode, separators=(",", ":"))


def loads_line(line: str) -> dict[str, Any]:
    doc = json.loads(line, object_hook=_decode)
    if not isinstance(doc, dict):
        raise ValueError("journal line is not an object")
    return doc


class Journal:
    """Append-only JSONL journal, rewritten atomically (temp file + os.replace) on replay."""

    def __init__(self, path: Path | str, batch_size: int = 200) -> None:
        self.path = Path(path)
        self.batch_size = batch_size
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._corrupt_path = self.path.with_name(self.path.name + ".corrupt")

    def append(self, docs: list[dict[str, Any]]) -> int:
        """Append ``docs`` durably (fsync) and return how many were written."""
        if not docs:
            return 0
        data = "".join(dumps_line(doc) + "\n" for doc in docs).encode("utf-8")
        with self._locked(), self.path.open("ab") as f:
            # A crash mid-append leaves a torn last line; start on a fresh line so
            # only that line is lost, not the next good one too.
            if f.tell() > 0 and not self._ends_with_newline():
                data = b"\n" + data
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return len(docs)

    def pending(self) -> int:
        """Number of documents waiting in the journal."""
        try:
            with self.path.open("rb") as f:
                return sum(1 for line in f if line.strip())
        except FileNotFoundError:
            return 0

    def read(self) -> list[dict[str, Any]]:
        """All readable documents, oldest first (for inspection; replay reads under the lock)."""
        with self._locked():
            return self._read_docs(quarantine=False)[0]

    def replay(self, store: ArticleStore) -> int:
        """Write the journal through ``store.upsert_articles`` and return how many were written.

        The file shrinks only after a batch was written; if a batch fails, the
        unwritten rest is kept and the error is raised.
        """
        with self._locked():
            docs, had_bad_lines = self._read_docs(quarantine=True)
            done = 0
            try:
                for start in range(0, len(docs), self.batch_size):
                    store.upsert_articles(docs[start : start + self.batch_size])
                    done = min(start + self.batch_size, len(docs))
            finally:
                if done or had_bad_lines:
                    self._rewrite(docs[done:])
            logger.debug("Replayed %d of %d journaled items from %s", done, len(docs), self.path)
            return done

    # --- internals ----------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    def _read_docs(self, quarantine: bool) -> tuple[list[dict[str, Any]], bool]:
        docs: list[dict[str, Any]] = []
        bad: list[str] = []
        try:
            with self.path.open("r", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        continue
                    try:
                        docs.append(loads_line(line))
                    except ValueError:
                        bad.append(line if line.endswith("\n") else line + "\n")
        except FileNotFoundError:
            return [], False
        if bad and quarantine:
            # Keep unreadable lines (a torn write) aside instead of silently losing them.
            with self._corrupt_path.open("a", encoding="utf-8") as f:
                f.writelines(bad)
            logger.warning(
                "Skipped %d unreadable lines of %s; kept them in %s",
                len(bad),
                self.path,
                self._corrupt_path,
            )
        return docs, bool(bad)

    def _rewrite(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(dumps_line(doc) + "\n" for doc in docs)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
