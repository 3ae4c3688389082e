"""The project's settings and MongoDB store, for commands that run outside a crawl."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

if TYPE_CHECKING:
    from crawler.storage.store import ArticleStore


def project_settings() -> Settings:
    """The project's settings (crawler.settings, or SCRAPY_SETTINGS_MODULE's)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def open_store(settings: Settings | None = None) -> ArticleStore:
    """The article store on MONGO_URI, or on the embedded server (started if needed)."""
    from crawler.storage.config import MongoConfig
    from crawler.storage.store import ArticleStore

    config = MongoConfig.from_settings(settings or project_settings())
    return ArticleStore(config.connect()[config.database])


def mongo_failure(exc: BaseException, settings: Settings | None = None) -> str | None:
    """One line for a MongoDB error a command cannot go on from (see MongoConfig.failure)."""
    from crawler.storage.config import MongoConfig

    return MongoConfig.from_settings(settings or project_settings()).failure(exc)
