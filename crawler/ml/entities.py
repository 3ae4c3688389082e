"""Places, political parties and people named in a Hindi (or English) news text.

The names live in curated, tab-separated data files, easy to extend:
crawler/data/places.tsv (states, union territories, cities and districts, each with
its state), crawler/data/parties.tsv and crawler/data/people.tsv (each leader with a
party). Every row has a canonical English name and its Hindi and English aliases.

Matching works on words, never on substrings: the text is folded (NFC, nukta,
candrabindu/anusvara, हिन्दी/हिंदी; see crawler.text.fold.fold_hindi) and split into
tokens in which matras, virama, nukta and anusvara belong to their word, so सपा
does not match inside सपाट and मोदी not inside मोदीनगर. Aliases are looked up as
token sequences in one dictionary (longest first), which is fast whatever the
number of aliases. Hindi inflection: postpositions are separate words (भाजपा के,
सपा ने); the derived forms a party or person name takes are accepted as
suffixes (कांग्रेसी, कांग्रेसियों, सपाई, भाजपाइयों; मोदीजी; दिल्लीवासी).

Aliases that are also everyday words are marked "~" in the data and count only
with supporting context (see the files' headers); phrases in a row named "-"
(बंगाल की खाड़ी, नीरव मोदी) are consumed without counting, so the place or leader
inside them is not found.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from crawler import PACKAGE_DATA
from crawler.text.fold import WORD_RE as TOKEN_RE
from crawler.text.fold import fold_hindi

logger = logging.getLogger(__name__)

DATA_DIR = PACKAGE_DATA
PLACES_FILE = "places.tsv"
PARTIES_FILE = "parties.tsv"
PEOPLE_FILE = "people.tsv"

PLACE, PARTY, PERSON, BLOCKED = "place", "party", "person", "-"
PLACE_TYPES = ("state", "ut", "city")

# Derived forms per kind: the alias's last word plus one of these is still the name.
# कांग्रेस+ी, कांग्रेस+ियों, सपा+ई, भाजपा+इयों; मोदी+जी; दिल्ली+वासी. Longest first.
SUFFIXES: dict[str, tuple[str, ...]] = {
    PARTY: ("ियों", "इयों", "ियो", "इयो", "ी", "ई"),
    PERSON: ("जी",),
    PLACE: ("वासियों", "वासियो", "वासी"),
}
_ALL_SUFFIXES = tuple(
    sorted({s for suffixes in SUFFIXES.values() for s in suffixes}, key=len, reverse=True)
)
# A stem must keep at least this many characters once a suffix is taken off.
_MIN_STEM = 2


@dataclass(frozen=True)
class Target:
    """What an alias names. ``group`` ties context together: a place's state, a
    party's own name, a person's party."""

    kind: str
    name: str
    group: str
    weak: bool = False  # counts only when its group is otherwise in the text


@dataclass
class Entities:
    regions: list[str] = field(default_factory=list)  # states and UTs, canonical English
    places: list[str] = field(default_factory=list)  # every place named, states included
    parties: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


def _tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(fold_hindi(text))


def _case_sensitive(tokens: Sequence[str]) -> bool:
    """An alias with an all-capital Latin word (SP, AAP, UP, J&K) matches only in
    capitals: "sp", "up" and "aap" are ordinary words."""
    return any(t.isascii() and t.isalpha() and t.isupper() for t in tokens)


def read_rows(path: Path, columns: int) -> list[list[str]]:
    """The data rows of a curated TSV file: comments (#) and blank lines skipped."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != columns or not cells[0] or not cells[-1]:
            raise ValueError(f"{path.name}:{number}: expected {columns} tab-separated columns")
        rows.append(cells)
    return rows


def _aliases(cell: str) -> Iterable[tuple[str, bool]]:
    for alias in cell.split("|"):
        alias = alias.strip()
        if alias:
            yield alias.removeprefix("~").strip(), alias.startswith("~")


class EntityMatcher:
    """Finds the places, parties and people of ``rows`` in texts."""

    def __init__(self, entries: Iterable[tuple[str, Target]]) -> None:
        # One dictionary per case rule, keyed by the alias's tokens joined by spaces.
        self._folded: dict[str, list[Target]] = {}
        self._exact: dict[str, list[Target]] = {}
        self._starts: set[str] = set()  # first tokens, to skip most positions at once
        self._prefixes: set[str] = set()
        self._max_tokens = 1
        for alias, target in entries:
            tokens = _tokens(alias)
            if not tokens:
                raise ValueError(f"alias without a word: {alias!r}")
            if _case_sensitive(tokens):
                table = self._exact
            else:
                table, tokens = self._folded, [t.lower() for t in tokens]
            targets = table.setdefault(" ".join(tokens), [])
            if target not in targets:
                targets.append(target)
            self._starts.add(tokens[0])
            # Leading words of longer aliases: a longer match is tried only where they are.
            self._prefixes.update(" ".join(tokens[:k]) for k in range(1, len(tokens)))
            self._max_tokens = max(self._max_tokens, len(tokens))
        # A one-word alias may carry an inflection: its inflected forms are words too.
        singles = {key for key in (*self._folded, *self._exact) if " " not in key}
        self._singles = singles | {
            word + suffix for word in singles if len(word) >= _MIN_STEM for suffix in _ALL_SUFFIXES
        }
        self._starts |= self._singles

    @classmethod
    def from_files(cls, data_dir: str | Path = DATA_DIR) -> EntityMatcher:
        data_dir = Path(data_dir)
        entries: list[tuple[str, Target]] = []
        places = read_rows(data_dir / PLACES_FILE, 4)
        states = {name for name, kind, _, _ in places if kind in ("state", "ut")}
        for name, kind, state, aliases in places:
            if name == BLOCKED:
                entries += [(a, Target(BLOCKED, "", "")) for a, _ in _aliases(aliases)]
                continue
            if kind not in PLACE_TYPES or state not in states:
                raise ValueError(f"{PLACES_FILE}: {name}: bad type {kind!r} or state {state!r}")
            entries += [(a, Target(PLACE, name, state, weak)) for a, weak in _aliases(aliases)]
        parties = set()
        for name, _full_name, aliases in read_rows(data_dir / PARTIES_FILE, 3):
            parties.add(name)
            kind = BLOCKED if name == BLOCKED else PARTY
            entries += [(a, Target(kind, name, name, weak)) for a, weak in _aliases(aliases)]
        for name, party, aliases in read_rows(data_dir / PEOPLE_FILE, 3):
            if party not in parties and party != BLOCKED:
                raise ValueError(f"{PEOPLE_FILE}: {name}: party {party!r} not in {PARTIES_FILE}")
            kind = BLOCKED if name == BLOCKED else PERSON
            group = "" if party == BLOCKED else party
            entries += [(a, Target(kind, name, group, weak)) for a, weak in _aliases(aliases)]
        return cls(entries)

    # -- matching -----------------------------------------------------------------------

    def _lookup(self, raw: list[str], low: list[str], i: int, size: int) -> list[Target]:
        """Targets of the alias spelled by tokens i..i+size, the last maybe inflected."""
        end = i + size - 1
        head_low = " ".join(low[i:end])
        head_raw = " ".join(raw[i:end])
        sep = " " if size > 1 else ""
        for key_head, last, table in (
            (head_low, low[end], self._folded),
            (head_raw, raw[end], self._exact),
        ):
            found = table.get(key_head + sep + last)
            if found:
                return found
            for suffix in _ALL_SUFFIXES:
                if last.endswith(suffix) and len(last) - len(suffix) >= _MIN_STEM:
                    found = table.get(key_head + sep + last[: -len(suffix)])
                    if found:
                        allowed = [t for t in found if suffix in SUFFIXES.get(t.kind, ())]
                        if allowed:
                            return allowed
        return []

    def _longest_possible(self, raw: list[str], low: list[str], i: int) -> int:
        """How many tokens from i an alias could span: its words before the last must
        be some alias's leading words (only the last word may be inflected)."""
        size, limit = 1, min(self._max_tokens, len(raw) - i)
        head_low, head_raw = low[i], raw[i]
        while size < limit and (head_low in self._prefixes or head_raw in self._prefixes):
            size += 1
            head_low += " " + low[i + size - 1]
            head_raw += " " + raw[i + size - 1]
        return size

    def matches(self, text: str) -> list[list[Target]]:
        """Every alias found, in text order, longest first at each position."""
        raw = _tokens(text)
        low = [t.lower() for t in raw]
        found: list[list[Target]] = []
        starts, singles = self._starts, self._singles
        i, n = 0, len(raw)
        while i < n:
            if low[i] in starts or raw[i] in starts:
                for size in range(self._longest_possible(raw, low, i), 0, -1):
                    if size == 1 and low[i] not in singles and raw[i] not in singles:
                        continue  # only the start of longer aliases (के of के चंद्रशेखर राव)
                    targets = self._lookup(raw, low, i, size)
                    if targets:
                        found.append(targets)
                        i += size
                        break
                else:
                    i += 1
            else:
                i += 1
        return found

    def find(self, text: str) -> Entities:
        """The entities of a text, each list in order of first mention."""
        found = [ts for ts in self.matches(text) if ts[0].kind != BLOCKED]
        # Context: the groups (states, parties) of what the text names unambiguously.
        groups = {ts[0].group for ts in found if len(ts) == 1 and not ts[0].weak}
        chosen: list[Target] = []
        for targets in found:
            supported = [t for t in targets if t.group and t.group in groups]
            if supported:
                chosen.append(supported[0])
            elif not targets[0].weak:
                chosen.append(targets[0])  # several rows share the alias: the first row
        result = Entities()
        lists = {PLACE: result.places, PARTY: result.parties, PERSON: result.people}
        for target in chosen:
            if target.name not in lists[target.kind]:
                lists[target.kind].append(target.name)
            if target.kind == PLACE and target.group not in result.regions:
                result.regions.append(target.group)
        return result


@cache
def default_matcher() -> EntityMatcher:
    """The matcher over the project's data files, built once per process."""
    return EntityMatcher.from_files(DATA_DIR)
