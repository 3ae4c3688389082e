"""Live Hindustan: discovery and parsing come from the registry entry "livehindustan"."""

from spiders.base import NewsSpider


class LiveHindustanSpider(NewsSpider):
    name = "livehindustan"
