"""TV9 Bharatvarsh: discovery and parsing come from the registry entry "tv9bharatvarsh"."""

from spiders.base import NewsSpider


class Tv9BharatvarshSpider(NewsSpider):
    name = "tv9bharatvarsh"
