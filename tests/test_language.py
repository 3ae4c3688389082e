"""Language identification and legacy-font detection (crawler/text/language.py) and the
language pipeline (pipelines/language.py).

The Kruti Dev test texts are real Hindi (seed sentences) mapped through the Kruti Dev
010 table below, the layout every Kruti Dev/DevLys converter uses: it gives "vkius dgk
fd" for "आपने कहा कि" and "iqfyl us crk;k fd" for "पुलिस ने बताया कि". The Chanakya sample
is hand-made: common words in the Latin-1 glyph codes Walkman Chanakya pages carry
(·¤è की, ×ð´ में, ãñ है), the rest only approximating that layout; its detection rests on
how much of the text is Latin-1 symbols, not on exact glyphs.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.text.language import (
    LanguageIdentifier,
    detect_legacy_font,
    identify_language,
)
from pipelines.clean import CleanPipeline
from pipelines.language import LanguagePipeline
from pipelines.validate import ArticleDropped
from tests.helpers import FIXTURES, project_settings

# --- Unicode Hindi -> Kruti Dev 010 ------------------------------------------------------

_FULL = {
    "क": "d", "ख": "[k", "ग": "x", "घ": "?k", "च": "p", "छ": "N", "ज": "t", "झ": ">k",
    "ट": "V", "ठ": "B", "ड": "M", "ढ": "<", "ण": ".k", "त": "r", "थ": "Fk", "द": "n",
    "ध": "/k", "न": "u", "प": "i", "फ": "Q", "ब": "c", "भ": "Hk", "म": "e", "य": ";",
    "र": "j", "ल": "y", "व": "o", "श": "'k", "ष": '"k', "स": "l", "ह": "g",
    "ड़": "M+", "ढ़": "<+", "ज़": "t+", "फ़": "Q+", "क़": "d+", "ख़": "[+k", "ग़": "x+",
}  # fmt: skip
_HALF = {
    "क": "D", "ख": "[", "ग": "X", "घ": "?", "च": "P", "ज": "T", "ण": ".", "त": "R",
    "थ": "F", "ध": "/", "न": "U", "प": "I", "फ": "¶", "ब": "C", "भ": "H", "म": "E",
    "य": "¸", "ल": "Y", "व": "O", "श": "'", "ष": '"', "स": "L",
}  # fmt: skip
_LIGATURES = {
    "क्ष्": "{", "क्ष": "{k", "त्र": "=", "ज्ञ": "K", "श्र": "J", "द्ध": ")", "द्व": "}",
    "द्य": "|", "त्त": "Ù", "क्त": "Dr", "क्र": "Ø", "प्र": "iz", "ट्र": "Vª", "द्र": "æ",
}  # fmt: skip
_MATRA = {
    "ा": "k", "ी": "h", "ु": "q", "ू": "w", "ृ": "`", "े": "s", "ै": "S", "ो": "ks",
    "ौ": "kS", "ॉ": "‚",
}  # fmt: skip
_VOWEL = {
    "अ": "v", "आ": "vk", "इ": "b", "ई": "bZ", "उ": "m", "ऊ": "Å", "ए": ",", "ऐ": ",s",
    "ओ": "vks", "औ": "vkS", "ऋ": "_",
}  # fmt: skip
_SIGN = {"ं": "a", "ँ": "¡", "ः": "%"}
_PUNCT = {"।": "A", ",": "]", ".": "-", "-": "&", "?": "\\", "(": "¼", ")": "½"}
_CONSONANTS = "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह"
# One syllable: reph (र् before a consonant), a consonant cluster, a vowel sign, a nasal.
_SYLLABLE = re.compile(
    rf"(र्(?=[{_CONSONANTS}]))?((?:[{_CONSONANTS}]़?्)*[{_CONSONANTS}]़?)"
    r"([ािीुूृेैोौॉ])?([ंँः])?"
)


def _cluster(text: str) -> str:
    out, i = "", 0
    while i < len(text):
        ligature = next((lig for lig in _LIGATURES if text.startswith(lig, i)), None)
        if ligature:
            out, i = out + _LIGATURES[ligature], i + len(ligature)
            continue
        letter = text[i] + ("़" if text[i + 1 : i + 2] == "़" else "")
        i += len(letter)
        if text[i : i + 1] != "्":
            out += _FULL[letter]
        elif text[i + 1 : i + 2] == "र":  # consonant + ्र: the rakar stroke "z"
            out, i = out + _FULL[letter] + "z", i + 2
        else:
            out, i = out + (_HALF.get(letter) or _FULL[letter] + "~"), i + 1
    return out


def to_krutidev(text: str) -> str:
    """Hindi in Unicode as a Kruti Dev 010 page stores it."""
    text = unicodedata.normalize("NFC", text).replace("रु", "#").replace("रू", ":")
    out, i = [], 0
    while i < len(text):
        match = _SYLLABLE.match(text, i)
        if match:
            reph, cluster, matra, sign = match.groups()
            # The i-matra is typed before its syllable, the reph after it.
            out.append(
                ("f" if matra == "ि" else "")
                + _cluster(cluster)
                + (_MATRA.get(matra, "") if matra else "")
                + ("Z" if reph else "")
                + (_SIGN[sign] if sign else "")
            )
            i = match.end()
            continue
        char, i = text[i], i + 1
        if char in _VOWEL and text[i : i + 1] in _SIGN:
            out.append(_VOWEL[char] + _SIGN[text[i]])
            i += 1
        else:
            out.append(_VOWEL.get(char) or _PUNCT.get(char, char))
    return "".join(out)


@pytest.mark.parametrize(
    ("hindi", "krutidev"),
    [
        ("आपने कहा कि", "vkius dgk fd"),
        ("पुलिस ने बताया कि", "iqfyl us crk;k fd"),
        ("मामले की जांच जारी है।", "ekeys dh tkap tkjh gSA"),
        ("आर्थिक वर्ष", 'vkfFkZd o"kZ'),
    ],
)
def test_the_test_table_writes_kruti_dev_as_converters_do(hindi: str, krutidev: str) -> None:
    assert to_krutidev(hindi) == krutidev


# --- texts --------------------------------------------------------------------------------

HINDI_SENTENCES = [
    "सपा अध्यक्ष अखिलेश यादव कोलकाता में सीएम ममता बनर्जी से उनके आवास पर मुलाकात की।",
    "हर राज्य में जाकर वहां की क्षेत्रीय पार्टियों से मुलाकात कर रहे हैं।",
    "इस बैठक में विपक्ष को उम्मीद है कि विपक्षी एकजुटता का भी कोई हल निकल सकता है।",
    "पुलिस ने बताया कि आरोपी को गिरफ्तार कर लिया गया है और मामले की जांच जारी है।",
]
SEED_002 = (FIXTURES / "seeds" / "002_56af3a7b83ac3a6e.txt").read_text(encoding="utf-8")
SEED_002_FIRST_PARAGRAPH = SEED_002.split("\n")[0]

ENGLISH_ARTICLES = [
    (
        "Samajwadi Party chief Akhilesh Yadav met West Bengal Chief Minister Mamata Banerjee "
        "at her residence in Kolkata on Friday, a day before the party's national executive "
        "meeting. Both leaders said they would keep an equal distance from the BJP and the "
        "Congress ahead of the 2024 Lok Sabha elections."
    ),
    (
        "The Reserve Bank of India kept its key lending rate unchanged on Wednesday and said "
        "inflation was likely to ease over the coming months as vegetable prices cooled. "
        "Governor said the central bank would remain watchful of global oil prices."
    ),
]
# Walkman Chanakya codes: "·¤è" की, "×ð´" में, "ãñ" है, "·¤æ" का, "âð" से, "Ùð" ने, "¥æñÚ" और.
CHANAKYA_TEXT = (
    "âÂæ ¥ŠØÿæ ¥ç¹Üðàæ ØæÎß Ùð ·¤æðÜ·¤æÌæ ×ð´ ××Ìæ ÕÙÁèü âð ×éÜæ·¤æÌ ·¤è ãñÐ ÕñÆU·¤ ×ð´ "
    "ÚUJæÙèçÌ ÂÚU ¿¿æü ãé§ü ¥æñÚ ÎæðÙæð´ ÙðÌæ¥æð´ Ùð âæÍ ¿ÜÙð ·¤æ ßæÎæ ç·¤Øæ ãñÐ"
)


@pytest.mark.parametrize(
    "text",
    [
        " ".join(to_krutidev(s) for s in HINDI_SENTENCES),
        to_krutidev(SEED_002_FIRST_PARAGRAPH),
        to_krutidev(HINDI_SENTENCES[3]) + " " + to_krutidev(HINDI_SENTENCES[2]),
    ],
)
def test_kruti_dev_text_detected(text: str) -> None:
    assert detect_legacy_font(text) == "krutidev"


def test_chanakya_text_detected() -> None:
    assert detect_legacy_font(CHANAKYA_TEXT) == "chanakya"


@pytest.mark.parametrize(
    "text",
    [
        *ENGLISH_ARTICLES,
        SEED_002,
        # Romanized Hindi is Hindi in Latin letters, not a font trick.
        "Akhilesh Yadav ne kaha ki Samajwadi Party aur TMC milkar chunav ladenge, aur BJP "
        "ko desh se hatana unka lakshya hai. Unhone Mamata Banerjee se mulakat ki.",
        # European prose has accented letters, far fewer than a Chanakya page.
        "Le président français a rencontré à Paris les dirigeants européens pour évoquer "
        "la crise énergétique et les élections à venir.",
        "vkius dgk fd",  # too short to judge
    ],
)
def test_other_text_is_not_a_legacy_font(text: str) -> None:
    assert detect_legacy_font(text) is None


@pytest.mark.parametrize("text", [SEED_002, " ".join(HINDI_SENTENCES)])
def test_hindi_article_identified_with_high_confidence(text: str) -> None:
    guess = identify_language(text)
    assert guess.language == "hi"
    assert guess.confidence is not None and guess.confidence > 0.9


@pytest.mark.parametrize("text", ENGLISH_ARTICLES)
def test_english_article_identified(text: str) -> None:
    guess = identify_language(text)
    assert guess.language == "en"
    assert guess.confidence is not None and guess.confidence > 0.9


def test_marathi_is_told_from_hindi() -> None:
    marathi = (
        "मुख्यमंत्र्यांनी आज मुंबईत पत्रकार परिषद घेतली आणि राज्यातील शेतकऱ्यांसाठी नवीन "
        "योजना जाहीर केली. या योजनेचा लाभ लाखो शेतकऱ्यांना होणार असल्याचे त्यांनी सांगितले."
    )
    assert identify_language(marathi).language == "mr"


def test_no_text_no_language() -> None:
    guess = LanguageIdentifier(["hi", "en"]).identify("   ")
    assert (guess.language, guess.confidence) == ("", None)


# --- the pipeline ---------------------------------------------------------------------------


def article(body: str, **fields: object) -> ArticleItem:
    return ArticleItem(
        url="https://www.example.in/news/a-1.html", site="example", body=body, **fields
    )


def pipeline_for(**settings: object) -> tuple[LanguagePipeline, object]:
    crawler = get_crawler(settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    return LanguagePipeline.from_crawler(crawler), crawler.stats


def test_hindi_article_passes_with_its_language_recorded() -> None:
    pipeline, stats = pipeline_for()
    item = pipeline.process_item(article(SEED_002, title="सपा की राष्ट्रीय कार्यकारिणी"))
    assert item.detected_language == "hi"
    assert item.language_confidence > 0.9
    assert item.text_flags == []
    assert stats.get_value("pipelines/language/detected/hi") == 1


def test_english_article_dropped_and_counted() -> None:
    pipeline, stats = pipeline_for()
    with pytest.raises(DropItem, match=r"^language_en: https://www\.example\.in/news/a-1\.html"):
        pipeline.process_item(article(ENGLISH_ARTICLES[0]))
    assert stats.get_value("pipelines/language/dropped/en") == 1


def test_english_article_kept_when_allowed() -> None:
    pipeline, _ = pipeline_for(LANGUAGE_ALLOWED=["hi", "en"])
    assert pipeline.process_item(article(ENGLISH_ARTICLES[1])).detected_language == "en"


def test_uncertain_guess_does_not_drop() -> None:
    # Not a Hindi crawl (no script to expect): an unsure guess keeps the article.
    pipeline, stats = pipeline_for(LANGUAGE_MIN_CONFIDENCE=1.01, LANGUAGE_ALLOWED=["mr"])
    item = pipeline.process_item(article(ENGLISH_ARTICLES[0]))
    assert item.detected_language == "en"
    assert stats.get_value("pipelines/language/kept_uncertain") == 1


def test_unsure_text_without_devanagari_on_a_hindi_site_is_dropped_for_a_retry() -> None:
    # What a UTF-16 page read as UTF-8 looks like once its NULs are gone: Latin
    # letters where Hindi was, guessed as English at a low confidence.
    pipeline, stats = pipeline_for(LANGUAGE_MIN_CONFIDENCE=1.01)
    with pytest.raises(ArticleDropped) as dropped:
        pipeline.process_item(article(ENGLISH_ARTICLES[0]))
    assert (dropped.value.reason, dropped.value.permanent) == ("not_devanagari", False)
    assert stats.get_value("pipelines/language/dropped/not_devanagari") == 1


def test_kruti_dev_page_flagged_and_dropped() -> None:
    pipeline, stats = pipeline_for()
    # Such pages often carry a Unicode title from their metadata: the body decides.
    item = article(" ".join(to_krutidev(s) for s in HINDI_SENTENCES), title="सपा की बैठक")
    with pytest.raises(DropItem, match=r"^legacy_font: "):
        pipeline.process_item(item)
    assert item.text_flags == ["legacy_font"]
    assert stats.get_value("pipelines/language/dropped/legacy_font") == 1


def test_kruti_dev_page_kept_flagged_on_request() -> None:
    pipeline, stats = pipeline_for(LANGUAGE_DROP_LEGACY_FONT=False)
    item = pipeline.process_item(article(to_krutidev(SEED_002_FIRST_PARAGRAPH)))
    assert item.text_flags == ["legacy_font"]
    assert (item.detected_language, item.language_confidence) == ("", None)
    assert stats.get_value("pipelines/language/dropped/legacy_font") is None


def test_switched_off_by_setting() -> None:
    crawler = get_crawler(settings_dict=project_settings(LANGUAGE_ENABLED=False))
    with pytest.raises(NotConfigured):
        LanguagePipeline.from_crawler(crawler)


def test_kruti_dev_page_still_detected_after_cleaning() -> None:
    # The crawl cleans first (quotes, dashes, furniture), then identifies the language.
    body = "\n\n".join(to_krutidev(p) for p in SEED_002.split("\n") if p.strip())
    item = article(body, title="सपा की बैठक")
    CleanPipeline(None, "NFC").process_item(item)
    pipeline, _ = pipeline_for()
    with pytest.raises(DropItem, match=r"^legacy_font: "):
        pipeline.process_item(item)
