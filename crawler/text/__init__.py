"""The text layer: Hindi text rules with no knowledge of pages, crawls or storage.

Owns Unicode normalization and mojibake repair, the one spelling-folding module
(``fold``), page-furniture rules (their vocabulary in ``crawler/data``), dates
(Hindi and English, relative and absolute, IST), language identification, search
tokens and text sanity checks. The bottom layer: it imports nothing of the
project's but other ``crawler.text`` modules and the package's data paths.
"""
