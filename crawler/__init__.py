"""Hindi news pipeline: Scrapy spiders, item pipelines and MongoDB storage."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
