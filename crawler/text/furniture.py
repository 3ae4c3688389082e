"""Page-furniture removal: what the page put around the article.

:func:`remove_furniture` drops "Recent Posts" lists, bylines, "ये भी पढ़ें" links,
share/subscribe/advertisement labels, app promos, photo credits, tag lists,
breadcrumbs, header lines of several such parts ("Edited By: X | Updated: ...") and
a trailing teaser for another story; :func:`clean_body` (normalize, then remove) is
what the clean pipeline calls.

Furniture is recognised per unit (a line; in a normalized body, a paragraph) from
its position and its shape. The label vocabulary is data (crawler/data/furniture.toml);
the shapes are the rules below: extend the lists rather than adding special cases in
code. Matching runs on a folded key (NFC, nukta and candrabindu folded, Devanagari
digits made ASCII) so that spelling variants such as खबर/ख़बर or यहां/यहाँ need one entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawler import PACKAGE_DATA
from crawler.text.fold import fold_spelling
from crawler.text.normalize import clean_line, normalize_lines, normalize_text, paragraphs

__all__ = ["clean_body", "remove_furniture"]

# --------------------------------------------------------------------------------------
# Matching keys
# --------------------------------------------------------------------------------------

# Spelling variants that do not change what a label means: nukta (ख़बर/खबर, पढ़ें/पढें),
# candrabindu vs anusvara (यहाँ/यहां), precomposed nukta letters, joiners, and
# Devanagari digits (५ मिनट पहले).
# Decoration around a label that does not change it: "— Advertisement —",
# "[विज्ञापन]", "Recent Posts:", "(फोटो: ANI)", "• Share".
_DECORATION = " -–—_*•·|:：()[]{}<>«».…"  # trailing "..." too: "ये खबर भी पढ़िए..."


def _rx(source: str) -> re.Pattern[str]:
    """Compile a furniture pattern written in natural spelling, folded like the units."""
    return re.compile(fold_spelling(source), re.IGNORECASE)


def _labels(labels: Iterable[str]) -> str:
    """A regex alternation of literal labels; any whitespace inside a label matches \\s+."""
    parts = sorted({fold_spelling(label) for label in labels}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


# --------------------------------------------------------------------------------------
# Furniture vocabulary (crawler/data/furniture.toml: extend the lists there)
# --------------------------------------------------------------------------------------

_VOCABULARY = tomllib.loads((PACKAGE_DATA / "furniture.toml").read_text(encoding="utf-8"))

RECENT_POSTS_HEADINGS: tuple[str, ...] = tuple(_VOCABULARY["recent_posts_headings"])
# A relative time stamp, as teaser lists print them.
RELATIVE_TIME = (
    r"(?:(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?"
    r"|months?|years?)\s+ago|just\s+now"
    r"|(?:\d+|एक|कुछ)\s*(?:सेकंड|मिनट|मिनटों|घंटे|घंटा|घंटों|दिन|दिनों|हफ़्ते|हफ़्तों|हफ़्ता"
    r"|सप्ताह|महीने|महीनों|महीना|माह|साल|सालों|वर्ष)\s+(?:पहले|पूर्व)|अभी\s*-?\s*अभी)"
)

ALSO_READ_LABELS: tuple[str, ...] = tuple(_VOCABULARY["also_read_labels"])
ALSO_READ_WEAK_LABELS: tuple[str, ...] = tuple(_VOCABULARY["also_read_weak_labels"])
ADVERTISEMENT_LABELS: tuple[str, ...] = tuple(_VOCABULARY["advertisement_labels"])
SHARE_LABELS: tuple[str, ...] = tuple(_VOCABULARY["share_labels"])
AUDIO_LABELS: tuple[str, ...] = tuple(_VOCABULARY["audio_labels"])
PHOTO_LABELS: tuple[str, ...] = tuple(_VOCABULARY["photo_labels"])
PHOTO_CREDIT_WORDS: tuple[str, ...] = tuple(_VOCABULARY["photo_credit_words"])
PHOTO_CAPTION_LABELS: tuple[str, ...] = tuple(_VOCABULARY["photo_caption_labels"])
BYLINE_LABELS: tuple[str, ...] = tuple(_VOCABULARY["byline_labels"])
NON_NAME_WORDS: frozenset[str] = frozenset(
    fold_spelling(word) for word in _VOCABULARY["non_name_words"]
)

# --------------------------------------------------------------------------------------
# Furniture rules
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A unit shape that is furniture wherever it appears.

    ``pattern`` must match the whole folded, decoration-stripped unit; ``max_chars``
    keeps long paragraphs that merely start like furniture.
    """

    reason: str
    pattern: re.Pattern[str]
    max_chars: int = 200

    def matches(self, bare: str) -> bool:
        return len(bare) <= self.max_chars and self.pattern.fullmatch(bare) is not None


