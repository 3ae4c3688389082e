"""The storage layer: the one owner of MongoDB.

Owns where the database is (``config.MongoConfig.from_settings``), the crawl's one
client (``extension.MongoExtension``, handed to every component that needs it),
the article store with versioned upserts and sightings (``store``, ``documents``),
the queries users may ask (``queries``), the offline journal (``journal``), the
embedded SecantusDB server (``embedded``) and what the incremental crawl knows
(``incremental``). May import ``crawler.text`` and ``crawler.items``; never
parsing, ml, ops or anything above.
"""
