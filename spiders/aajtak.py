"""Aaj Tak: discovery and parsing come from the registry entry "aajtak"."""

from spiders.base import NewsSpider


class AajTakSpider(NewsSpider):
    name = "aajtak"
