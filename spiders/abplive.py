"""ABP Live Hindi: discovery and parsing come from the registry entry "abplive"."""

from spiders.base import NewsSpider


class AbpLiveSpider(NewsSpider):
    name = "abplive"
