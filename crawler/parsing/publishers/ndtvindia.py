"""NDTV India (ndtv.in), NDTV's Hindi site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class NdtvIndiaParser(ArticleParser):
    name = "ndtvindia"
    version = "2024"
    BODY_SELECTOR = "div#ins_storybody"
    # Ad slots ('Advertisement'), the in-story related box (.ins_instory_dv) and
    # the closing 'Featured Video Of The Day'; 'यह भी पढ़ें:' lines go in cleaning.
    EXCLUDE_SELECTORS = (".ad_cn", ".ins_instory_dv", ".tbl-frt_vd", ".story_share")
    # The lead picture sits above the body; its caption is a div, so alt is the caption.
    IMAGE_SELECTOR = "img#story_image_main, div#ins_storybody img"
    TITLE_SELECTOR = "div.sp-ttl-wrp h1"
    AUTHOR_SELECTOR = ".pst-by_ul .pst-by_lnk"
    TAG_SELECTOR = ".art_tg a.art_tg_lnk"


SITE = Site(
    name="ndtvindia",
    title="NDTV India",
    domains=("ndtv.in",),
    parsers=(NdtvIndiaParser,),
    sitemaps=("https://ndtv.in/robots.txt",),
    feeds=("https://feeds.feedburner.com/ndtvkhabar-latest",),
    listings=("https://ndtv.in/cricket",),
    # /<section>/<slug>-<7 digits>; video and photo pages excluded.
    article_url=r"^https?://(?:www\.)?ndtv\.in/(?!videos?/|photos?/|web-stories/)[\w-]+/[\w-]+-\d{6,8}$",
)
