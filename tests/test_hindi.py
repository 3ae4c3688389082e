"""Tests for crawler.text.normalize and crawler.text.furniture: normalization and
page-furniture removal.

The seed texts are copies of ../shared/data/seeds (see tests/fixtures/seeds/README.md).
The expected paragraphs below were copied from those files, not from the code's output.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.text.furniture import clean_body, remove_furniture
from crawler.text.normalize import (
    clean_line,
    normalize_punctuation,
    normalize_text,
    repair_mojibake,
    to_ascii_digits,
    unify_nukta,
)
from pipelines.clean import CleanPipeline
from tests.helpers import project_settings

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_459aabef4b049da1.txt"
SEED_002 = SEEDS / "002_56af3a7b83ac3a6e.txt"

SEED_000_PARAGRAPHS = [
    (
        "कोलकाता : समाजवादी पार्टी के राष्ट्रीय अध्यक्ष अखिलेश यादव "
        "लोकसभा चुनाव के लिए तैयारियां शुरू कर दी है. हर राज्य में "
        "जाकर वहां की क्षेत्रीय पार्टियों से मुलाकत कर रहे है. "
        "राष्ट्रीय पार्टी कांग्रेस से अखिलेश अभी भी दूरी बनाए हुए है. "
        "अखिलेश यादव ने अपने राज्य से नहीं बल्कि दीदी के राज्य में "
        "जाकर बीजेपी को चुनौती दी है.अखिलेश यादव सपा की राष्ट्रीय "
        "कार्यकारिणी की बैठक में शामिल होने के लिए कोलकाता पहुंचे थे. "
        "इस कार्यकारिणी बैठक में 2024 में होने वाले लोकसभा चुनाव लेकर "
        "रणनीति पर चर्चा होगी. इस बैठक में विपक्ष को उम्मीद है कि "
        "विपक्षी एकजुटता का भी कोई हल निकल सकता है."
    ),
    "दीदी से मिले अखिलेश यादव",
    (
        "सपा अध्यक्ष अखिलेश यादव कोलकाता में सीएम ममता बनर्जी से उनके "
        "आवास पर मुलाकात की. सपा और टीएमसी मिलकर ने तीसरे मोर्चे के "
        "गठन को लेकर हरी झंडी दिखा दी है. अखिलेश ने कहा कि पार्टी के "
        "वरिष्ठ नेता बताएगें की देश से बीजेपी का सफाया किस तरह से "
        "किया जाए. सपा अध्यक्ष ने कहा कि जिस तरह दीदी ने बंगाल से "
        "बीजेपी को खदेड़ा हम सब लोग मिलकर बीजेपी को देश से खदेड़ "
        "देगें."
    ),
    "सपा और कांग्रस एक साथ लड़ चुके है चुनाव",
    (
        "यूपी के 2017 का विधानसभा चुनाव समाजवादी पार्टी और कांग्रेस "
        "एक साथ लड़ चुके है. लेकिन इस गठबंधन में दोनों पार्टीयों को "
        "कोई फायदा नहीं हुआ बल्कि सपा को सत्ता से हाथ धोना पड़ा था. 2 "
        "साल बाद हुए लोकसभा चुनाव में सपा ने कांग्रेस से गठबंधन खत्म "
        "कर दिया. सपा ने सिर्फ 2019 के लोकसभा चुनाव में रायबरेली से "
        "प्रत्याशी नहीं उतारा था. वहीं 2022 में विधानसभा चुनाव में "
        "कांग्रेस ने भी करहल से प्रत्याशी नहीं उतारा था."
    ),
    (
        "2021 में बंगाल में हुए विधानसभा चुनाव में अखिलेश यादव ने "
        "अपनी पार्टी से कई नेताओं को भेजा था. पिछले कुछ सालों में "
        "अखिलेश और ममता के बीच नजदीकियां बढ़ी है. वहीं ममता बनर्जी भी "
        "2022 में हुए यूपी विधानसभा चुनाव में सपा का प्रचार करने के "
        "लिए गई थी."
    ),
]
SEED_000_RECENT_HEADLINES = [
    ("आयुष्मान के जवाब में केजरीवाल ने दिया ‘संजीवनी’ राजधानीवासी कर रहे हैं बल्ले-बल्ले"),
    ("Ghaziabad में लव जिहाद: लड़की ने केरोसिन डालकर की आत्महत्या, लव, सेक्स में मिला धोखा!"),
    ("अतुल सुभाष सुसाइड: रिश्वत मांगने वाली जज के खिलाफ एक्शन की तैयारी?"),
    ("खून के आंसू रोएंगे यूनुस, PM मोदी के करीबी नेता ने कहा- बांग्लादेश में जल्द घुसेगी इंडियन आर्मी!"),
    ("तीन बच्चों वाली महिला को हुआ प्यार, पति ने पकड़ा रंगे हाथ, फिर जो हुआ.."),
]
SEED_002_PARAGRAPHS = [
    (
        "SP National Executive Meeting: समाजवादी पार्टी (Samajwadi "
        "Party) राष्ट्रीय कार्यकारिणी की बैठक कोलकाता में हो रही है. "
        "इसी बीच राष्ट्रीय कार्यकारिणी की बैठक छोड़कर सपा नेता शिवपाल "
        "यादव कोलकाता से सीधे उत्तर प्रदेश के लिए रवाना हो गए हैं. "
        "शिवपाल यादव सहकारिता चुनाव के चलते कोलकाता (Kolkata) से यूपी "
        "के लिए निकल गए हैं. वहीं कोलकाता में हो रही सपा की राष्ट्रीय "
        "कार्यकारिणी की बैठक को लेकर सपा नेता शिवपाल यादव ने बयान "
        "देते हुए कहा कि पश्चिम बंगाल की मुख्यमंत्री ममता बनर्जी "
        "(Mamata Banerjee) से अच्छी बातचीत हुई है. आज राष्ट्रीय "
        "कार्यकारिणी की पहली बैठक थी, उसमें संगठन को मजबूत करने और "
        "2024 में 50 सीटें जीतने का लक्ष्य हम लोगों ने रखा है. आने "
        "वाले समय में हम लोग मजबूती से चुनाव लड़ेंगे."
    ),
    (
        "बता दें कि साल 2024 के लोकसभा चुनावों से पहले रणनीति बनाने "
        "के लिए समाजवादी पार्टी ने कोलकाता में राष्ट्रीय अधिवेशन का "
        "आयोजन किया है. सपा की राष्ट्रीय कार्यकारिणी की पहली बैठक थी, "
        "जिसमें महंगाई, बेरोजगारी और किसानों की समस्या पर भी चर्चा "
        "हुई. सपा के इस अधिवेशन में 2 दिन का कार्यक्रम रहेगा, इस बैठक "
        "के लिए कोलकाता पहुंचे सपा अध्यक्ष अखिलेश यादव ने शुक्रवार को "
        "पश्चिम बंगाल की मुख्यमंत्री ममता बनर्जी से भी मुलाकात की. इस "
        "बैठक में सपा अध्यक्ष अखिलेश ने सीएम ममता से कहा कि बंगाल में "
        "दीदी आपके और आपकी पार्टी के साथ सपा रहेगी. इसके साथ ही सपा "
        "मुखिया अखिलेश ने सीएम ममता से थर्ड फ्रंट के नेतृत्व का भी "
        "आग्रह किया. वहीं सीएम ममता ने अखिलेश को थर्ड फ्रंट की अगली "
        "बैठक में मौजूद रहने का भरोसा दिया है."
    ),
    "कांग्रेस और बीजेपी से दूरी बनाकर रखेगी सपा",
    (
        "सपा की राष्ट्रीय कार्यकारिणी की बैठक से पहले कार्यकर्ता "
        "सम्मेलन को संबोधित करते हुए सपा अध्यक्ष अखिलेश यादव ने "
        "शुक्रवार को कहा कि उनकी पार्टी कांग्रेस और बीजेपी दोनों से "
        "बराबर दूरी बनाकर रखेगी. सपा प्रमुख ने कहा कि बीजेपी को हराने "
        "के लिए सपा, तृणमूल कांग्रेस अध्यक्ष ममता बनर्जी के साथ "
        "दृढ़ता से खड़ी रहेगी. इसके साथ ही उन्होंने मीडिया से बातचीत "
        "में कहा, ‘‘बंगाल में हम ममता दीदी के साथ हैं. इस समय हमारा "
        "रुख है कि हम बीजेपी और कांग्रेस दोनों से समान दूरी रखना "
        "चाहते हैं. सपा अध्यक्ष ने साल 2021 में पश्चिम बंगाल विधानसभा "
        "चुनाव में बीजेपी को हराने के लिए ममता बनर्जी की सराहना की."
    ),
]
SEED_002_TEASER = (
    "UP Politics: इटावा में सहकारिता चुनाव को लेकर वोटिंग शुरू, सपा और BJP में जुबानी जंग तेज, कौन किस पर भारी?"
)

ZWJ = "\u200d"
ZWNJ = "\u200c"
ZWSP = "\u200b"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


# --- seeds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (SEED_000, [*SEED_000_PARAGRAPHS, *SEED_000_RECENT_HEADLINES]),
        (SEED_002, [*SEED_002_PARAGRAPHS, SEED_002_TEASER]),
    ],
)
def test_expected_strings_are_lines_of_the_seed(seed: Path, expected: list[str]) -> None:
    lines = seed.read_text(encoding="utf-8").split("\n")
    assert all(text in lines for text in expected)


@pytest.fixture(scope="module")
def seed_000() -> tuple[str, list[str]]:
    title, _, body = SEED_000.read_text(encoding="utf-8").partition("\n")
    return clean_body(body, title=title)


@pytest.fixture(scope="module")
def seed_002() -> tuple[str, list[str]]:
    return clean_body(SEED_002.read_text(encoding="utf-8"))


def test_seed_000_keeps_exactly_the_article_paragraphs(seed_000: tuple[str, list[str]]) -> None:
    body, _ = seed_000
    assert paragraphs(body) == [nfc(p) for p in SEED_000_PARAGRAPHS]


@pytest.mark.parametrize("paragraph", SEED_000_PARAGRAPHS)
def test_seed_000_paragraph_kept(seed_000: tuple[str, list[str]], paragraph: str) -> None:
    assert nfc(paragraph) in paragraphs(seed_000[0])


@pytest.mark.parametrize(
    "furniture",
    ["Vivek Kumar Roy", "Recent Posts", "minutes ago", "hour ago", *SEED_000_RECENT_HEADLINES],
)
def test_seed_000_furniture_removed(seed_000: tuple[str, list[str]], furniture: str) -> None:
    assert nfc(furniture) not in seed_000[0]


def test_seed_000_reasons(seed_000: tuple[str, list[str]]) -> None:
    assert seed_000[1] == ["byline", "recent_posts"]


def test_seed_002_keeps_every_article_paragraph(seed_002: tuple[str, list[str]]) -> None:
    # The seed quotes the way agency copy does, ‘‘बंगाल ...: one ASCII double quote now.
    quoted = SEED_002_PARAGRAPHS[3]
    assert "‘‘बंगाल" in quoted
    expected = [*SEED_002_PARAGRAPHS[:3], quoted.replace("‘‘बंगाल", '"बंगाल')]
    body, _ = seed_002
    assert paragraphs(body) == [nfc(p) for p in expected]


def test_seed_002_trailing_teaser_removed(seed_002: tuple[str, list[str]]) -> None:
    body, reasons = seed_002
    assert nfc(SEED_002_TEASER) not in body
    assert reasons == ["teaser"]


# --- normalize_text ---------------------------------------------------------------------


def test_decomposed_input_becomes_composed() -> None:
    composed = "क़ानून पढ़ें नोएडा café"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != nfc(composed)
    assert normalize_text(decomposed) == nfc(composed)


def test_other_normal_form_on_request() -> None:
    assert normalize_text("ﬁle\u00a0x", form="NFKC") == "file x"


def test_zwj_and_zwnj_kept_between_devanagari() -> None:
    text = f"क्{ZWJ}ष और क्{ZWNJ}ष"
    assert normalize_text(text) == nfc(text)


def test_joiners_removed_outside_devanagari() -> None:
    assert normalize_text(f"{ZWJ}BJP{ZWNJ} और {ZWJ}सपा") == "BJP और सपा"


def test_zero_width_space_soft_hyphen_and_bom_removed() -> None:
    assert normalize_text(f"\ufeffसमाज{ZWSP}वादी पार्\u00adटी") == "समाजवादी पार्टी"


def test_html_entities_decoded() -> None:
    assert normalize_text("सपा &amp; बसपा&nbsp;&quot;गठबंधन&quot; क्&zwj;ष") == (
        f'सपा & बसपा "गठबंधन" क्{ZWJ}ष'
    )


def test_odd_spaces_become_one_space() -> None:
    assert normalize_text("सपा\u00a0\u2009 और\t\u3000बसपा ") == "सपा और बसपा"


def test_paragraph_structure_kept() -> None:
    text = "  पहला अनुच्छेद\nजारी।  \r\n\r\n\n \n\u00a0\nदूसरा   अनुच्छेद।\n\n\n"
    assert normalize_text(text) == "पहला अनुच्छेद जारी।\n\nदूसरा अनुच्छेद।"


def test_clean_line_is_one_line() -> None:
    assert clean_line(" सपा की\n\nबैठक &amp; चुनाव\n") == "सपा की बैठक & चुनाव"


def test_devanagari_digits_converted() -> None:
    assert to_ascii_digits("२०२४ में ५० सीटें, 3 दिन") == "2024 में 50 सीटें, 3 दिन"


# --- remove_furniture -------------------------------------------------------------------

LEDE = "सपा अध्यक्ष अखिलेश यादव ने कोलकाता में ममता बनर्जी से मुलाकात की।"
MORE = "इस बैठक में 2024 के लोकसभा चुनाव की रणनीति पर चर्चा हुई।"


def body_of(*parts: str) -> str:
    return "\n\n".join(parts)


@pytest.mark.parametrize(
    ("furniture", "reason"),
    [
        ("ये भी पढ़ें: इटावा में सहकारिता चुनाव को लेकर वोटिंग शुरू", "also_read"),
        ("यह भी पढ़ें", "also_read"),
        ("Also Read: UP Politics: सपा और BJP में जुबानी जंग तेज", "also_read"),
        ("Read More", "also_read"),
        ("विज्ञापन", "advertisement"),
        ("ADVERTISEMENT", "advertisement"),
        ("शेयर करें", "share"),
        ("Share", "share"),
        ("Follow us on Google News", "subscribe"),
        ("हमें फॉलो करें", "subscribe"),
        ("सब्सक्राइब करें", "subscribe"),
        ("ताजा खबरों के लिए हमें Google News पर फ़ॉलो करें", "subscribe"),
        ("अधिक जानकारी के लिए यहाँ क्लिक करें", "click_here"),
        ("हमारा ऐप डाउनलोड करें", "app_promo"),
        ("Download App", "app_promo"),
        (
            "डाउनलोड करें जागरण एप और न्यूज़ जगत की सभी खबरों के साथ पायें जॉब अलर्ट,"
            " जोक्स, शायरी, रेडियो और अन्य सर्विस",
            "app_promo",
        ),
        ("ख़बर सुनें", "audio_player"),
        ("खबर सुनें", "audio_player"),
        ("Click Here", "click_here"),
        ("फोटो: सोशल मीडिया", "photo_credit"),
        ("Image Credit: ANI", "photo_credit"),
        ("तस्वीर: साभार ट्विटर", "photo_credit"),
        ("5 मिनट पहले", "timestamp"),
    ],
)
def test_furniture_line_removed(furniture: str, reason: str) -> None:
    body, reasons = remove_furniture(body_of(LEDE, nfc(furniture), MORE))
    assert body == body_of(LEDE, MORE)
    assert reasons == [reason]


@pytest.mark.parametrize(
    "line",
    [
        "इसके बाद सेटिंग्स में जाकर Save पर क्लिक करें।",
        "सबसे पहले प्ले स्टोर से DigiLocker ऐप डाउनलोड करें।",
        "प्रशासन ने कहा कि लोग ट्रैफिक नियमों को फॉलो करें।",
        "Share बाजार में आज तेजी रही और सेंसेक्स 500 अंक चढ़ा।",
    ],
)
def test_article_lines_that_mention_furniture_words_are_kept(line: str) -> None:
    body = body_of(LEDE, line, MORE)
    assert remove_furniture(body) == (body, [])


def test_furniture_line_inside_a_paragraph_removed_by_clean_body() -> None:
    body, reasons = clean_body(f"{LEDE}\nविज्ञापन\n{MORE}")
    assert body == f"{LEDE} {MORE}"
    assert reasons == ["advertisement"]


def test_short_sentence_at_the_end_is_not_a_byline() -> None:
    last = "पुलिस मामले की जांच कर रही है।"
    assert remove_furniture(body_of(LEDE, last)) == (body_of(LEDE, last), [])


def test_short_phrase_at_the_end_is_not_a_byline() -> None:
    last = "जांच में जुटी पुलिस"
    assert remove_furniture(body_of(LEDE, last)) == (body_of(LEDE, last), [])


@pytest.mark.parametrize(
    "byline",
    [
        "रिपोर्ट: राजेश कुमार",
        "राजेश कुमार",
        "Vivek Kumar Roy",
        "Edited By: Priya Singh",
        "By A. K. Singh",
    ],
)
def test_byline_at_the_end_removed(byline: str) -> None:
    assert remove_furniture(body_of(LEDE, MORE, nfc(byline))) == (body_of(LEDE, MORE), ["byline"])


def test_name_inside_the_article_is_kept() -> None:
    body = body_of(LEDE, "राजेश कुमार", MORE)
    assert remove_furniture(body) == (body, [])


def test_subheading_inside_the_article_is_kept() -> None:
    body = body_of(LEDE, "दीदी से मिले अखिलेश यादव", MORE)
    assert remove_furniture(body) == (body, [])


def test_teaser_needs_the_label_shape() -> None:
    body = body_of(LEDE, "सपा और BJP में जुबानी जंग तेज, कौन किस पर भारी?")
    assert remove_furniture(body) == (body, [])


def test_short_label_line_at_the_end_is_not_a_teaser() -> None:
    body = body_of(LEDE, "अपडेट: 5 लोगों की मौत")
    assert remove_furniture(body) == (body, [])


def test_lone_body_paragraph_is_never_a_teaser() -> None:
    body = "UP Politics: इटावा में सहकारिता चुनाव को लेकर वोटिंग शुरू"
    assert remove_furniture(body) == (body, [])


def test_recent_posts_in_hindi_with_hindi_stamps_removed() -> None:
    listing = ["ताज़ा ख़बरें", "इटावा में वोटिंग शुरू", "3 घंटे पहले", "बिहार में बारिश", "2 दिन पहले"]
    assert remove_furniture(body_of(LEDE, MORE, *listing)) == (
        body_of(LEDE, MORE),
        ["recent_posts"],
    )


def test_story_list_inside_the_body_removed_up_to_its_last_stamp() -> None:
    listing = ["Latest News", "इटावा में वोटिंग शुरू", "5 मिनट पहले", "बिहार में बारिश", "1 hour ago"]
    last = "पुलिस मामले की जांच कर रही है।"
    assert remove_furniture(body_of(LEDE, *listing, last)) == (
        body_of(LEDE, last),
        ["recent_posts"],
    )


def test_recent_posts_heading_without_a_list_inside_the_article_is_kept() -> None:
    body = body_of(LEDE, "Trending", MORE, "सपा की बैठक में कई फैसले लिए गए।")
    assert remove_furniture(body) == (body, [])


def test_title_repeated_at_the_top_removed() -> None:
    title = "कोलकाता में सपा की बैठक"
    assert remove_furniture(body_of(title, LEDE), title=title) == (LEDE, ["title"])


# --- nukta, joiners, mojibake, entities, punctuation (the "clean text" issue) -----------

NUKTA = "\u093c"


@pytest.mark.parametrize(
    ("precomposed", "base"),
    [(chr(0x0958 + i), base) for i, base in enumerate("कखगजडढफय")],
)
def test_precomposed_and_base_plus_nukta_come_out_byte_identical(
    precomposed: str, base: str
) -> None:
    # U+0958-U+095F (क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़) against the same letter typed as base + nukta.
    one = normalize_text(f"{precomposed}ानून")
    other = normalize_text(f"{base}{NUKTA}ानून")
    assert one.encode("utf-8") == other.encode("utf-8")
    assert one == f"{base}{NUKTA}ानून"


def test_nukta_typed_after_the_vowel_sign_moves_before_it() -> None:
    # "क़िला" typed as क + ि + ़ renders the same in many fonts but is another string.
    assert normalize_text(f"क{chr(0x093F)}{NUKTA}ला") == f"क{NUKTA}{chr(0x093F)}ला"


def test_doubled_nukta_becomes_one() -> None:
    assert unify_nukta(f"ज{NUKTA}{NUKTA}रूर") == f"ज{NUKTA}रूर"


def test_legacy_converter_nukta_on_the_wrong_letter_repaired() -> None:
    # Business Standard's 2020 pages write "बढऩे" (ढ + ऩ) for "बढ़ने" (ढ़ + न).
    assert normalize_text("घाटा बढ\u0929े की वजह, लड\u0929े") == "घाटा बढ़ने की वजह, लड़ने"


def test_joiner_between_letters_without_virama_removed() -> None:
    assert normalize_text(f"समाज{ZWNJ}वादी पा{ZWJ}र्टी") == "समाजवादी पार्टी"


def test_eyelash_ra_joiner_kept() -> None:
    text = f"र{ZWJ}्य"  # ZWJ before the virama asks for the eyelash ra
    assert normalize_text(text) == text


def test_utf8_read_as_cp1252_repaired() -> None:
    # The example: "à¤•" is क read byte by byte as cp1252 (E0 A4 95).
    assert normalize_text("à¤•à¤¾") == "का"


def _read_as_cp1252(text: str) -> str:
    """UTF-8 bytes decoded as browsers decode windows-1252 (undefined bytes as C1 controls)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def test_mojibake_paragraph_repaired_next_to_a_good_one() -> None:
    good = "सपा की बैठक कोलकाता में हुई।"
    broken = _read_as_cp1252("अखिलेश यादव ने ममता बनर्जी से मुलाकात की।")
    assert broken.startswith("à¤…à¤–")
    assert normalize_text(f"{good}\n\n{broken}") == (
        "सपा की बैठक कोलकाता में हुई।\n\nअखिलेश यादव ने ममता बनर्जी से मुलाकात की।"
    )


