"""Dainik Jagran (www.jagran.com)."""

from crawler.parsing.base import ArticleParser


class JagranParser(ArticleParser):
    name = "jagran"
    version = "2020"
    BODY_SELECTOR = "article.detailBox div.articleBody"
    # 'यह भी पढ़ें' teasers sit inside the body as div.relativeNews.
    EXCLUDE_SELECTORS = (".relativeNews", "a.nextRead", ".tagList", "#rel1")
    IMAGE_SELECTOR = "article.detailBox figure img, article.detailBox div.articleBody img"
    AUTHOR_SELECTOR = "article.detailBox .dateInfo .date strong"
    DATE_SELECTOR = "article.detailBox .dateInfo span.fl"
    TAG_SELECTOR = "ul.tagList li a"
