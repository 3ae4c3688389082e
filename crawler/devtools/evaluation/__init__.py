"""How well articles come out of stored pages: the evaluation behind
``python -m crawler evaluate``.

- gold.py: the gold pages (one JSON file per page in the fixture sites, and the shared
  real captures with their gold.json) and reading the stored pages;
- scoring.py: one extractor's result on one page judged against its gold (body
  segments as trafilatura's evaluation counts them, title, date, authors, page type);
- extractors.py: the extractors compared (the project's site and generic paths,
  trafilatura, newspaper4k) and running them over the pages;
- report.py: scores per set of pages (real pages apart from synthetic ones, then each
  site) as tables, per-page details or JSON.
"""