@pytest.mark.parametrize(
    "text",
    ["Café Coffee Day के मालिक", "São Paulo में ब्रिक्स बैठक", "₹500 का टिकट, 25°C तापमान"],
)
def test_text_that_only_looks_odd_is_not_repaired(text: str) -> None:
    assert repair_mojibake(text) == text


def test_double_escaped_entities_decoded() -> None:
    assert normalize_text("&amp;quot;सपा&amp;quot; &amp;amp; बसपा") == '"सपा" & बसपा'


def test_typographic_quotes_become_ascii() -> None:
    assert normalize_punctuation("“सपा” ‘BJP’ «TMC» ‘‘बंगाल’’") == '"सपा" \'BJP\' "TMC" "बंगाल"'


def test_dashes_become_hyphens_and_the_danda_stays() -> None:
    assert normalize_text("2019–20 में सपा—बसपा ― गठबंधन −5 रहा। ॥") == (
        "2019-20 में सपा-बसपा - गठबंधन -5 रहा। ॥"
    )


def test_c1_control_characters_removed() -> None:
    # U+0081 and U+009D: bytes cp1252 leaves undefined, left over from a Latin-1 decode.
    assert normalize_text("सपा\x81 और\x9d बसपा") == "सपा और बसपा"


# --- more furniture -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("furniture", "reason"),
    [
        ("कॉपी लिंक", "share"),
        ("Share this article", "share"),
        ("Advertisements", "advertisement"),
        ("हमारे WhatsApp चैनल से जुड़ें", "subscribe"),
        ("Join our WhatsApp channel for the latest news", "subscribe"),
        ("इमेज स्रोत, Getty Images", "photo_credit"),
        ("इमेज कैप्शन, कोलकाता में सपा की बैठक", "photo_credit"),
        ("Tags: सपा, अखिलेश यादव, ममता बनर्जी", "tags"),
        ("Keyword: export, import, textiles,,", "tags"),
        ("होम › राजनीति › उत्तर प्रदेश", "breadcrumb"),
        ("Hindi News", "breadcrumb"),
        ("एक घंटा पहले", "timestamp"),
        ("Edited By: Priya Singh | Updated: 21 Nov 2026, 10:15 AM IST", "byline"),
        ("राजेश कुमार • 3 घंटे पहले", "byline"),
        ("अपडेटेड: शनिवार, 21 नवंबर 2026 10:15 AM (IST)", "dateline"),
    ],
)
def test_more_furniture_lines_removed(furniture: str, reason: str) -> None:
    body, reasons = remove_furniture(body_of(LEDE, nfc(furniture), MORE))
    assert body == body_of(LEDE, MORE)
    assert reasons == [reason]


