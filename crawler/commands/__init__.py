"""Sub-commands of `python -m crawler` beyond the core ones in crawler/cli.py.

Every module here is found by itself and must define

    def register(commands) -> None

which adds its parser(s) to the argparse sub-parsers object `commands` with
`set_defaults(func=handler)`; `handler(args) -> int` is the exit status.
`crawler.project` gives handlers the project settings and the article store;
`crawler.cli` holds the crawl runner and the arguments `crawl`, `nightly` and
`demo` share.
"""