_SEPARATOR = r"(?:\s*[:：|–—\-]+\s*)"

FURNITURE_RULES: tuple[Rule, ...] = (
    Rule("advertisement", _rx(_labels(ADVERTISEMENT_LABELS))),
    # A bar of share buttons: "Share", "शेयर करें", "Facebook Twitter WhatsApp".
    Rule("share", _rx(rf"(?:{_labels(SHARE_LABELS)}(?:\s+(?:on|via|पर))?[\s|•·,/]*)+")),
    # "Follow us on Google News", "हमें फॉलो करें", "Subscribe", "Google News पर फ़ॉलो करें",
    # "हमारे YouTube चैनल को सब्सक्राइब करें" (but not "नियमों को फॉलो करें").
    Rule(
        "subscribe",
        _rx(
            r"(?:follow\s+us|हमें\s+फ़ॉलो\s+करें|subscribe|सब्सक्राइब(?:\s+करें)?)(?:\s.{0,100})?"
            r"|.{0,80}(?:\sपर|हमें|चैनल(?:\s+को)?|पेज(?:\s+को)?)\s+(?:फ़ॉलो|सब्सक्राइब)\s+करें"
            r"[\s!।.]*"
            # "Join our WhatsApp channel", "हमारे WhatsApp चैनल से जुड़ें".
            r"|join\s+(?:us|our)\b.{0,100}"
            r"|.{0,80}(?:चैनल|ग्रुप|कम्युनिटी|कम्यूनिटी)\s+(?:से\s+जुड़ें|को\s+(?:ज्वाइन|जॉइन)\s+करें)"
            r"[\s!।.]*"
        ),
    ),
    # "Download App", "डाउनलोड करें जागरण एप और ...", "हमारा ऐप डाउनलोड करें". A how-to step
    # ("प्ले स्टोर से DigiLocker ऐप डाउनलोड करें।") does not open with "download" or "our".
    Rule(
        "app_promo",
        _rx(
            r"(?:download|डाउनलोड\s+करें)\s.{0,200}?(?:app|एप|ऐप|ऍप|एप्लीकेशन).*"
            r"|download\s+app|get\s+the\s+app.*"
            r"|(?:our|हमारा|हमारे)\s+(?:\S+\s+){0,3}(?:app|एप|ऐप|ऍप).{0,100}"
        ),
        max_chars=300,
    ),
    Rule("audio_player", _rx(rf"(?:{_labels(AUDIO_LABELS)}\s*)+")),
    # "Click Here", "… के लिए यहां क्लिक करें" (but not a how-to step "Save पर क्लिक करें।").
    Rule(
        "click_here",
        _rx(
            r"(?:click\s+here|यहां\s+क्लिक\s+करें)(?:\s.{0,120})?"
            r"|.{0,120}(?:click\s+here|यहां\s+क्लिक\s+करें)[\s!।.:]*"
        ),
    ),
    # "ये भी पढ़ें", "ये भी पढ़ें: <linked headline>", "Read More: <headline>".
    Rule(
        "also_read",
        _rx(
            rf"{_labels(ALSO_READ_LABELS)}(?:(?:{_SEPARATOR}|\s+)[^।]+।?)?"
            rf"|{_labels(ALSO_READ_WEAK_LABELS)}(?:{_SEPARATOR}[^।]+।?)?"
        ),
        max_chars=300,
    ),
    # "फोटो: सोशल मीडिया", "Image Credit: ANI", "तस्वीर- साभार ट्विटर", "फाइल फोटो".
    Rule(
        "photo_credit",
        _rx(
            rf"{_labels(PHOTO_LABELS)}(?:\s*{_labels(PHOTO_CREDIT_WORDS)})?{_SEPARATOR}.+"
            rf"|{_labels(PHOTO_CAPTION_LABELS)}"
        ),
    ),
    # BBC Hindi image furniture: "इमेज स्रोत, Getty Images", "इमेज कैप्शन, <caption>".
    Rule("photo_credit", _rx(r"(?:इमेज|image)\s+(?:स्रोत|source|कैप्शन|caption)\s*[,:]\s*.+")),
    Rule("timestamp", _rx(RELATIVE_TIME)),
    # "Tags: सपा, अखिलेश यादव", "Keyword: export, import" (a list, not a sentence).
    Rule("tags", _rx(r"(?:tags?|keywords?|टैग(?:्स)?|कीवर्ड(?:्स)?)\s*[:：]\s*[^।!?]{0,300}")),
    # "Hindi News", "होम › राजनीति › उत्तर प्रदेश", "Home / India / Politics".
    Rule(
        "breadcrumb",
        _rx(
            r"(?:home|होम|hindi\s+news|हिंदी\s+न्यूज़|मुख्य\s+पृष्ठ)"
            r"(?:\s*[›»>/|]\s*[^›»>/|।]{1,40}){0,6}"
        ),
    ),
    # "Updated: 12 Dec 2024, 10:30 AM IST", "प्रकाशित: 14 फरवरी 2020" (needs a year or time).
    Rule(
        "dateline",
        _rx(
            r"(?:last\s+updated|updated|published|first\s+published|posted|अपडेटेड|प्रकाशित"
            r"|पब्लिश्ड|प्रकाशन\s+तिथि)(?:\s+(?:on|at))?\s*[:：|–—\-]?\s*"
            r"(?=.*(?:\d{4}|\d{1,2}:\d{2}))[^।]{1,80}"
        ),
    ),
)