@pytest.mark.parametrize(
    "line",
    [
        "Home Minister अमित शाह ने कहा कि चुनाव समय पर होंगे।",
        "होम लोन की ब्याज दरें घटीं",
        "तीन लोग | पुलिस ने कहा कि जांच जारी है।",
        "राजेश कुमार | सपा के जिलाध्यक्ष",
    ],
)
def test_article_lines_like_new_furniture_are_kept(line: str) -> None:
    body = body_of(LEDE, line, MORE)
    assert remove_furniture(body) == (body, [])


# --- the clean pipeline ------------------------------------------------------------------


def _item(**fields: object) -> ArticleItem:
    return ArticleItem(url="https://www.example.in/a-1.html", site="example", **fields)


def test_pipeline_keeps_devanagari_digits_by_default() -> None:
    item = _item(title="२०२४ का चुनाव", body="सपा ने ५० सीटें जीतीं।")
    CleanPipeline(None, "NFC").process_item(item)
    assert (item.title, item.body) == ("२०२४ का चुनाव", "सपा ने ५० सीटें जीतीं।")


def test_pipeline_makes_digits_ascii_on_request() -> None:
    item = _item(
        title="२०२४ का चुनाव",
        body="सपा ने ५० सीटें जीतीं।",
        tags=["चुनाव २०२४"],
        images=[{"url": "https://img.example.in/1.jpg", "caption": "फोटो १"}],
    )
    CleanPipeline(None, "NFC", digits="ascii").process_item(item)
    assert (item.title, item.body) == ("2024 का चुनाव", "सपा ने 50 सीटें जीतीं।")
    assert item.tags == ["चुनाव 2024"]
    assert item.images[0]["caption"] == "फोटो 1"


def test_pipeline_rejects_an_unknown_digit_mode() -> None:
    with pytest.raises(ValueError, match="CLEAN_DIGITS"):
        CleanPipeline(None, "NFC", digits="roman")


def test_pipeline_reads_its_settings_and_counts_repaired_mojibake() -> None:
    crawler = get_crawler(settings_dict=project_settings(CLEAN_DIGITS="ascii"))
    crawler.stats.open_spider()
    item = _item(title="à¤•à¤¾à¤¨à¥‚à¤¨ १", body="सपा की बैठक।")
    CleanPipeline.from_crawler(crawler).process_item(item)
    assert item.title == "कानून 1"
    assert item.text_flags == ["mojibake_repaired"]
    assert crawler.stats.get_value("pipelines/clean/repaired/mojibake") == 1


def test_pipeline_sets_search_tokens_from_title_description_and_body() -> None:
    item = _item(title="ममता से मिले अखिलेश", description="कोलकाता में", body="सपा की बैठक।")
    CleanPipeline(None, "NFC").process_item(item)
    assert item.search_tokens == ["ममता", "मिले", "अखिलेश", "कोलकाता", "सपा", "बैठक"]
