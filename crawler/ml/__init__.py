"""The learning layer: the topic model, entities and near-duplicates.

Owns the topic model's runtime (``topics``: numpy only, what a crawl loads) apart
from its training (``training``: scikit-learn, corpora, cross-validation), the
gazetteer matcher for regions, places, parties and people (``entities``) and
near-duplicate fingerprints (``neardup``, their MongoDB collection in
``fingerprints``). May import ``crawler.text``, ``crawler.items`` and
``crawler.categories``; never parsing, storage, ops or anything above.
"""
