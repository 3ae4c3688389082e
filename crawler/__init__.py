"""Hindi news pipeline: Scrapy spiders, item pipelines and MongoDB storage.

``PACKAGE_DATA`` and ``MODELS_DIR`` ship inside the package (word lists,
gazetteers, the topic corpus, the trained model), so they are found the same
way in a checkout, an installed package and a Scrapyd egg.
"""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"
MODELS_DIR = PACKAGE_DIR / "models"
# The checkout this package runs from, if any (tests, fixtures and .venv live there).
PROJECT_ROOT = PACKAGE_DIR.parent


def default_data_dir() -> Path:
    """Where the embedded database, the journal, run logs and the run lock live:
    HINDI_NEWS_DATA_DIR, else ``.data`` in a checkout (beside scrapy.cfg), else
    ``$XDG_DATA_HOME/hindi-news`` (``~/.local/share/hindi-news``) when installed."""
    configured = os.environ.get("HINDI_NEWS_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    if (PROJECT_ROOT / "scrapy.cfg").is_file():
        return PROJECT_ROOT / ".data"
    xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg) / "hindi-news"
