"""Live Hindustan (www.livehindustan.com), Hindustan's Hindi news site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site

# The story page can carry more than one story (the next one loads below it):
# everything is scoped to the first <article>.
_STORY = "div.articles > article:first-of-type"


class LiveHindustanParser(ArticleParser):
    name = "livehindustan"
    version = "2025"
    # Long stories are split into several div.stry-bdy blocks with an ad between.
    BODY_SELECTOR = f"{_STORY} div.stry-bdy"
    # In-body ad slots ('विज्ञापन') and the 'संबंधित खबरें' slider.
    EXCLUDE_SELECTORS = (".prlads", ".rfu-stry", ".text-player", ".shre-innr")
    IMAGE_SELECTOR = f"{_STORY} div.img-hgt-blk img, {_STORY} div.stry-bdy img"
    TITLE_SELECTOR = f"{_STORY} h1.page-hdng"
    AUTHOR_SELECTOR = f"{_STORY} div.athr-info a"
    DATE_SELECTOR = f"{_STORY} div.tm-stmp"
    TAG_SELECTOR = f"{_STORY} div.tags a"


SITE = Site(
    name="livehindustan",
    title="Live Hindustan",
    domains=("www.livehindustan.com", "livehindustan.com"),
    parsers=(LiveHindustanParser,),
    sitemaps=("https://www.livehindustan.com/robots.txt",),
    # Hindustan's feeds live on their own host; 3127 is 'प्रमुख खबरें' (top news).
    feeds=("https://feed.livehindustan.com/rss/3127",),
    listings=("https://www.livehindustan.com/bihar/news",),
    # /<section>/[<sub>/]<slug>-<id>.html: ids are 15 digits now ("20" + a
    # millisecond timestamp), 7 digits with a "story-" slug before 2024.
    article_url=r"livehindustan\.com/(?!videos?/|photos?/|web-stories/).+-\d{7,}\.html$",
)