# Parts of one header line: "Edited By: X | Updated: ...", "X • 5 मिनट पहले".
_COMPOSITE_SPLIT_RE = re.compile(r"\s+[|•·]\s+")
_MAX_COMPOSITE_CHARS = 250

RECENT_POSTS_HEADING_RE = _rx(_labels(RECENT_POSTS_HEADINGS))
# A teaser in a list ends with its time stamp ("... 9 minutes ago" or a line of its own).
_ENDS_WITH_RELATIVE_TIME_RE = _rx(rf"(?:^|.*\s){RELATIVE_TIME}")
# Teaser lists alternate headline, excerpt and time stamp: a gap longer than this
# between stamps means the list has ended.
_MAX_UNITS_PER_TEASER = 3
_MAX_TEASER_CHARS = 300
_MAX_EXCERPT_CHARS = 600  # a truncated excerpt ("…") may run longer than a headline
_ELLIPSIS_END_RE = re.compile(r"(?:…|\.\.\.)$")

# "Edited By: X", "रिपोर्ट: X", "By X": the name part is checked separately.
_LABELLED_BYLINE_RE = _rx(rf"{_labels(BYLINE_LABELS)}(?:{_SEPARATOR}|\s+)(?P<name>.+)")
_BY_NAME_RE = _rx(r"by\s+(?P<name>.+)")
_MAX_NAME_CHARS = 60
_MAX_NAME_WORDS = 6
# Agency attribution at the end: "(इनपुट: भाषा)", "With inputs from PTI", "एजेंसी इनपुट के साथ".
_AGENCY_CREDIT_RE = _rx(
    r"(?:(?:with\s+)?inputs?\s+from\s+.{1,40}|इनपुट\s*(?:{sep}|\s+).{1,40}"
    r"|.{0,30}इनपुट\s+के\s+साथ|source\s*:\s*.{1,40}|एजेंसी)".replace("{sep}", _SEPARATOR)
)

# A person's name in Latin script: 2-4 capitalised words or initials ("Vivek Kumar Roy",
# "A. K. Singh", "Priya D'Souza").
_LATIN_NAME_WORD = r"[A-Z](?:[a-zA-Z]*[a-z]|\.)(?:[-'’][A-Z][a-z]+)?"
_LATIN_NAME_RE = re.compile(rf"(?:Dr\.?\s+)?{_LATIN_NAME_WORD}(?:\s+{_LATIN_NAME_WORD}){{1,3}}")
# A name in Devanagari: 2-4 words of letters and signs only (no digits, no danda or other
# punctuation); NON_NAME_WORDS rules out phrases.
_DEVANAGARI_WORD = r"[\u0900-\u0963\u0971-\u097f]+"
_DEVANAGARI_NAME_RE = re.compile(
    rf"(?:(?:डॉ|प्रो)\.?\s*)?{_DEVANAGARI_WORD}(?:\s+{_DEVANAGARI_WORD}){{1,3}}"
)

