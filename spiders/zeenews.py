"""Zee News Hindi: discovery and parsing come from the registry entry "zeenews"."""

from spiders.base import NewsSpider


class ZeeNewsSpider(NewsSpider):
    name = "zeenews"
