"""Business Standard Hindi: discovery and parsing come from the registry entry
"businessstandardhindi"."""

from spiders.base import NewsSpider


class BusinessStandardHindiSpider(NewsSpider):
    name = "businessstandardhindi"
