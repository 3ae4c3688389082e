"""The project's settings and MongoDB store, for commands that run outside a crawl."""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

    from crawler.storage.config import MongoConfig
    from crawler.storage.store import ArticleStore


def project_settings() -> Settings:
    """The project's settings (crawler.settings, or SCRAPY_SETTINGS_MODULE's)."""
    from scrapy.utils.project import get_project_settings  # Scrapy: half a second to import

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


class ModuleSettings:
    """The settings module's values read the way MongoConfig reads settings, without
    importing Scrapy: `query` and `stats` answer in well under a second that way."""

    def __init__(self) -> None:
        self.module = import_module(os.environ.get("SCRAPY_SETTINGS_MODULE", "crawler.settings"))

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self.module, name, default)

    def getint(self, name: str, default: int = 0) -> int:
        return int(self.get(name, default))


def mongo_config(settings: BaseSettings | None = None) -> MongoConfig:
    """The MongoDB configuration of ``settings`` (default: the settings module's)."""
    from crawler.storage.config import MongoConfig

    return MongoConfig.from_settings(settings if settings is not None else ModuleSettings())


def open_store(settings: BaseSettings | None = None) -> ArticleStore:
    """The article store on MONGO_URI, or on the embedded server (started if needed)."""
    from crawler.storage.store import ArticleStore

    config = mongo_config(settings)
    return ArticleStore(config.connect()[config.database])


def mongo_failure(exc: BaseException, settings: BaseSettings | None = None) -> str | None:
    """One line for a MongoDB error a command cannot go on from (see MongoConfig.failure)."""
    return mongo_config(settings).failure(exc)
