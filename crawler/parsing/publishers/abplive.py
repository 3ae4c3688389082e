"""ABP Live Hindi (www.abplive.com). The English site is news.abplive.com and
the other languages have hosts of their own (marathi.abplive.com, ...): only
the www host is this site."""

from crawler.parsing.base import ArticleParser
from crawler.parsing.registry import Site


class AbpLiveParser(ArticleParser):
    name = "abplive"
    version = "2024"
    BODY_SELECTOR = "div.abp-article-detail div.abp-story-detail"
    # 'ये भी पढ़ें' boxes, embedded tweets, the live cricket widget and ad slots.
    EXCLUDE_SELECTORS = (".readMore", ".twitter-tweet", ".abp-crick-wrap", ".ad-container")
    IMAGE_SELECTOR = "div.abp-article-detail div.lead-image img, div.abp-story-detail img"
    TITLE_SELECTOR = "h1.abp-article-title"
    AUTHOR_SELECTOR = "div.abp-article-byline-author a"
    TAG_SELECTOR = "div.article-tags a"


SITE = Site(
    name="abplive",
    title="ABP Live Hindi",
    # Not "abplive.com": that would claim news.abplive.com (English) too.
    domains=("www.abplive.com",),
    parsers=(AbpLiveParser,),
    sitemaps=("https://www.abplive.com/robots.txt",),
    feeds=("https://www.abplive.com/home/feed",),
    listings=("https://www.abplive.com/business",),
    # /<section>/[<sub>/]<slug>-<7 digits>, no extension; galleries, videos and
    # web stories are not articles.
    article_url=(
        r"^https?://www\.abplive\.com/(?!videos?/|photo-gallery/|web-stories/|topic/|live-tv)"
        r"[^?#]+-\d{6,}$"
    ),
)
