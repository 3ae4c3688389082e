"""Who wrote an article: people only. Organisations, desks, bureaus and web producers
are not authors; news agencies are named apart (the item's ``agency``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crawler.parsing.blocks import clean_value
from crawler.parsing.jsonld import ORGANIZATION_TYPES, types_of

# News agencies: named in an ``agency`` field, never as authors.
AGENCIES = {
    name.casefold(): name
    for name in """PTI IANS ANI UNI Reuters AFP AP Bloomberg Agencies Agency भाषा वार्ता
    यूनीवार्ता पीटीआई आईएएनएस एएनआई यूएनआई रॉयटर्स एएफपी एजेंसी एजेंसियां""".split()
} | {"press trust of india": "PTI", "indo-asian news service": "IANS"}
# Bylines of desks, teams and bureaus (and the correspondent or network label a paper
# signs unbylined copy with): not a person. Latin words whole, Devanagari as a substring.
_DESK_LATIN = re.compile(
    r"(?i)\b(?:desk|team|digital|bureau|network|staff|online|correspondent|news|edit(?:or|orial)"
    r"|web\s*producer)\b"
)
_DESK_DEVANAGARI = re.compile(r"डेस्क|टीम|डिजिटल|ब्यूरो|नेटवर्क|संवाददाता|न्यूज|न्यूज़|ऑनलाइन")
# "Written By: X" names the author; "Edited By"/"Published by" name web producers.
_ROLE = re.compile(
    r"(?i)\b(written|reported|edited|published|updated|curated|compiled|posted|uploaded)"
    r"\s+by\b\s*:?"
)
_AUTHOR_ROLES = frozenset({"written", "reported"})
_LEADING_BY = re.compile(r"(?i)^(?:by|लेखक|रिपोर्ट|द्वारा)\s*[:\-]?\s+")
_NAME_SPLIT = re.compile(r"\s*(?:[,|/;]|\s(?:and|&|और|एवं)\s)\s*")


def squash(name: str) -> str:
    """A name for comparing with publisher names: letters only, case folded."""
    return "".join(c for c in unicodedata.normalize("NFC", name).casefold() if c.isalnum())


def split_byline(text: str, publishers: set[str]) -> tuple[list[str], list[str]]:
    """(people, agencies) named by one byline text.

    "Written By: X" is X; names after "Edited By"/"Published by" are web producers,
    not authors. A byline with a desk, bureau or agency in it ("एंटरटेनमेंट डेस्क,
    अमर उजाला", "नई दिल्ली, पीटीआई") names no person: its other parts are the paper
    or a place. Names equal to the publisher's are dropped."""
    text = clean_value(text)
    kept: list[str] = []
    role = "written"
    position = 0
    for match in _ROLE.finditer(text):
        if role in _AUTHOR_ROLES:
            kept.append(text[position : match.start()])
        role, position = match.group(1).lower(), match.end()
    if role in _AUTHOR_ROLES:
        kept.append(text[position:])
    people: list[str] = []
    agencies: list[str] = []
    for segment in kept:
        parts = [_LEADING_BY.sub("", p).strip(" ()[]:-–—") for p in _NAME_SPLIT.split(segment)]
        parts = [p for p in parts if p]
        found_agencies = [AGENCIES[p.casefold()] for p in parts if p.casefold() in AGENCIES]
        agencies += found_agencies
        if found_agencies:  # "नई दिल्ली, पीटीआई": the rest is a dateline
            continue
        # "राजेश कुमार, Senior Correspondent" is a person with a role; in "बिजनेस डेस्क,
        # अमर उजाला, नई दिल्ली" what follows the desk is the paper and a place.
        desk = next((i for i, part in enumerate(parts) if is_desk(part)), len(parts))
        people += [p for p in parts[:desk] if is_person(p, publishers)]
    return people, agencies


def is_desk(name: str) -> bool:
    return bool(_DESK_LATIN.search(name) or _DESK_DEVANAGARI.search(name))


def is_person(name: str, publishers: set[str]) -> bool:
    words = name.split()
    return (
        2 <= len(name) <= 60
        and len(words) <= 6
        and not any(c.isdigit() for c in name)
        and "@" not in name
        and "http" not in name.casefold()
        and squash(name) not in publishers
        and not is_desk(name)
    )


def person_names(value: Any) -> list[str]:
    """Names of a schema.org author value that are people, not organisations."""
    out: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and not (types_of(entry) & ORGANIZATION_TYPES):
            name = entry.get("name")
            if isinstance(name, str):
                out.append(name)
    return out
