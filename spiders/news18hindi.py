"""News18 Hindi: discovery and parsing come from the registry entry "news18hindi"."""

from spiders.base import NewsSpider


class News18HindiSpider(NewsSpider):
    name = "news18hindi"
