"""Navbharat Times: discovery and parsing come from the registry entry "navbharattimes"."""

from spiders.base import NewsSpider


class NavbharatTimesSpider(NewsSpider):
    name = "navbharattimes"
