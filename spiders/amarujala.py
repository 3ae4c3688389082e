"""Amar Ujala: discovery and parsing come from the registry entry "amarujala"."""

from spiders.base import NewsSpider


class AmarUjalaSpider(NewsSpider):
    name = "amarujala"
