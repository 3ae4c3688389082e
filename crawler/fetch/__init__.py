"""The fetching layer: what stands between a spider's request and a response.

Owns the downloader middlewares (robots.txt memo, download limits, polite
retries, recoding), the address guard against private and non-http targets
(``netguard``), the per-site deadline (``deadline``) and Chromium for pages that
need JavaScript (``browser``). May import ``crawler.text``; never parsing,
storage, ml, ops or anything above.
"""
