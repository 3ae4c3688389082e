"""Tools for developing the project, never on a production crawl's path.

Owns the offline copies of the sites (``localsites``: the fixture server and the
add-on that reroutes fixture hosts to it, dormant unless LOCAL_SITES_URL is set),
``capture`` (today's pages into fixtures) and the extraction evaluation harness
(``evaluation``). May import anything below the command line (pipelines and
``crawler.extract`` included); nothing but the command line imports it.
"""
