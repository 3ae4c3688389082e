"""The project's settings and MongoDB store, for commands that run outside a crawl."""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler import PROJECT_ROOT

if TYPE_CHECKING:
    from crawler.storage.store import ArticleStore


def project_settings() -> Settings:
    os.chdir(PROJECT_ROOT)  # scrapy.cfg and relative paths resolve from the project root
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def open_store(settings: Settings | None = None) -> ArticleStore:
    """The article store on MONGO_URI, or on the embedded server (started if needed)."""
    from crawler.storage.store import ArticleStore, connect, resolve_mongo_uri

    settings = settings or project_settings()
    uri = resolve_mongo_uri(
        settings.get("MONGO_URI"),
        settings.get("MONGO_EMBEDDED_DIR"),
        settings.getint("MONGO_EMBEDDED_PORT"),
    )
    client = connect(uri, settings.getint("MONGO_SERVER_TIMEOUT_MS"))
    return ArticleStore(client[settings.get("MONGO_DATABASE")])


def mongo_address(settings: Settings) -> str:
    """The server the commands talk to, for messages: scheme, user and hosts of MONGO_URI
    with the password hidden (no database or options), or the embedded server's URI."""
    from crawler.storage.store import redact_uri

    uri = (settings.get("MONGO_URI") or "").strip()
    if not uri:
        return f"mongodb://127.0.0.1:{settings.getint('MONGO_EMBEDDED_PORT')}"
    match = _URI_ADDRESS.match(uri)
    return redact_uri(match.group() if match else uri)


# Driver errors that mean "no usable connection": the server is away, the URI is
# wrong, or it refuses our credentials (AuthenticationFailed, Unauthorized, UserNotFound).
_AUTH_CODES = frozenset({11, 13, 18})
_URI_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?\s]*", re.IGNORECASE)
_TIMEOUTS = re.compile(r" \(configured timeouts: [^)]*\)")


def mongo_failure(exc: BaseException, settings: Settings | None = None) -> str | None:
    """One line for a MongoDB error a command cannot go on from, password hidden:
    ``cannot reach MongoDB at mongodb://user:***@host:port: <reason>``. None when
    ``exc`` is not a MongoDB error (pymongo not even imported: it cannot be one)."""
    from crawler.storage.embedded import EmbeddedMongoError

    if isinstance(exc, EmbeddedMongoError):
        return " ".join(str(exc).split())
    errors = sys.modules.get("pymongo.errors")
    if errors is None or not isinstance(exc, errors.PyMongoError):
        return None
    from crawler.storage.store import redact_secrets

    settings = settings or project_settings()
    details = getattr(exc, "details", None)
    reason = details.get("errmsg") if isinstance(details, dict) else None
    reason = reason or str(exc).split(", Topology Description:")[0].split(", full error:")[0]
    reason = redact_secrets(_TIMEOUTS.sub("", " ".join(reason.split())), settings["MONGO_URI"])
    address = mongo_address(settings)
    unreachable = isinstance(exc, errors.ConnectionFailure | errors.ConfigurationError) or (
        isinstance(exc, errors.OperationFailure) and exc.code in _AUTH_CODES
    )
    if unreachable:
        return f"cannot reach MongoDB at {address}: {reason}"
    return f"MongoDB at {address} failed: {reason}"
