"""A durable local JSONL file of article documents waiting for MongoDB.

When MongoDB is unreachable the store pipeline appends its batches here, and a
later run (or the same run, once the server is back) replays them. Every change
happens under an exclusive ``flock`` on ``<path>.lock`` so that several
pipelines (threads or processes) can share one journal.

Next to it: ``<path>.rejected`` holds documents MongoDB refused for what they are
(too large, invalid), one ``{"reason", "rejected_at", "doc"}`` line each, so they
never block a replay; ``<path>.corrupt`` holds unreadable lines (a torn write).
A failed append (a full disk) is cut back to the last complete line and raises
:class:`JournalWriteError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.storage.store import ArticleStore

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


class JournalWriteError(OSError):
    """The journal (or its rejected file) could not be written: nothing of the batch was kept."""


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
        self.rejected_path = self.path.with_name(self.path.name + ".rejected")

    def append(self, docs: list[dict[str, Any]]) -> int:
        """Append ``docs`` durably (fsync) and return how many were written.

        Raises :class:`JournalWriteError` when the file cannot take them (a full
        disk, no permission); the file is then cut back to its size before the
        call, so no torn line of this batch stays behind.
        """
        if not docs:
            return 0
        data = "".join(dumps_line(doc) + "\n" for doc in docs).encode("utf-8")
        self._append_bytes(self.path, data)
        return len(docs)

    def reject(self, entries: list[tuple[dict[str, Any], str]], locked: bool = False) -> int:
        """Keep documents MongoDB refused, with the reason, in ``<path>.rejected``
        (``locked``: the caller holds the journal's lock already)."""
        if not entries:
            return 0
        now = datetime.now(UTC)
        lines = (
            dumps_line({"reason": reason, "rejected_at": now, "doc": doc}) + "\n"
            for doc, reason in entries
        )
        self._append_bytes(self.rejected_path, "".join(lines).encode("utf-8"), locked)
        return len(entries)

    def rejected(self) -> list[dict[str, Any]]:
        """The rejected entries (``reason``, ``rejected_at``, ``doc``), oldest first."""
        return Journal(self.rejected_path).read()

    def _append_bytes(self, path: Path, data: bytes, locked: bool = False) -> None:
        """Append and fsync; ``locked`` when the caller holds the lock already (flock
        on a second descriptor of the lock file would wait for ever)."""
        try:
            with contextlib.nullcontext() if locked else self._locked(), path.open("ab") as f:
                size = f.tell()
                # A crash mid-append leaves a torn last line; start on a fresh line so
                # only that line is lost, not the next good one too.
                if size > 0 and not _ends_with_newline(path):
                    data = b"\n" + data
                try:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                except OSError:
                    # Cut a partly written batch off: the caller keeps the whole batch.
                    with contextlib.suppress(OSError):
                        f.truncate(size)
                    raise
        except OSError as exc:
            raise JournalWriteError(
                exc.errno, f"cannot write {path}: {exc.strerror or exc}"
            ) from exc

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
        """Write the journal through ``store.upsert_articles`` and return how many were taken.

        See :meth:`replay_with`.
        """
        return self.replay_with(store.upsert_articles)

    def replay_with(self, write: Callable[[list[dict[str, Any]]], Any]) -> int:
        """Write the journal batch by batch through ``write``; return how many it took.

        ``write`` must be durable when it returns (a journaled write concern): the
        file shrinks only after a batch was written. Documents ``write`` refused
        (its result's ``rejected``: ``(doc, reason)`` pairs) go to the rejected
        file, so one bad document never blocks the rest. If a batch fails, the
        unwritten rest is kept and the error is raised.
        """
        with self._locked():
            docs, unreadable = self._read_docs(quarantine=True)
            done = 0
            rejected: list[tuple[dict[str, Any], str]] = []
            try:
                for start in range(0, len(docs), self.batch_size):
                    result = write(docs[start : start + self.batch_size])
                    rejected.extend(getattr(result, "rejected", None) or [])
                    done = min(start + self.batch_size, len(docs))
            finally:
                self.reject(rejected, locked=True)
                if done or unreadable is not None:
                    self._rewrite(docs[done:], unreadable or [])
            logger.debug("Replayed %d of %d journaled items from %s", done, len(docs), self.path)
            return done - len(rejected)

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

    def _read_docs(self, quarantine: bool) -> tuple[list[dict[str, Any]], list[str] | None]:
        """The readable documents, and the unreadable lines still to keep in the file.

        The second part is None when there were no unreadable lines, empty when
        they were moved to ``<path>.corrupt``, the lines themselves when that
        failed (a full disk): then they stay in the journal.
        """
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
            return [], None
        if not bad:
            return docs, None
        if not quarantine:
            return docs, bad
        # Keep unreadable lines (a torn write) aside instead of silently losing them.
        try:
            with self._corrupt_path.open("a", encoding="utf-8") as f:
                f.writelines(bad)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            logger.warning(
                "Cannot move %d unreadable lines of %s aside (%s); they stay in it",
                len(bad),
                self.path,
                exc,
            )
            return docs, bad
        logger.warning(
            "Skipped %d unreadable lines of %s; kept them in %s",
            len(bad),
            self.path,
            self._corrupt_path,
        )
        return docs, []

    def _rewrite(self, docs: list[dict[str, Any]], raw_lines: list[str]) -> None:
        if not docs and not raw_lines:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with tmp.open("w", encoding="utf-8") as f:
                f.writelines(dumps_line(doc) + "\n" for doc in docs)
                f.writelines(raw_lines)
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            # A full disk: the journal stays as it was (replay is idempotent).
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self.path)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
