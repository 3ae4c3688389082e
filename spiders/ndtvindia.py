"""NDTV India: discovery and parsing come from the registry entry "ndtvindia"."""

from spiders.base import NewsSpider


class NdtvIndiaSpider(NewsSpider):
    name = "ndtvindia"
