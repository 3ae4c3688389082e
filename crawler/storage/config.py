"""Where MongoDB is and how to reach it: one ``MongoConfig`` built from the MONGO_*
settings, the client it opens, and the messages that name the server with its
password hidden. Every component and command that talks to MongoDB starts here.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pymongo import MongoClient

from crawler.storage.embedded import EmbeddedMongo, EmbeddedMongoError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# user:password@ in a mongodb:// or mongodb+srv:// URI. The password part runs to the
# last "@" of the token, so a raw (unencoded) "@" or "/" in it is still hidden.
_URI_PASSWORD = re.compile(
    r"(?P<head>mongodb(?:\+srv)?://[^:@/\s'\"]*):(?P<password>[^\s'\"]*)@", re.IGNORECASE
)
_URI_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?\s]*", re.IGNORECASE)
# Driver errors that mean "no usable connection": the server is away, the URI is
# wrong, or it refuses our credentials (AuthenticationFailed, Unauthorized, UserNotFound).
_AUTH_CODES = frozenset({11, 13, 18})
_TIMEOUTS = re.compile(r" \(configured timeouts: [^)]*\)")


def redact_uri(uri: str) -> str:
    """``uri`` (or any text containing URIs) with every password replaced by ``***``."""
    return _URI_PASSWORD.sub(r"\g<head>:***@", uri)


def redact_secrets(text: str, uri: str) -> str:
    """``text`` with URI passwords and the password of ``uri`` (raw or decoded) hidden.

    Driver error messages may quote the decoded password outside of a URI.
    """
    text = redact_uri(text)
    match = _URI_PASSWORD.search(uri)
    if match and match["password"]:
        for secret in {match["password"], unquote(match["password"])}:
            text = text.replace(secret, "***")
    return text


def connect(uri: str, server_timeout_ms: int = 3000) -> MongoClient[dict[str, Any]]:
    """A client that reads datetimes back as aware UTC datetimes."""
    return MongoClient(uri, tz_aware=True, tzinfo=UTC, serverSelectionTimeoutMS=server_timeout_ms)


@dataclass(frozen=True)
class MongoConfig:
    """The MONGO_* settings that say where the database is."""

    uri: str  # MONGO_URI; empty: the embedded server
    database: str
    embedded_dir: str
    embedded_port: int
    embedded_cache_size: str
    embedded_malloc_arenas: int
    embedded_mmap_threshold: int
    server_timeout_ms: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> MongoConfig:
        return cls(
            uri=(settings.get("MONGO_URI") or "").strip(),
            database=settings.get("MONGO_DATABASE"),
            embedded_dir=settings.get("MONGO_EMBEDDED_DIR"),
            embedded_port=settings.getint("MONGO_EMBEDDED_PORT"),
            embedded_cache_size=settings.get("MONGO_EMBEDDED_CACHE_SIZE"),
            embedded_malloc_arenas=settings.getint("MONGO_EMBEDDED_MALLOC_ARENAS"),
            embedded_mmap_threshold=settings.getint("MONGO_EMBEDDED_MMAP_THRESHOLD"),
            server_timeout_ms=settings.getint("MONGO_SERVER_TIMEOUT_MS"),
        )

    @property
    def embedded(self) -> EmbeddedMongo:
        return EmbeddedMongo(
            Path(self.embedded_dir),
            self.embedded_port,
            cache_size=self.embedded_cache_size,
            malloc_arenas=self.embedded_malloc_arenas,
            mmap_threshold=self.embedded_mmap_threshold,
        )

    def resolve(self) -> str:
        """MONGO_URI if set, else the URI of the embedded server (started or reused);
        EmbeddedMongoError when it cannot start."""
        return self.uri or self.embedded.start()

    def connect(self) -> MongoClient[dict[str, Any]]:
        """A client on the configured server (the embedded one started if needed)."""
        return connect(self.resolve(), self.server_timeout_ms)

    def address(self) -> str:
        """The server for messages: scheme, user and hosts of MONGO_URI with the password
        hidden (no database or options), or the embedded server's URI."""
        if not self.uri:
            return f"mongodb://127.0.0.1:{self.embedded_port}"
        match = _URI_ADDRESS.match(self.uri)
        return redact_uri(match.group() if match else self.uri)

    def redact(self, text: str) -> str:
        """``text`` without passwords; pymongo's topology dump after the first part cut."""
        return redact_secrets(text.split(", Topology Description:")[0], self.uri)

    def failure(self, exc: BaseException) -> str | None:
        """One line for a MongoDB error a command cannot go on from, password hidden:
        ``cannot reach MongoDB at mongodb://user:***@host:port: <reason>``. None when
        ``exc`` is not a MongoDB error (pymongo not even imported: it cannot be one)."""
        if isinstance(exc, EmbeddedMongoError):
            return " ".join(str(exc).split())
        errors = sys.modules.get("pymongo.errors")
        if errors is None or not isinstance(exc, errors.PyMongoError):
            return None
        details = getattr(exc, "details", None)
        reason = details.get("errmsg") if isinstance(details, dict) else None
        reason = reason or str(exc).split(", Topology Description:")[0].split(", full error:")[0]
        reason = redact_secrets(_TIMEOUTS.sub("", " ".join(reason.split())), self.uri)
        unreachable = isinstance(exc, errors.ConnectionFailure | errors.ConfigurationError) or (
            isinstance(exc, errors.OperationFailure) and exc.code in _AUTH_CODES
        )
        if unreachable:
            return f"cannot reach MongoDB at {self.address()}: {reason}"
        return f"MongoDB at {self.address()} failed: {reason}"
