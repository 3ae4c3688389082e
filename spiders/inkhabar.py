"""inKhabar: discovery and parsing come from the registry entry "inkhabar"."""

from spiders.base import NewsSpider


class InKhabarSpider(NewsSpider):
    name = "inkhabar"
