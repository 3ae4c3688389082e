"""The project's settings and MongoDB store, for commands that run outside a crawl."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler import PROJECT_ROOT

if TYPE_CHECKING:
    from crawler.store import ArticleStore


def project_settings() -> Settings:
    os.chdir(PROJECT_ROOT)  # scrapy.cfg and relative paths resolve from the project root
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def open_store(settings: Settings | None = None) -> ArticleStore:
    """The article store on MONGO_URI, or on the embedded server (started if needed)."""
    from crawler.store import ArticleStore, connect, resolve_mongo_uri

    settings = settings or project_settings()
    uri = resolve_mongo_uri(
        settings.get("MONGO_URI"),
        settings.get("MONGO_EMBEDDED_DIR"),
        settings.getint("MONGO_EMBEDDED_PORT"),
    )
    client = connect(uri, settings.getint("MONGO_SERVER_TIMEOUT_MS"))
    return ArticleStore(client[settings.get("MONGO_DATABASE")])
