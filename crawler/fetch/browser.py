"""Chromium for pages that need JavaScript, through scrapy-playwright.

The system's Chromium (Debian's `chromium`) is used where there is one, since
`playwright install` cannot download a browser on every machine; otherwise
Playwright's own browser, if installed. Images, fonts and media are never
loaded: the article text does not need them.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from scrapy.settings import BaseSettings

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
_BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """CHROMIUM_PATH, else a Chromium on PATH, else None (Playwright's own browser)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return next((path for name in _CANDIDATES if (path := shutil.which(name))), None)


class BrowserAddon:
    """Scrapy add-on: puts the Chromium found on this machine into
    PLAYWRIGHT_LAUNCH_OPTIONS when they name none. Looked up when a crawl starts,
    not when the settings are imported."""

    def update_settings(self, settings: BaseSettings) -> None:
        options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        if options.get("executable_path"):
            return
        executable = find_chromium()
        if executable:
            priority = settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or "addon"
            options["executable_path"] = executable
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, priority)


def should_abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: skip images, fonts and media."""
    return request.resource_type in _BLOCKED_RESOURCES


def rendered_meta() -> dict[str, Any]:
    """Request meta for a page that must be rendered; the page is closed after."""
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
    }
