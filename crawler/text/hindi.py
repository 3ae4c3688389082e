"""Hindi text cleaning: Unicode and whitespace normalization, page-furniture removal.

Article bodies are plain text with paragraphs separated by one blank line ("\\n\\n");
titles, descriptions and author names are single strings.

* :func:`normalize_text` fixes the characters and the spacing, keeping the paragraph
  structure: entities (also double-escaped ones), mojibake (UTF-8 read as cp1252,
  repaired with ftfy), Unicode form, nukta spellings (one byte sequence per letter),
  invisible characters (ZWJ/ZWNJ stay only next to a virama, where they change the
  rendering), typographic quotes and dashes (as ASCII " ' -; the danda stays), odd spaces.
* :func:`remove_furniture` drops what the page put around the article: "Recent Posts"
  lists, bylines, "ये भी पढ़ें" links, share/subscribe/advertisement labels, app
  promos, photo credits, tag lists, breadcrumbs, header lines of several such parts
  ("Edited By: X | Updated: ...") and a trailing teaser for another story.
* :func:`clean_body` and :func:`clean_line` are what the clean pipeline calls.

Furniture is recognised per unit (a line; in a normalized body, a paragraph) from
its position and its shape. The shapes are named, data-driven module constants:
extend the label lists and rules below rather than adding special cases in code.
Matching runs on a folded key (NFC, nukta and candrabindu folded, Devanagari digits
made ASCII) so that spelling variants such as खबर/ख़बर or यहां/यहाँ need one entry.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ftfy

from crawler.text.fold import fold_spelling

__all__ = [
    "clean_body",
    "clean_line",
    "normalize_punctuation",
    "normalize_text",
    "remove_furniture",
    "repair_mojibake",
    "to_ascii_digits",
    "unify_nukta",
]

# --------------------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------------------

# Devanagari, Devanagari Extended and Vedic Extensions: the scripts a ZWJ/ZWNJ may
# legitimately sit inside (e.g. क्‍ष, where ZWJ asks for a half form instead of a conjunct).
DEVANAGARI = "\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff"
_DEVANAGARI_CHAR_RE = re.compile(f"[{DEVANAGARI}]")

# Line separators other than "\n": CRLF/CR from Windows or old Mac feeds, NEL and the
# Unicode line separator from converted documents.
_LINE_BREAK_RE = re.compile(r"\r\n?|[\x85\u2028]")
# The Unicode paragraph separator means what a blank line means here.
_PARAGRAPH_SEPARATOR = "\u2029"

# Invisible characters that carry no meaning in news text: C0/DEL controls (except
# \t \n \v \f, which are spacing), C1 controls (left over from Latin-1 decoding), soft
# hyphen, Mongolian vowel separator, zero-width space, LRM/RLM, bidi embeddings/isolates,
# word joiner and invisible operators, BOM.
_INVISIBLE_RE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff]"
)

# Spaces that should be a plain space: tab, VT, FF, no-break space, the typographic
# spaces U+2000-U+200A, narrow no-break, medium math and ideographic space.
_ODD_SPACE_RE = re.compile(r"[\t\x0b\x0c\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")

# ZWNJ/ZWJ only change how Devanagari renders next to a virama: after it (क्‍ष asks for
# a half form, क्‌ष for a visible virama) or before it (र‍् for the eyelash ra). Anywhere
# else they are copy-paste debris that splits words for search.
_JOINER_RUN_RE = re.compile(r"[\u200c\u200d]+")
_VIRAMA = "\u094d"

_SPACE_RUN_RE = re.compile(r" {2,}")

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

# An entity left after one round of decoding: the page escaped its text twice
# ("&amp;quot;", "&amp;nbsp;").
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# ftfy repairs text that was UTF-8 but got decoded as Latin-1/cp1252 somewhere upstream
# ("à¤•à¤¾" for "का"). Everything else ftfy could do is done here explicitly (quotes,
# entities, Unicode form) or must not be done (C1 controls turned into cp1252 symbols).
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
# Mojibake of UTF-8 text always contains a character from U+0080-U+00FF (or a cp1252
# stand-in for one): text without any is left alone without asking ftfy.
_MOJIBAKE_HINT_RE = re.compile(
    r"[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)

# Typographic quotes become ASCII: “ ” „ ‟ « » ″ and the pair ‘‘ ’’ (agency copy writes
# double quotes that way) become ", single ones and ‹ › ′ become '.
_DOUBLE_SINGLE_QUOTES_RE = re.compile(r"‘‘|’’|‚‚")
# Dashes and the minus sign become "-"; the danda (।, ॥) is punctuation of its own.
_PUNCTUATION_TABLE = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
        **dict.fromkeys("‘’‚‛‹›′＇", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"),
    }
)

# Nukta repairs (NFC already writes क़ and क + ़ the same way, as base + nukta):
# a nukta typed after the vowel sign instead of before it ("कि़" for "क़ि"), a doubled
# nukta, and the legacy-font converter artefact that moves the nukta of ड़/ढ़ onto a
# following न/र ("बढऩे" for "बढ़ने"; ऩ and ऱ are not Hindi letters).
_NUKTA = "\u093c"
_NUKTA_AFTER_VOWEL_SIGN_RE = re.compile(r"([\u0915-\u0939])([\u093e-\u094c])\u093c")
_DOUBLE_NUKTA_RE = re.compile("\u093c{2,}")
_MISPLACED_NUKTA_RE = re.compile(r"([डढ])([ऩऱ])")
_NUKTA_BASES = {"ऩ": "न", "ऱ": "र"}


def to_ascii_digits(text: str) -> str:
    """Replace Devanagari digits (०-९) with ASCII digits (0-9)."""
    return text.translate(_DEVANAGARI_DIGITS)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as Latin-1/cp1252 ("à¤•à¤¾" -> "का"), with ftfy.

    Text that is fine (or legacy-font text that only looks odd) comes back unchanged.
    """
    if not _MOJIBAKE_HINT_RE.search(text):
        return text
    return ftfy.fix_text(text, _FTFY_CONFIG)


