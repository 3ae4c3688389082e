"""Dainik Jagran: discovery and parsing come from the registry entry "jagran"."""

from spiders.base import NewsSpider


class JagranSpider(NewsSpider):
    name = "jagran"
