"""Places, parties and people: word boundaries in Devanagari, Hindi inflection,
spelling variants, ambiguous words that need context, and the curated data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.ml.entities import DATA_DIR, EntityMatcher, default_matcher, read_rows
from tests.helpers import nfc


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return default_matcher()


# --- AAP and the pronoun आप ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "आप कैसे हैं",
        "क्या आप जानते हैं कि कल बारिश होगी?",
        "बंगाल में दीदी आपके और आपकी पार्टी के साथ हैं",
        "aap kaise hain",
    ],
)
def test_pronoun_aap_is_not_the_party(matcher: EntityMatcher, text: str) -> None:
    assert matcher.find(text).parties == []


@pytest.mark.parametrize(
    "text",
    [
        "आम आदमी पार्टी ने उम्मीदवार घोषित किए",
        "आप विधायक ने सदन में सवाल उठाया",
        "आप पार्टी के संयोजक",
        "AAP ने दिल्ली में प्रदर्शन किया",
    ],
)
def test_aap_in_party_contexts(matcher: EntityMatcher, text: str) -> None:
    assert matcher.find(text).parties == ["AAP"]


def test_aap_government_needs_an_aap_leader_in_the_text(matcher: EntityMatcher) -> None:
    assert matcher.find("आप सरकार से मांग करें").parties == []
    found = matcher.find("केजरीवाल ने कहा कि आप सरकार बिजली सस्ती करेगी")
    assert (found.parties, found.people) == (["AAP"], ["Arvind Kejriwal"])


# --- word boundaries and inflection ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("सपाट मैदान पर मेला", []),  # सपा inside a longer word
        ("बसपा ने प्रत्याशी बदला", ["BSP"]),  # not SP
        ("सपा ने कहा, भाजपा के नेता और कांग्रेस का घोषणापत्र", ["SP", "BJP", "Congress"]),
        ("कांग्रेसी नेताओं और भाजपाइयों में झड़प", ["Congress", "BJP"]),
        ("नाराज सपाई सड़क पर उतरे, कांग्रेसियों ने साथ दिया", ["SP", "Congress"]),
        ("तृणमूल कांग्रेस की रैली", ["TMC"]),  # the longest alias wins
        ("भाजपा-कांग्रेस आमने-सामने", ["BJP", "Congress"]),  # hyphen separates words
        ("कॉंग्रेस और काँग्रेस", ["Congress"]),  # chandra O and candrabindu folded
        ("NCP (SP) के नेता", ["NCP (SP)"]),
        ("जनता दल (यूनाइटेड) और JD(U)", ["JD(U)"]),
    ],
)
def test_party_word_boundaries_and_inflection(
    matcher: EntityMatcher, text: str, parties: list[str]
) -> None:
    assert matcher.find(text).parties == parties


def test_superintendent_of_police_is_not_the_samajwadi_party(matcher: EntityMatcher) -> None:
    assert matcher.find("SP ने बताया कि चोरी के दो आरोपी पकड़े गए").parties == []
    assert matcher.find("अखिलेश यादव ने कहा कि SP अकेले लड़ेगी").parties == ["SP"]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("मोदीनगर में जाम", []),  # मोदी inside a place name
        ("मोदी ने कहा", []),  # a surname alone needs the party or the full name
        ("मोदी ने कहा कि भाजपा जीतेगी", ["Narendra Modi"]),
        ("पीएम मोदी ने रैली की", ["Narendra Modi"]),
        ("PM मोदी और मोदीजी", ["Narendra Modi"]),
        ("नीरव मोदी के खिलाफ भाजपा सरकार", []),  # another Modi
        ("अजित पवार और शरद पवार", ["Ajit Pawar", "Sharad Pawar"]),
        ("केएल राहुल ने शतक लगाया", []),
        ("ममता ने कहा", []),
        ("दीदी ने तृणमूल की बैठक बुलाई", ["Mamata Banerjee"]),
    ],
)
def test_people(matcher: EntityMatcher, text: str, people: list[str]) -> None:
    assert matcher.find(text).people == people


# --- places -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["प्रयागराज में कुंभ", "इलाहाबाद हाईकोर्ट", "Prayagraj news", "ALLAHABAD"]
)
def test_prayagraj_names(matcher: EntityMatcher, text: str) -> None:
    found = matcher.find(text)
    assert (found.places, found.regions) == (["Prayagraj"], ["Uttar Pradesh"])


@pytest.mark.parametrize(
    ("text", "places", "regions"),
    [
        ("कलकत्ता और कोलकाता", ["Kolkata"], ["West Bengal"]),
        ("बंगाल में चुनाव", ["West Bengal"], ["West Bengal"]),
        ("पश्चिम बंगाल सरकार", ["West Bengal"], ["West Bengal"]),
        ("बंगाल की खाड़ी में चक्रवात", [], []),
        ("गाज़ियाबाद और गाजियाबाद", ["Ghaziabad"], ["Uttar Pradesh"]),  # nukta
        ("पूर्वी चम्पारण", ["Motihari"], ["Bihar"]),  # म्प / ंप
        ("दिल्लीवासी परेशान", ["Delhi"], ["Delhi"]),
        ("UP में ठंड", ["Uttar Pradesh"], ["Uttar Pradesh"]),
        ("it is up to you", [], []),
        ("कोटा में आरक्षण की मांग", [], []),  # quota, not the city
        ("जयपुर और कोटा में बारिश", ["Jaipur", "Kota"], ["Rajasthan"]),
        ("बिलासपुर में हादसा", ["Bilaspur"], ["Chhattisgarh"]),
        ("शिमला और बिलासपुर", ["Shimla", "Bilaspur (Himachal Pradesh)"], ["Himachal Pradesh"]),
        ("वह घर गया और सो गया", [], []),  # the verb, not Gaya
        ("इटावा, बेंगलुरु और Mumbai", ["Etawah", "Bengaluru", "Mumbai"], []),
    ],
)
def test_places(matcher: EntityMatcher, text: str, places: list[str], regions: list[str]) -> None:
    found = matcher.find(text)
    assert found.places == places
    if regions or not places:
        assert found.regions == regions


def test_regions_follow_first_mention(matcher: EntityMatcher) -> None:
    found = matcher.find("इटावा, बेंगलुरु और Mumbai")
    assert found.regions == ["Uttar Pradesh", "Karnataka", "Maharashtra"]


def test_decomposed_text_matches_like_composed(matcher: EntityMatcher) -> None:
    decomposed = "गाज\u093cियाबाद"  # nukta as a combining mark (NFD)
    assert matcher.find(decomposed).places == ["Ghaziabad"]


# --- the data files ------------------------------------------------------------------------


def test_places_cover_every_state_union_territory_and_many_cities() -> None:
    rows = read_rows(DATA_DIR / "places.tsv", 4)
    kinds = [kind for _, kind, _, _ in rows]
    assert (kinds.count("state"), kinds.count("ut")) == (28, 8)
    assert kinds.count("city") >= 150
    names = {name for name, *_ in rows}
    capitals = """Amaravati Itanagar Dispur Patna Raipur Panaji Gandhinagar Chandigarh Shimla
        Ranchi Bengaluru Thiruvananthapuram Bhopal Mumbai Imphal Shillong Aizawl Kohima
        Bhubaneswar Jaipur Gangtok Chennai Hyderabad Agartala Lucknow Dehradun Kolkata
        Delhi Srinagar Jammu Leh Kavaratti Puducherry Silvassa""".split()
    assert [c for c in capitals if c not in names] == []


def test_data_files_are_extensible(tmp_path: Path) -> None:
    (tmp_path / "places.tsv").write_text(
        "# a comment\nGoa\tstate\tGoa\tगोवा|Goa\nPanaji\tcity\tGoa\tपणजी|Panaji\n",
        encoding="utf-8",
    )
    (tmp_path / "parties.tsv").write_text("XP\tExample Party\tएक्स पार्टी|XP\n", "utf-8")
    (tmp_path / "people.tsv").write_text("Ram Kumar\tXP\tराम कुमार\n", encoding="utf-8")
    found = EntityMatcher.from_files(tmp_path).find("पणजी में एक्स पार्टी के राम कुमार")
    assert nfc([found.places, found.regions, found.parties, found.people]) == [
        ["Panaji"],
        ["Goa"],
        ["XP"],
        ["Ram Kumar"],
    ]


def test_a_person_of_an_unknown_party_is_refused(tmp_path: Path) -> None:
    (tmp_path / "places.tsv").write_text("Goa\tstate\tGoa\tगोवा\n", encoding="utf-8")
    (tmp_path / "parties.tsv").write_text("XP\tExample Party\tXP\n", encoding="utf-8")
    (tmp_path / "people.tsv").write_text("Ram Kumar\tYP\tराम कुमार\n", encoding="utf-8")
    with pytest.raises(ValueError, match="party 'YP'"):
        EntityMatcher.from_files(tmp_path)
