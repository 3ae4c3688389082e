"""Regenerate the snapshot files under tests/fixtures/expected and show what changed.

    .venv/bin/python tests/regenerate_expected.py              # diff every expected file
    .venv/bin/python tests/regenerate_expected.py jagran       # only these sites
    .venv/bin/python tests/regenerate_expected.py --write      # rewrite the snapshots
    .venv/bin/python tests/regenerate_expected.py --selectors  # the selector table of
                                                               # tests/fixtures/PROVENANCE.json

Each expected file's page is run through `extract` (parser, cleaning, classification)
and the public fields are compared with the file, after NFC, as a unified diff of the
JSON text, for a person to read before anything is written. Only files marked
``"snapshot": true`` (the project's own extraction of a page it wrote) are ever
rewritten; a file written by reading a real page (``"snapshot": false``) is the
reference and a difference there is a parser bug to fix, so it is shown and left alone.

``--selectors`` recomputes, per registered site, which selectors its parser classes
declare and whether each matches something on a real page of that site (the
``sites`` part of PROVENANCE.json); with ``--write`` it writes that part.

``--files`` lists fixture pages that have no PROVENANCE.json entry and entries whose
file is gone; with ``--write`` it drops the stale entries and adds blank ones
(``"kind": ""``) for a person to fill in -- real (source, captured, licence, url) or
synthetic (imitates) -- which tests/test_provenance.py insists on.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures"
EXPECTED_DIR = FIXTURES / "expected"
PROVENANCE = FIXTURES / "PROVENANCE.json"

from tests.helpers import nfc  # noqa: E402  (the path above makes it importable)


def dump(data: dict[str, Any]) -> str:
    """The expected files' own layout: 2-space indent, Devanagari as is, final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# --- expected files --------------------------------------------------------------------


def regenerated(path: Path) -> tuple[str, str]:
    """(the file's text, the text it would have with today's extraction), both NFC."""
    from crawler.extract import extract_page
    from crawler.items import ArticleItem

    old = json.loads(path.read_text(encoding="utf-8"))
    result = extract_page(read_page(FIXTURES / "sites" / old["page"]), old["url"])
    # Bookkeeping keys (page, provenance, snapshot, source, ...) first, as written;
    # then extract's fields in its own order.
    public = [
        *ArticleItem.fields_with("public"),
        *(k for k in result if k not in ArticleItem.fields_with("public")),
    ]
    new = {k: v for k, v in old.items() if k not in public}
    new.update((name, result[name]) for name in public)
    return dump(nfc(old)), dump(nfc(new))


def diff_expected(sites: list[str], write: bool) -> int:
    """Prints a diff per changed file. Exit status 1 while a difference stands: a
    reference file differs, or snapshots differ and were not written."""
    differ = written = kept = 0
    for path in sorted(EXPECTED_DIR.glob("*/*.json")):
        if sites and path.parent.name not in sites:
            continue
        old, new = regenerated(path)
        if old == new:
            continue
        differ += 1
        name = path.relative_to(EXPECTED_DIR.parent).as_posix()
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True), name, name + " (now)"
            )
        )
        if not json.loads(old).get("snapshot"):
            kept += 1
            print(f"# {name}: written by reading the page, left alone: the parser is wrong")
        elif write:
            path.write_text(new, encoding="utf-8")
            written += 1
    print(
        f"# {differ} file(s) differ: {written} snapshot(s) rewritten, "
        f"{kept} reference file(s) left alone",
        file=sys.stderr,
    )
    return 1 if kept or (differ and not write) else 0


# --- provenance entries --------------------------------------------------------------

# Not pages: documentation, the provenance file itself, and files derived from pages
# (expected and gold files carry their own "provenance" key).
NOT_PAGES = frozenset({"README.md", "SOURCES.md", "PROVENANCE.json", "gold.json"})
DERIVED = ("expected/", "gold/")


def fixture_pages(root: Path = FIXTURES) -> list[str]:
    """Every file under tests/fixtures that is a page (or page-like input), relative."""
    return sorted(
        rel
        for path in root.rglob("*")
        if path.is_file()
        and path.name not in NOT_PAGES
        and "__pycache__" not in path.parts
        and not (rel := path.relative_to(root).as_posix()).startswith(DERIVED)
    )


def covered(name: str, provenance: dict[str, Any]) -> bool:
    return name in provenance["files"] or any(name.startswith(g) for g in provenance["groups"])


