"""Duplicate articles across sites: exact copies and near-duplicates.

The same agency story appears on many sites with another headline, a dateline, a
trimmed tail, a reordered paragraph or a few words changed. Such copies share most
of their word shingles (runs of consecutive words). Each article's text is
normalized (NFC, nukta and candrabindu folded, digits made ASCII, punctuation out,
Latin lower-cased), cut into shingles of ``shingle_size`` words, and summarized in a
MinHash signature (datasketch); one numpy scan over the signatures of recent articles
estimates the overlap with each of them (see :class:`SignatureMatrix` for why not an
LSH index).

Two measures decide together, both from the signatures and the shingle counts:

* containment, the share of the *shorter* text's shingles found in the other: a
  copy trimmed to its first paragraphs is contained in the original although the
  two differ in length, so Jaccard alone would miss it;
* Jaccard, the share of all shingles in common: a floor that keeps a short text
  from matching every long one that happens to quote it (a text contained in one
  ten times its length has a Jaccard of at most 0.1).

Articles that match join one cluster (``cluster_id``); the earliest copy (smallest
``published_at``, ties: first seen) is the one the others name in ``duplicate_of``.
An article joins the cluster of its best match. When it also matches another
cluster, the two merge only if the articles it matched in each resemble each other
too: copies that arrived in an unlucky order are joined, while a roundup that quotes
five stories does not glue them into one.

:class:`DuplicateIndex` is the in-memory part; crawler/ml/fingerprints.py keeps the
signatures in MongoDB so that a later run finds the stories of earlier nights.
The thresholds were chosen with ``bench/neardup_eval.py`` on the labelled test set
in ``tests/fixtures/neardup``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from datasketch import MinHash

from crawler.text.fold import fold_spelling

__all__ = [
    "HASH_DTYPE",
    "Assignment",
    "DuplicateIndex",
    "Entry",
    "Fingerprint",
    "Fingerprinter",
    "NearDupParams",
    "SignatureMatrix",
    "shingles",
    "similarity",
    "text_tokens",
]

# datasketch's default since 2.0: 32-bit hash values, half the memory of "legacy".
SCHEME = "affine32"
HASH_DTYPE = np.dtype("<u4")

# 1,28,400 and 4.2 stay one token each: numbers tell stories apart.
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[,.](?=\d)")


def _is_word_char(char: str) -> bool:
    # Letters, combining marks (matras, virama) and digits; everything else splits.
    return unicodedata.category(char)[0] in "LMN"


def _splitting_table(text: str) -> dict[int, str]:
    """str.translate table turning every non-word character of ``text`` into a space
    (built from the distinct characters: a few hundred, not the whole text)."""
    return {ord(c): " " for c in set(text) if not _is_word_char(c)}


def text_tokens(text: str) -> list[str]:
    """Words of ``text`` for comparison: NFC, lower-cased, no punctuation, and folded
    (nukta, candrabindu, joiners, Devanagari digits: sites' spellings differ in these)."""
    text = fold_spelling(text).casefold()
    text = _DIGIT_SEPARATOR.sub("", text)
    return text.translate(_splitting_table(text)).split()


def shingles(tokens: list[str], size: int) -> list[bytes]:
    """The distinct runs of ``size`` consecutive tokens (one for a shorter text)."""
    if len(tokens) <= size:
        return [" ".join(tokens).encode()] if tokens else []
    runs = {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
    return [run.encode() for run in sorted(runs)]


@dataclass(frozen=True)
class NearDupParams:
    """How articles are compared; defaults chosen with bench/neardup_eval.py."""

    shingle_size: int = 3
    num_perm: int = 128
    min_containment: float = 0.6
    min_jaccard: float = 0.15
    # An article that matches two clusters merges them only if the two articles it
    # matched share at least this much (containment) themselves: copies of one story
    # do, the stories a roundup quotes do not.
    merge_containment: float = 0.3
    # Fewer shingles than this make the estimate too coarse: such texts only
    # match exactly.
    min_shingles: int = 20
    seed: int = 1

    @classmethod
    def from_settings(cls, settings: Any) -> NearDupParams:
        """The DEDUPE_* settings of a crawl (any object with Scrapy's getters)."""
        return cls(
            shingle_size=settings.getint("DEDUPE_SHINGLE_SIZE"),
            num_perm=settings.getint("DEDUPE_NUM_PERM"),
            min_containment=settings.getfloat("DEDUPE_MIN_CONTAINMENT"),
            min_jaccard=settings.getfloat("DEDUPE_MIN_JACCARD"),
            merge_containment=settings.getfloat("DEDUPE_MERGE_CONTAINMENT"),
        )

    @property
    def signature(self) -> str:
        """Names what a stored signature was made with; others cannot be compared."""
        return f"minhash-{SCHEME}-p{self.num_perm}-s{self.seed}-w{self.shingle_size}"


@dataclass
class Fingerprint:
    """What the index knows of one article."""

    url: str
    site: str
    published_at: datetime | None
    minhash: np.ndarray  # uint32 hash values, one per permutation
    size: int  # distinct shingles
    text_hash: str  # of the normalized tokens: identical text
    content_hash: str = ""  # crawler.storage.store.content_hash: identical article


class Fingerprinter:
    """Turns article text into a :class:`Fingerprint`."""

    def __init__(self, params: NearDupParams) -> None:
        self.params = params
        # Drawing the permutations is the slow part of a MinHash: once only.
        self._template = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=SCHEME)

    def fingerprint(
        self,
        url: str,
        site: str,
        published_at: datetime | None,
        text: str,
        content_hash: str = "",
    ) -> Fingerprint:
        tokens = text_tokens(text)
        grams = shingles(tokens, self.params.shingle_size)
        minhash = MinHash(
            num_perm=self.params.num_perm,
            seed=self.params.seed,
            permutations=self._template.permutations,
            scheme=SCHEME,
        )
        minhash.update_batch(grams)
        return Fingerprint(
            url=url,
            site=site,
            published_at=published_at,
            minhash=minhash.hashvalues.astype(HASH_DTYPE),
            size=len(grams),
            text_hash=hashlib.sha1(" ".join(tokens).encode()).hexdigest(),
            content_hash=content_hash,
        )


def similarity(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger), estimated from the signatures."""
    jaccard = float(np.count_nonzero(a.minhash == b.minhash)) / len(a.minhash)
    smaller = min(a.size, b.size)
    if smaller == 0:
        return jaccard, 0.0
    # |A∩B| = J·(|A|+|B|)/(1+J), from J = |A∩B|/|A∪B| and |A∪B| = |A|+|B|-|A∩B|.
    common = jaccard * (a.size + b.size) / (1.0 + jaccard)
    return jaccard, min(common / smaller, 1.0)


@dataclass
class Entry:
    """A fingerprint in the index, with its cluster and what was last written for it."""

    fingerprint: Fingerprint
    cluster_id: str
    order: int  # first seen, for ties between equal dates
    written_duplicate_of: str  # duplicate_of as last given to the item or the store
    written_cluster_id: str  # cluster_id likewise (clusters merge)
    owner: Hashable | None = None  # the pipeline that emitted it; None: from MongoDB
    first_seen_at: datetime | None = None

    @property
    def url(self) -> str:
        return self.fingerprint.url

    def sort_key(self) -> tuple[bool, datetime, int]:
        published = self.fingerprint.published_at
        return (published is None, published or datetime.max.replace(tzinfo=UTC), self.order)


@dataclass(frozen=True)
class Assignment:
    """Where an article went: ``kind`` is "new", "exact", "near" or "known" (its URL)."""

    cluster_id: str
    duplicate_of: str
    kind: str
    match: str = ""  # the URL it matched
    jaccard: float = 0.0
    containment: float = 0.0


@dataclass
class _Cluster:
    members: set[str] = field(default_factory=set)
    earliest: str = ""


class SignatureMatrix:
    """Every indexed signature in one numpy matrix, compared with one scan per query.

    datasketch's MinHashLSH keeps a Python set per band and article: at the low
    Jaccard a trimmed copy has (64 bands of 2 rows) that is ~19 KiB per article,
    ~650 MB for a week of 15 sites. The scan holds 4 bytes per permutation, compares
    with every article (no LSH misses) and takes ~3.5 ms for 35,000 articles
    (bench/neardup_eval.py --perf prints both side by side).
    """

    def __init__(self, num_perm: int) -> None:
        self._rows = np.zeros((1024, num_perm), dtype=HASH_DTYPE)
        self._sizes = np.zeros(1024, dtype=np.int64)  # 0: a free row, never matches
        self._urls: list[str | None] = [None] * 1024
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        self._used = 0  # rows [0, used) have been handed out

    def __len__(self) -> int:
        return len(self._row_of)

    def add(self, url: str, minhash: np.ndarray, size: int) -> None:
        if self._free:
            row = self._free.pop()
        else:
            if self._used == len(self._sizes):
                self._grow()
            row, self._used = self._used, self._used + 1
        self._rows[row], self._sizes[row], self._urls[row] = minhash, size, url
        self._row_of[url] = row

    def remove(self, url: str) -> None:
        row = self._row_of.pop(url)
        self._sizes[row], self._urls[row] = 0, None
        self._free.append(row)

    def scan(self, minhash: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, Jaccard, containment) against every indexed signature."""
        used = self._used
        equal = np.count_nonzero(self._rows[:used] == minhash, axis=1)
        jaccard = equal / self._rows.shape[1]
        sizes = self._sizes[:used]
        common = jaccard * (sizes + size) / (1.0 + jaccard)
        with np.errstate(divide="ignore", invalid="ignore"):
            containment = np.where(sizes > 0, common / np.minimum(sizes, size), 0.0)
        return np.arange(used), jaccard, np.minimum(containment, 1.0)

    def url(self, row: int) -> str | None:
        return self._urls[row]

    def _grow(self) -> None:
        more = len(self._sizes)
        self._rows = np.vstack([self._rows, np.zeros_like(self._rows[:more])])
        self._sizes = np.concatenate([self._sizes, np.zeros(more, dtype=np.int64)])
        self._urls.extend([None] * more)


class DuplicateIndex:
    """Fingerprints of recent articles, their clusters and each cluster's earliest copy."""

    def __init__(self, params: NearDupParams) -> None:
        self.params = params
        self._signatures = SignatureMatrix(params.num_perm)
        self._entries: dict[str, Entry] = {}
        self._clusters: dict[str, _Cluster] = {}
        self._by_text: dict[str, str] = {}  # text hash -> url
        self._by_content: dict[str, str] = {}  # content hash -> url
        self._order = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, url: object) -> bool:
        return url in self._entries

    def entry(self, url: str) -> Entry:
        return self._entries[url]

    def entries(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def duplicate_of(self, url: str) -> str:
        """The URL of the earliest copy in ``url``'s cluster, or "" if ``url`` is it."""
        earliest = self._clusters[self._entries[url].cluster_id].earliest
        return "" if earliest == url else earliest

    def cluster_members(self, cluster_id: str) -> set[str]:
        return set(self._clusters[cluster_id].members)

    # --- adding ------------------------------------------------------------------------

    def add(self, fingerprint: Fingerprint, owner: Hashable | None = None) -> Assignment:
        """Put an article in its cluster (an existing one, or a new one of its own)."""
        known = self._entries.get(fingerprint.url)
        if known is not None:
            if known.fingerprint.text_hash == fingerprint.text_hash:
                if owner is not None:
                    known.owner = owner  # seen again: its fingerprint is saved again
                url = fingerprint.url
                return Assignment(known.cluster_id, self.duplicate_of(url), "known", url)
            self._remove(known)  # the article changed: place it again

        kind, match, jaccard, containment = "new", "", 0.0, 0.0
        matches: list[tuple[str, float, float]] = []
        exact = self._exact_match(fingerprint)
        if exact:
            kind, match, jaccard, containment = "exact", exact, 1.0, 1.0
        else:
            matches = self.matches(fingerprint)
            if matches:
                kind, (match, jaccard, containment) = "near", matches[0]
        cluster_id = self._entries[match].cluster_id if match else _new_cluster_id(fingerprint)
        entry = self._insert(fingerprint, cluster_id, owner)
        for other, _, _ in matches[1:]:
            self._merge_if_related(match, other)
        entry.written_cluster_id = cluster_id = entry.cluster_id
        entry.written_duplicate_of = duplicate_of = self.duplicate_of(fingerprint.url)
        return Assignment(cluster_id, duplicate_of, kind, match, jaccard, containment)

    def restore(
        self,
        fingerprint: Fingerprint,
        cluster_id: str,
        duplicate_of: str,
        first_seen_at: datetime | None = None,
    ) -> None:
        """Put back an article from an earlier run, in the cluster it was given then."""
        if fingerprint.url in self._entries:
            self._remove(self._entries[fingerprint.url])
        entry = self._insert(fingerprint, cluster_id, owner=None, first_seen_at=first_seen_at)
        entry.written_duplicate_of = duplicate_of

    def _exact_match(self, fingerprint: Fingerprint) -> str:
        if fingerprint.content_hash and fingerprint.content_hash in self._by_content:
            return self._by_content[fingerprint.content_hash]
        if fingerprint.size and fingerprint.text_hash in self._by_text:
            return self._by_text[fingerprint.text_hash]
        return ""

    def matches(self, fingerprint: Fingerprint) -> list[tuple[str, float, float]]:
        """(url, Jaccard, containment) of the indexed articles it matches, best first."""
        if fingerprint.size < self.params.min_shingles or not len(self._signatures):
            return []
        rows, jaccard, containment = self._signatures.scan(fingerprint.minhash, fingerprint.size)
        hits = (containment >= self.params.min_containment) & (jaccard >= self.params.min_jaccard)
        found = []
        for row in rows[hits]:
            url = self._signatures.url(int(row))
            if url is not None:
                found.append((url, float(jaccard[row]), float(containment[row])))
        # Highest containment first; the URL only makes ties reproducible.
        return sorted(found, key=lambda m: (-m[2], -m[1], m[0]))

    def _merge_if_related(self, url: str, other: str) -> None:
        """Merge the clusters of two articles a new one matched, if they match each other.

        Copies arriving in an unlucky order (a short trim first, a rewrite next) form
        separate clusters until an article close to both joins them.
        """
        first, second = self._entries[url], self._entries[other]
        if first.cluster_id == second.cluster_id:
            return
        _, containment = similarity(first.fingerprint, second.fingerprint)
        if containment < self.params.merge_containment:
            return
        a, b = self._clusters[first.cluster_id], self._clusters[second.cluster_id]
        # The cluster with the earliest copy keeps its id.
        keep, gone = (first.cluster_id, second.cluster_id)
        if self._entries[b.earliest].sort_key() < self._entries[a.earliest].sort_key():
            keep, gone = gone, keep
        kept, absorbed = self._clusters[keep], self._clusters.pop(gone)
        for member in absorbed.members:
            self._entries[member].cluster_id = keep
        kept.members |= absorbed.members
        if self._entries[absorbed.earliest].sort_key() < self._entries[kept.earliest].sort_key():
            kept.earliest = absorbed.earliest

    def _insert(
        self,
        fingerprint: Fingerprint,
        cluster_id: str,
        owner: Hashable | None,
        first_seen_at: datetime | None = None,
    ) -> Entry:
        self._order += 1
        entry = Entry(fingerprint, cluster_id, self._order, "", cluster_id, owner, first_seen_at)
        url = fingerprint.url
        self._entries[url] = entry
        if fingerprint.size >= self.params.min_shingles:
            self._signatures.add(url, fingerprint.minhash, fingerprint.size)
        if fingerprint.size:
            self._by_text.setdefault(fingerprint.text_hash, url)
        if fingerprint.content_hash:
            self._by_content.setdefault(fingerprint.content_hash, url)
        cluster = self._clusters.setdefault(cluster_id, _Cluster())
        cluster.members.add(url)
        if not cluster.earliest or entry.sort_key() < self._entries[cluster.earliest].sort_key():
            cluster.earliest = url
        return entry

    def _remove(self, entry: Entry) -> None:
        fingerprint, url = entry.fingerprint, entry.url
        del self._entries[url]
        if fingerprint.size >= self.params.min_shingles:
            self._signatures.remove(url)
        for table, key in (
            (self._by_text, fingerprint.text_hash),
            (self._by_content, fingerprint.content_hash),
        ):
            if table.get(key) == url:
                del table[key]
        cluster = self._clusters[entry.cluster_id]
        cluster.members.discard(url)
        if not cluster.members:
            del self._clusters[entry.cluster_id]
        elif cluster.earliest == url:
            cluster.earliest = min(cluster.members, key=lambda u: self._entries[u].sort_key())

    # --- what changed after it was written -----------------------------------------------

    def outdated(self, open_owners: set[Hashable]) -> list[Entry]:
        """Entries whose cluster or earliest copy changed since written, and that are stored.

        An item still in the hands of an open pipeline may not be stored yet; it is
        handled when that pipeline closes.
        """
        return [
            entry
            for entry in self._entries.values()
            if entry.owner not in open_owners
            and (
                entry.written_duplicate_of != self.duplicate_of(entry.url)
                or entry.written_cluster_id != entry.cluster_id
            )
        ]


def _new_cluster_id(fingerprint: Fingerprint) -> str:
    # Stable for the founding article, and distinct after it changes and is placed anew.
    key = f"{fingerprint.url}\n{fingerprint.text_hash}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]