def unify_nukta(text: str) -> str:
    """One spelling per nukta letter: NFC order, nukta before the vowel sign, no doubles."""
    text = _MISPLACED_NUKTA_RE.sub(lambda m: m[1] + _NUKTA + _NUKTA_BASES[m[2]], text)
    text = _NUKTA_AFTER_VOWEL_SIGN_RE.sub(r"\1" + _NUKTA + r"\2", text)
    return _DOUBLE_NUKTA_RE.sub(_NUKTA, text)


def normalize_punctuation(text: str) -> str:
    """Typographic quotes and dashes as ASCII " ' and -; the danda stays."""
    return _DOUBLE_SINGLE_QUOTES_RE.sub('"', text).translate(_PUNCTUATION_TABLE)


def _decode_entities(text: str) -> str:
    text = html.unescape(text)
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text)
    return text


def _keep_joiners_next_to_virama(match: re.Match[str]) -> str:
    text, (start, end) = match.string, match.span()
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if (before == _VIRAMA and _DEVANAGARI_CHAR_RE.match(after)) or (
        after == _VIRAMA and _DEVANAGARI_CHAR_RE.match(before)
    ):
        return match.group()
    return ""


def _normalize_characters(text: str, form: str) -> str:
    text = repair_mojibake(_decode_entities(text))
    text = unify_nukta(unicodedata.normalize(form, text))
    text = _LINE_BREAK_RE.sub("\n", text).replace(_PARAGRAPH_SEPARATOR, "\n\n")
    text = _INVISIBLE_RE.sub("", text)
    text = _ODD_SPACE_RE.sub(" ", text)
    text = _JOINER_RUN_RE.sub(_keep_joiners_next_to_virama, text)
    text = normalize_punctuation(text)
    # Removing characters can bring a base and a combining mark together: normalize again.
    return unify_nukta(unicodedata.normalize(form, text))


