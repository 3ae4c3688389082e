"""Dainik Bhaskar: discovery and parsing come from the registry entry "bhaskar"."""

from spiders.base import NewsSpider


class BhaskarSpider(NewsSpider):
    name = "bhaskar"
