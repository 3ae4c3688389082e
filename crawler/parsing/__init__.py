"""The parsing layer: pages to article fields.

Owns the site registry (``registry``: the ``Site`` record and ``SITES``), one
parser per site (``publishers/``), the base parser with its fallback chains, the
lenient JSON-LD reader, bylines, the generic main-text extractor and the judge of
a plausible body. May import ``crawler.text``, ``crawler.items`` and
``crawler.categories``; never storage, ml, ops or anything above.

A regular package, not a namespace one: a Scrapyd egg is imported through
zipimport, which finds no namespace package in an egg.
"""
