"""Hindi news pipeline: Scrapy spiders, item pipelines and MongoDB storage.

``PACKAGE_DATA`` and ``MODELS_DIR`` ship inside the package (word lists,
gazetteers, the topic corpus, the trained model), so they are found the same
way in a checkout, an installed package and a Scrapyd egg.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"
MODELS_DIR = PACKAGE_DIR / "models"
# The checkout this package runs from, if any (tests, fixtures and .venv live there).
PROJECT_ROOT = PACKAGE_DIR.parent
