"""Spiders, one thin module per site on ``spiders.base.NewsSpider`` (discovery:
news sitemaps, feeds, listing pages), plus ``generic`` for any site. Parsing is
the parser's (crawler/parsing); spiders only find URLs and hand pages over."""
