"""BBC News Hindi: discovery and parsing come from the registry entry "bbchindi"."""

from spiders.base import NewsSpider


class BbcHindiSpider(NewsSpider):
    name = "bbchindi"
