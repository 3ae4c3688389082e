"""The operations layer: what a person running the nightly crawl looks at.

Owns run records and their summaries (``runs``), the monitors as a Scrapy
extension judging each site's crawl when it closes (``monitors``), the report
(``report``), the cron schedule and run lock (``schedule``), the live progress
line (``progress``) and the concise log formatter. May import ``crawler.storage``
and the layers below it; never pipelines, spiders or the command line.
"""
