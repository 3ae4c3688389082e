"""Jansatta: discovery and parsing come from the registry entry "jansatta"."""

from spiders.base import NewsSpider


class JansattaSpider(NewsSpider):
    name = "jansatta"