def sync_files(provenance: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(pages without an entry, entries without a file); blank entries added for the
    first, the second dropped, in `provenance` itself."""
    missing = [name for name in fixture_pages() if not covered(name, provenance)]
    stale = [name for name in provenance["files"] if not (FIXTURES / name).is_file()]
    for name in stale:
        del provenance["files"][name]
    for name in missing:
        provenance["files"][name] = {"kind": "", "imitates": "", "source": ""}
    provenance["files"] = dict(sorted(provenance["files"].items()))
    return missing, stale


# --- selectors backed by real pages ----------------------------------------------------


def load_provenance() -> dict[str, Any]:
    return json.loads(PROVENANCE.read_text(encoding="utf-8"))


def real_pages_by_site(provenance: dict[str, Any]) -> dict[str, list[str]]:
    """site -> fixture paths (relative to tests/fixtures) of its real article pages
    (a real home or video page backs no article selector; JSON is not a page)."""
    found: dict[str, list[str]] = {}
    for name, entry in sorted(provenance["files"].items()):
        if entry["kind"] != "real" or not entry.get("site") or name.endswith(".json"):
            continue
        if entry.get("page_type", "article") == "article":
            found.setdefault(entry["site"], []).append(name)
    return found


def declared_selectors(parser: type) -> dict[str, str]:
    """The CSS selectors a parser class sets itself (not the base class's defaults)."""
    out: dict[str, str] = {}
    for attr, value in vars(parser).items():
        if not attr.endswith(("_SELECTOR", "_SELECTORS")) or not value:
            continue
        for i, css in enumerate((value,) if isinstance(value, str) else value):
            out[attr if isinstance(value, str) else f"{attr}[{i}]"] = css
    return out


_INSIDE_BODY = ("PARAGRAPH_SELECTOR", "EXCLUDE_SELECTORS")


def selector_backing(provenance: dict[str, Any]) -> dict[str, Any]:
    """Per registered site: its real pages and, per parser class, its declared
    selectors split into "backed" (matches an element on one of those pages) and
    "assumed" (matches none: written for markup nobody has seen)."""
    from parsel import Selector

    from crawler.parsing.registry import SITES

    real = real_pages_by_site(provenance)
    table: dict[str, Any] = {}
    for name, site in sorted(SITES.items()):
        pages = real.get(name, [])
        trees = [Selector(text=read_page(FIXTURES / p).decode("utf-8", "replace")) for p in pages]
        parsers: dict[str, Any] = {}
        for parser in site.parsers:
            split: dict[str, dict[str, str]] = {"backed": {}, "assumed": {}}
            # Paragraph and exclude selectors apply inside the body container only.
            bodies = [b for t in trees for b in t.css(parser.BODY_SELECTOR)]
            for attr, css in declared_selectors(parser).items():
                scope = bodies if attr.startswith(_INSIDE_BODY) else trees
                split["backed" if any(s.css(css) for s in scope) else "assumed"][attr] = css
            parsers[f"{parser.__name__} (v{parser.version})"] = split
        table[name] = {"real_pages": pages, "parsers": parsers}
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="*", help="only these sites' expected files")
    parser.add_argument("--write", action="store_true", help="write the regenerated snapshots")
    parser.add_argument(
        "--selectors", action="store_true", help="recompute PROVENANCE.json's selector table"
    )
    parser.add_argument(
        "--files", action="store_true", help="PROVENANCE.json entries missing or stale"
    )
    args = parser.parse_args(argv)
    if args.files:
        provenance = load_provenance()
        missing, stale = sync_files(provenance)
        for name in missing:
            print(f"no entry: {name}")
        for name in stale:
            print(f"no file:  {name}")
        if args.write and (missing or stale):
            PROVENANCE.write_text(dump(provenance), encoding="utf-8")
            print("# written: fill in the blank entries (kind and its fields)", file=sys.stderr)
        return 1 if (missing or stale) and not args.write else 0
    if args.selectors:
        provenance = load_provenance()
        old = dump(provenance)
        provenance["sites"] = selector_backing(provenance)
        new = dump(provenance)
        name = PROVENANCE.relative_to(FIXTURES).as_posix()
        sys.stdout.writelines(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, name + " (now)")
        )
        if args.write:
            PROVENANCE.write_text(new, encoding="utf-8")
        return 0
    return diff_expected(args.sites, args.write)


if __name__ == "__main__":
    sys.exit(main())