# A trailing teaser for another story: "<1-3 word label>: <headline>".
_TEASER_RE = re.compile(
    r"(?P<label>[A-Za-z0-9\u0900-\u0963\u0966-\u097f&'’.-]+"
    r"(?:\s[A-Za-z0-9\u0900-\u0963\u0966-\u097f&'’.-]+){0,2})\s*:\s+(?P<headline>.+)"
)
_MAX_TEASER_HEADLINE_CHARS = 200
_MIN_TEASER_HEADLINE_WORDS = 5  # shorter "Note: ..." lines are too often real text
# A sentence ending followed by more text: headlines are one sentence, paragraphs more.
_SENTENCE_BREAK_RE = re.compile(r"[।!?]\s*\S|(?<!\.)\.\s+\S")
# Headlines do not end in a danda or a single full stop ("?", "!" and "..." are fine).
_SENTENCE_END_RE = re.compile(r"।$|(?<!\.)\.$")


# --------------------------------------------------------------------------------------
# Shape tests
# --------------------------------------------------------------------------------------


def _is_name(text: str) -> bool:
    """Whether ``text`` (folded) is a person's name: the shape of a bare byline."""
    if _LATIN_NAME_RE.fullmatch(text):
        return True
    if _DEVANAGARI_NAME_RE.fullmatch(text):
        return not any(word in NON_NAME_WORDS for word in text.split())
    return False


def _is_name_list(text: str) -> bool:
    """Whether the part after a byline label reads as names ("X", "X, Y", "X | City")."""
    text = text.rstrip(".")
    if len(text) > _MAX_NAME_CHARS or len(text.split()) > _MAX_NAME_WORDS:
        return False
    if any(mark in text for mark in "।!?"):
        return False
    return not any(word.casefold() in NON_NAME_WORDS for word in re.split(r"[\s,|/&]+", text))


def _is_byline(bare: str) -> bool:
    if match := _LABELLED_BYLINE_RE.fullmatch(bare):
        return _is_name_list(match["name"])
    if match := _BY_NAME_RE.fullmatch(bare):
        return _is_name(match["name"])
    return _is_name(bare)


def _is_labelled_byline(bare: str) -> bool:
    match = _LABELLED_BYLINE_RE.fullmatch(bare)
    return match is not None and _is_name_list(match["name"])


def _is_headline_like(key: str) -> bool:
    return (
        len(key) <= _MAX_TEASER_HEADLINE_CHARS
        and not _SENTENCE_BREAK_RE.search(key)
        and not _SENTENCE_END_RE.search(key)
    )


def _is_teaser(key: str) -> bool:
    """Whether ``key`` is "<Label>: <headline>" of another story (checked only at the end)."""
    match = _TEASER_RE.fullmatch(key)
    if match is None:
        return False
    headline = match["headline"]
    return len(headline.split()) >= _MIN_TEASER_HEADLINE_WORDS and _is_headline_like(headline)


def _is_list_item(key: str) -> bool:
    """Whether a unit can belong to a list of teasers (headline, excerpt or time stamp)."""
    if len(key) <= _MAX_TEASER_CHARS:
        return True
    return len(key) <= _MAX_EXCERPT_CHARS and _ELLIPSIS_END_RE.search(key) is not None


# --------------------------------------------------------------------------------------
# The page being cleaned
# --------------------------------------------------------------------------------------


@dataclass
class _Unit:
    paragraph: int
    text: str
    key: str  # folded, for shape tests
    bare: str  # folded and stripped of decoration, for label tests
    removed: bool = False


@dataclass
class _Page:
    units: list[_Unit]
    # (index of the first unit removed, reason): one entry per decision, not per unit.
    removals: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def parse(cls, body: str) -> _Page:
        units = []
        for number, lines in enumerate(paragraphs(body)):
            for line in lines:
                key = fold_spelling(line)
                units.append(_Unit(number, line, key, key.strip(_DECORATION)))
        return cls(units)

    def kept(self, start: int = 0) -> list[int]:
        return [i for i in range(start, len(self.units)) if not self.units[i].removed]

    def remove(self, start: int, end: int, reason: str) -> None:
        for unit in self.units[start:end]:
            unit.removed = True
        self.removals.append((start, reason))

    def reasons(self) -> list[str]:
        return [reason for _, reason in sorted(self.removals)]

    def text(self) -> str:
        paragraphs: dict[int, list[str]] = {}
        for unit in self.units:
            if not unit.removed:
                paragraphs.setdefault(unit.paragraph, []).append(unit.text)
        return "\n\n".join("\n".join(lines) for lines in paragraphs.values())


