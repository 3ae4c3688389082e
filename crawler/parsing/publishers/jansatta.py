"""Jansatta (www.jansatta.com), the Indian Express group's Hindi daily."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class JansattaParser(ArticleParser):
    """The Indian Express network's WordPress block theme ("ie-network")."""

    name = "jansatta"
    version = "2023"
    BODY_SELECTOR = "div.wp-block-post-content div.pcl-container"
    PARAGRAPH_SELECTOR = "p, h2, h3"
    # In-story ad slots and the 'संबंधित खबरें' box (thumbnails and headlines of
    # other stories). The inline 'ये भी पढ़ें: <headline>' paragraph is left to
    # the clean pipeline, which knows that label.
    EXCLUDE_SELECTORS = (".ie-network-ad-slot", ".ie-network-related-box")
    IMAGE_SELECTOR = "figure.wp-block-post-featured-image img, div.pcl-container figure img"
    TITLE_SELECTOR = "h1.wp-block-post-title"
    AUTHOR_SELECTOR = ".ie-network-post-meta-author a"
    TAG_SELECTOR = ".ie-network-tags a"


SITE = Site(
    name="jansatta",
    title="Jansatta",
    domains=("www.jansatta.com", "jansatta.com"),
    parsers=(JansattaParser,),
    sitemaps=("https://www.jansatta.com/robots.txt",),
    feeds=("https://www.jansatta.com/feed/",),
    listings=("https://www.jansatta.com/latest-news/",),
    # /<section>/[<sub>/]<slug>/<numeric id>/; photo galleries and videos share the shape.
    article_url=r"jansatta\.com/(?!photos/|videos/|web-stories/)(?:[a-z0-9-]+/)+\d{6,}/?$",
)