def _paragraphs(text: str) -> list[list[str]]:
    """Split into paragraphs (at blank lines) of stripped, space-collapsed lines."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw_line in text.split("\n"):
        line = _SPACE_RUN_RE.sub(" ", raw_line).strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _normalize(text: str, form: str, *, join_lines: bool) -> str:
    line_separator = " " if join_lines else "\n"
    paragraphs = _paragraphs(_normalize_characters(text, form))
    return "\n\n".join(line_separator.join(lines) for lines in paragraphs)


def normalize_text(text: str, form: str = "NFC") -> str:
    """Normalize characters and spacing, keeping paragraphs apart by one blank line.

    HTML entities are decoded, the text is put in Unicode normal form ``form``, odd
    spaces become spaces and runs of spaces collapse, invisible characters go (ZWJ and
    ZWNJ stay only between Devanagari characters), lines are stripped, a single newline
    inside a paragraph becomes a space, and any run of blank lines becomes one.
    """
    return _normalize(text, form, join_lines=True)


def clean_line(text: str, form: str = "NFC") -> str:
    """Normalize a title, description or author name into one line."""
    return _normalize(text, form, join_lines=True).replace("\n\n", " ")


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
# Furniture vocabulary (extend these)
# --------------------------------------------------------------------------------------

# Headings of a list of other stories, usually at the end of the page.
RECENT_POSTS_HEADINGS: tuple[str, ...] = (
    "Recent Posts",
    "Related Posts",
    "Related News",
    "Related Stories",
    "Related Articles",
    "Latest News",
    "Latest Posts",
    "Latest Stories",
    "Top News",
    "Top Stories",
    "More News",
    "More Stories",
    "Trending",
    "Trending News",
    "Trending Now",
    "Trending Stories",
    "Most Read",
    "Most Popular",
    "You May Also Like",
    "You May Like",
    "Recommended",
    "Recommended Stories",
    "Read Next",
    "Up Next",
    "Next Story",
    "अगली ख़बर",
    "संबंधित लेख",
    "संबंधित न्यूज़",
    "सम्बंधित न्यूज़",
    "ये ख़बरें भी पढ़ें",
    "यह ख़बरें भी पढ़ें",
    "ये भी देखें",
    "यह भी देखें",
    "ताज़ा ख़बरें",
    "ताज़ा ख़बर",
    "लेटेस्ट",
    "लेटेस्ट न्यूज़",
    "लेटेस्ट ख़बरें",
    "ट्रेंडिंग",
    "ट्रेंडिंग न्यूज़",
    "टॉप न्यूज़",
    "टॉप ख़बरें",
    "संबंधित ख़बरें",
    "सम्बंधित ख़बरें",
    "संबंधित ख़बर",
    "अन्य ख़बरें",
    "और ख़बरें",
    "और पढ़ें",
    "ये भी पढ़ें",
    "यह भी पढ़ें",
    # Bhaskar closes stories with "ये खबर भी पढ़िए..." and a linked headline.
    "ये ख़बर भी पढ़िए",
    "यह ख़बर भी पढ़िए",
    "ये भी पढ़िए",
    "यह भी पढ़िए",
    "सबसे ज़्यादा पढ़ी गई",
    "सबसे ज्यादा पढ़ी गईं",
)

# A relative time stamp, as teaser lists print them.
RELATIVE_TIME = (
    r"(?:(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?"
    r"|months?|years?)\s+ago|just\s+now"
    r"|(?:\d+|एक|कुछ)\s*(?:सेकंड|मिनट|मिनटों|घंटे|घंटा|घंटों|दिन|दिनों|हफ़्ते|हफ़्तों|हफ़्ता"
    r"|सप्ताह|महीने|महीनों|महीना|माह|साल|सालों|वर्ष)\s+(?:पहले|पूर्व)|अभी\s*-?\s*अभी)"
)

# "ये भी पढ़ें" style labels that leave no doubt: the rest of the line is a link.
ALSO_READ_LABELS: tuple[str, ...] = (
    "ये भी पढ़ें",
    "यह भी पढ़ें",
    "इसे भी पढ़ें",
    "इन्हें भी पढ़ें",
    "ये ख़बर भी पढ़ें",
    "यह ख़बर भी पढ़ें",
    "ये ख़बर भी पढ़िए",
    "यह ख़बर भी पढ़िए",
    "ये भी पढ़िए",
    "यह भी पढ़िए",
    "ये भी देखें",
    "यह भी देखें",
    "ज़रूर पढ़ें",
    "Also Read",
    "Read Also",
    "Also Watch",
    "Also See",
    "Must Read",
)
# Labels that only count as furniture alone or before an explicit separator
# ("Read More: ..."): in running text they could be ordinary words.
ALSO_READ_WEAK_LABELS: tuple[str, ...] = ("और पढ़ें", "पढ़ें", "Read More", "Read", "More")

ADVERTISEMENT_LABELS: tuple[str, ...] = (
    "Advertisement",
    "Advertisements",
    "Advertisment",
    "Promoted",
    "Partner Content",
    "Remove Ads",
    "प्रायोजित",
    "विज्ञापन हटाएं",
    "Ad",
    "Ads",
    "Sponsored",
    "विज्ञापन",
    "स्पॉन्सर्ड",
    "Scroll to continue with content",
    "Story continues below advertisement",
    "Story continues below this ad",
    "Continue reading below",
    "विज्ञापन के बाद पढ़ें",
)

SHARE_LABELS: tuple[str, ...] = (
    "Share",
    "Share this",
    "Share this article",
    "Share this story",
    "Tweet",
    "Facebook",
    "Twitter",
    "X",
    "WhatsApp",
    "Telegram",
    "LinkedIn",
    "Email",
    "E-mail",
    "Pinterest",
    "Reddit",
    "Koo",
    "Copy Link",
    "Copy URL",
    "Print",
    "Instagram",
    "YouTube",
    "Comments",
    "Comment",
    "कॉपी लिंक",
    "लिंक कॉपी करें",
    "कमेंट",
    "कमेंट करें",
    "टिप्पणी करें",
    "शेयर",
    "शेयर करें",
    "ट्वीट",
    "व्हाट्सऐप",
    "व्हाट्सएप",
)

AUDIO_LABELS: tuple[str, ...] = (
    "ख़बर सुनें",
    "ऑडियो सुनें",
    "Listen to this article",
    "Listen to this story",
    "Listen to news",
)

PHOTO_LABELS: tuple[str, ...] = (
    "फोटो",
    "फ़ोटो",
    "तस्वीर",
    "चित्र",
    "छवि",
    "फाइल फोटो",
    "इमेज",
    "Photo",
    "Photos",
    "Image",
    "Picture",
    "Pic",
    "File Photo",
)
PHOTO_CREDIT_WORDS: tuple[str, ...] = (
    "Credit",
    "Credits",
    "Courtesy",
    "Source",
    "साभार",
    "क्रेडिट",
    "सौजन्य",
    "स्रोत",
)
# Caption labels that are furniture on their own line.
PHOTO_CAPTION_LABELS: tuple[str, ...] = (
    "File Photo",
    "फाइल फोटो",
    "सांकेतिक तस्वीर",
    "सांकेतिक फोटो",
    "प्रतीकात्मक तस्वीर",
    "प्रतीकात्मक फोटो",
    "Representative Image",
    "Representational Image",
    "Symbolic Image",
)

# Labels before an author's name ("Edited By: X", "रिपोर्ट: X").
BYLINE_LABELS: tuple[str, ...] = (
    "Edited By",
    "Written By",
    "Posted By",
    "Reported By",
    "Compiled By",
    "Curated By",
    "Translated By",
    "Published By",
    "Author",
    "Reporter",
    "Report",
    "Writer",
    "Editor",
    "रिपोर्ट",
    "रिपोर्टर",
    "रिपोर्टिंग",
    "संवाददाता",
    "लेखक",
    "लेखिका",
    "लेखन",
    "द्वारा",
    "संपादन",
    "संपादक",
    "संपादित",
    "एडिटेड बाय",
    "एडिटेड बाई",
    "पोस्टेड बाय",
)

# Hindi function words and verb forms that names do not contain: a 2-4 word Devanagari
# line with one of these is a phrase or sentence (a subheading), not an author's name.
NON_NAME_WORDS: frozenset[str] = frozenset(
    fold_spelling(word)
    for word in (
        "है हैं था थी थे गया गई गयी गए होगा होगी होंगे हो रहा रही रहे की के का में से को ने"
        " पर और भी कि नहीं न तक लिए यह ये वह वो इस उस एक कर करें करे किया ही तो जो व एवं"
        " या लेकिन साथ बाद अब आज कल सभी क्या कैसे क्यों जारी बनी बना मिले मिला मिली"
    ).split()
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
        for number, lines in enumerate(_paragraphs(body)):
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
    text = _normalize(body, form, join_lines=False)
    text, reasons = remove_furniture(text, clean_line(title, form))
    return normalize_text(text, form), reasons