def _recent_posts_end(page: _Page, heading: int) -> int | None:
    """One past the last unit of the story list under ``heading``, or None if none is."""
    following = page.kept(heading + 1)
    if not following:
        return heading + 1  # a lone list heading at the very end
    keys = [page.units[i].key for i in following]
    last_stamp = -1
    for position, key in enumerate(keys):
        if not _is_list_item(key) or position - last_stamp > _MAX_UNITS_PER_TEASER:
            break
        if _ENDS_WITH_RELATIVE_TIME_RE.fullmatch(key):
            last_stamp = position
    if last_stamp < 0:
        # Without time stamps, only a tail of nothing but headlines is a story list.
        return len(page.units) if all(map(_is_headline_like, keys)) else None
    # An unstamped last teaser may close the list, but article text after it stays.
    tail = keys[last_stamp + 1 :]
    if len(tail) < _MAX_UNITS_PER_TEASER and all(
        _is_headline_like(key) or _ELLIPSIS_END_RE.search(key) for key in tail
    ):
        return len(page.units)
    return following[last_stamp] + 1


def _remove_recent_posts(page: _Page) -> None:
    index = 0
    while index < len(page.units):
        unit = page.units[index]
        end = None
        if not unit.removed and RECENT_POSTS_HEADING_RE.fullmatch(unit.bare):
            end = _recent_posts_end(page, index)
        if end is not None:
            page.remove(index, end, "recent_posts")
            index = end
        else:
            index += 1


def _rule_reason(bare: str) -> str | None:
    return next((rule.reason for rule in FURNITURE_RULES if rule.matches(bare)), None)


def _composite_reason(bare: str) -> str | None:
    """A header line of several furniture parts, "Edited By: X | Updated: 21 Nov 2026"."""
    parts = [part.strip(_DECORATION) for part in _COMPOSITE_SPLIT_RE.split(bare)]
    if len(parts) < 2 or len(bare) > _MAX_COMPOSITE_CHARS:
        return None
    reasons = [_rule_reason(p) or ("byline" if _is_labelled_byline(p) else None) for p in parts]
    if not any(reasons):
        return None  # a bare name counts only beside a part that is surely furniture
    reasons = [
        reason or ("byline" if _is_name(p) else None)
        for reason, p in zip(reasons, parts, strict=True)
    ]
    return reasons[0] if all(reasons) else None


def _remove_by_rules(page: _Page) -> None:
    for index in page.kept():
        bare = page.units[index].bare
        reason = _rule_reason(bare) or _composite_reason(bare)
        if reason is not None:
            page.remove(index, index + 1, reason)


def _remove_leading(page: _Page, title: str) -> None:
    """A repeat of the title or a labelled byline opening the body."""
    folded_title = fold_spelling(title).casefold()
    for check, reason in (
        (lambda unit: bool(folded_title) and unit.key.casefold() == folded_title, "title"),
        (lambda unit: _is_labelled_byline(unit.bare), "byline"),
    ):
        kept = page.kept()
        if kept and check(page.units[kept[0]]):
            page.remove(kept[0], kept[0] + 1, reason)


def _trailing_reason(page: _Page, index: int, done: set[str]) -> str | None:
    unit = page.units[index]
    if "byline" not in done and _is_byline(unit.bare):
        return "byline"
    if "agency_credit" not in done and _AGENCY_CREDIT_RE.fullmatch(unit.bare):
        return "agency_credit"
    is_lede = index == page.kept()[0]
    if "teaser" not in done and not is_lede and _is_teaser(unit.key):
        return "teaser"
    return None


def _remove_trailing(page: _Page) -> None:
    """Byline, agency credit and a teaser for another story at the end (each once)."""
    done: set[str] = set()
    while kept := page.kept():
        reason = _trailing_reason(page, kept[-1], done)
        if reason is None:
            return
        page.remove(kept[-1], kept[-1] + 1, reason)
        done.add(reason)


def remove_furniture(body: str, title: str = "") -> tuple[str, list[str]]:
    """Remove page furniture from an article body.

    Returns the body without furniture (paragraphs joined by one blank line, lines of
    one paragraph by a newline) and the reasons for what was removed, one per decision
    in body order (a whole "Recent Posts" list is one "recent_posts"). ``title`` lets
    a repeat of the title at the top of the body go.
    """
    page = _Page.parse(body)
    _remove_recent_posts(page)
    _remove_by_rules(page)
    _remove_leading(page, title)
    _remove_trailing(page)
    return page.text(), page.reasons()


def clean_body(body: str, title: str = "", form: str = "NFC") -> tuple[str, list[str]]:
    """Normalize an article body, remove its furniture, and normalize the spacing again.

    Furniture is looked for line by line before lines are joined into paragraphs, so
    that a label on its own line inside a paragraph is still found.
    """
    text = normalize_lines(body, form)
    text, reasons = remove_furniture(text, clean_line(title, form))
    return normalize_text(text, form), reasons
