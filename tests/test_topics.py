"""The topic model: folding and features, the exported model against scikit-learn,
corpora, evaluation figures, the politics rule, and the train / classify /
evaluate-topics commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import PROJECT_ROOT
from crawler.categories import CATEGORIES
from crawler.cli import main
from crawler.ml.topics import (
    DEFAULT_MODEL_PATH,
    Featurizer,
    Prediction,
    TopicModel,
    document_text,
    refine_politics,
)
from crawler.ml.training import (
    BASELINE,
    DEFAULT_C,
    DEFAULT_CORPUS_PATH,
    NB_ALPHA,
    NB_WEIGHT,
    SHIPPED,
    TEMPERATURE,
    BlendClassifier,
    Corpus,
    CorpusError,
    Evaluation,
    _pipeline,
    export_pipeline,
    load_corpus,
)
from crawler.text.fold import fold_hindi
from tests.helpers import nfc

# --- folding and features ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "folded"),
    [
        ("हिन्दी", "हिंदी"),  # nasal + virama before its own class
        ("सम्बन्ध", "संबंध"),
        ("ख़बर", "खबर"),  # nukta, precomposed ...
        ("ख\u093cबर", "खबर"),  # ... and decomposed
        ("यहाँ", "यहां"),  # candrabindu
        ("कॉलेज", "कालेज"),  # chandra O
        ("अन्न सम्मान उन्होंने", "अन्न सम्मान उन्होंने"),  # never anusvara
        ("Delhi", "Delhi"),
    ],
)
def test_fold_hindi(variant: str, folded: str) -> None:
    assert fold_hindi(variant) == nfc(folded)


def test_tokens_keep_matras_and_split_at_danda_and_punctuation() -> None:
    assert Featurizer().tokens("हिन्दी, ख़बर। IPL-२०२३") == nfc(["हिंदी", "खबर", "ipl", "0000"])


def test_features_are_words_and_character_ngrams_of_each_word() -> None:
    features = Featurizer(words=True, char_min=2, char_max=3)("Ab 12")
    assert features == [
        *["w:ab", " a", "ab", "b ", " ab", "ab "],
        *["w:00", " 0", "00", "0 ", " 00", "00 "],
    ]
    assert Featurizer(words=False, char_min=2, char_max=2)("ab") == [" a", "ab", "b "]
    assert Featurizer(words=True, char_max=0)("ab cd") == ["w:ab", "w:cd"]


def test_document_text_takes_the_start_of_the_body_without_a_cut_word() -> None:
    assert document_text("शीर्षक", "", "एक दो तीन चार", body_chars=9) == "शीर्षक\nएक दो"
    assert document_text("शीर्षक", "विवरण", "", body_chars=9) == "शीर्षक\nविवरण"
    assert document_text("शीर्षक", "विवरण", "एक दो", body_chars=0) == "शीर्षक\nविवरण"


# --- the exported model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_corpus() -> Corpus:
    """40 headlines per category from the bundled corpus (the first ones)."""
    full = load_corpus(DEFAULT_CORPUS_PATH)
    corpus = Corpus(sources=full.sources)
    for text, label in zip(full.texts, full.labels, strict=True):
        if corpus.labels.count(label) < 40:
            corpus.texts.append(text)
            corpus.labels.append(label)
    return corpus


def test_exported_model_predicts_what_scikit_learn_predicts(small_corpus: Corpus) -> None:
    featurizer = Featurizer()
    pipeline = _pipeline(featurizer).fit(small_corpus.texts, small_corpus.labels)
    model = export_pipeline(pipeline, featurizer, {})
    texts = [
        "धोनी ने आईपीएल में नया रिकॉर्ड बनाया",
        "नई कार लॉन्च, जानें कीमत",
        "",
        "पूरी तरह अनजान शब्दावली qwxz",
    ]
    expected = pipeline.predict_proba(texts)
    assert list(model.labels) == [str(c) for c in pipeline.classes_]
    for text, row in zip(texts, expected, strict=True):
        assert model.probabilities(text) == pytest.approx(row, abs=1e-5)
    # The per-token cache must not change a second prediction.
    assert model.probabilities(texts[0]) == pytest.approx(expected[0], abs=1e-5)


def test_model_file_round_trip(small_corpus: Corpus, tmp_path: Path) -> None:
    featurizer = Featurizer(words=True, char_min=1, char_max=3)
    pipeline = _pipeline(featurizer).fit(small_corpus.texts, small_corpus.labels)
    model = export_pipeline(pipeline, featurizer, {"version": "test", "body_chars": 100})
    loaded = TopicModel.load(model.save(tmp_path / "model.npz"))
    assert (loaded.featurizer, loaded.body_chars, loaded.meta["version"]) == (
        featurizer,
        100,
        "test",
    )
    text = "सेंसेक्स में भारी गिरावट"
    assert loaded.predict(text) == model.predict(text)


def test_shipped_model_is_small_and_knows_the_eleven_categories() -> None:
    assert DEFAULT_MODEL_PATH.name == "topics-v2.npz"
    assert DEFAULT_MODEL_PATH.stat().st_size < 10_000_000
    model = TopicModel.load(DEFAULT_MODEL_PATH)
    assert sorted(model.labels) == sorted(CATEGORIES)
    assert model.meta["nb_weight"] > 0  # the blend, not the regression alone
    metrics = json.loads(DEFAULT_MODEL_PATH.with_name("topics-v2.metrics.json").read_text())
    assert "CC BY-NC-SA 4.0" in metrics["license"]


def test_shipped_model_led_the_baseline_on_the_same_folds() -> None:
    """What `train` measured when it built the shipped model: the blend ahead of the
    plain baseline (raw character 2-5-grams, LinearSVC) on the same grouped folds."""
    metrics = json.loads(DEFAULT_MODEL_PATH.with_name("topics-v2.metrics.json").read_text())
    models = metrics["cross_validation"]["models"]
    assert metrics["cross_validation"]["folds"] == 5
    assert models[SHIPPED]["n"] == models[BASELINE]["n"] == 3835
    assert models[SHIPPED]["macro_f1"] > models[BASELINE]["macro_f1"]


def test_blend_is_the_sum_of_regression_and_naive_bayes(small_corpus: Corpus) -> None:
    """BlendClassifier against the two scikit-learn models fitted on their own: its
    scores are T * (regression scores + naive Bayes log-probabilities), up to a
    constant per text, which the softmax ignores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    vectorizer = _pipeline(Featurizer()).named_steps["tfidf"]
    x = vectorizer.fit_transform(small_corpus.texts)
    blend = BlendClassifier().fit(x, small_corpus.labels)
    regression = LogisticRegression(C=DEFAULT_C, max_iter=3000).fit(x, small_corpus.labels)
    bayes = ComplementNB(alpha=NB_ALPHA).fit(x, small_corpus.labels)
    texts = vectorizer.transform(["धोनी ने आईपीएल में नया रिकॉर्ड बनाया", "नई कार लॉन्च"])
    expected = TEMPERATURE * (
        regression.decision_function(texts) + NB_WEIGHT * (texts @ bayes.feature_log_prob_.T)
    )
    got = blend.decision_function(texts)
    difference = got - expected
    assert difference == pytest.approx(difference[:, :1].repeat(difference.shape[1], 1), abs=1e-6)
    assert list(blend.predict(texts)) == list(bayes.classes_[expected.argmax(axis=1)])


@pytest.mark.parametrize(
    ("headline", "category"),
    [
        ("IPL 2026: धोनी की टीम ने मुंबई को 5 विकेट से हराया", "sports"),
        ("CBSE बोर्ड परीक्षा 2027 की डेटशीट जारी, जानें कब से शुरू होंगे एग्जाम", "education"),
        ("डायबिटीज के मरीज सुबह खाली पेट खाएं ये 5 चीजें, कंट्रोल में रहेगा ब्लड शुगर", "health"),
        ("पुलिस ने हत्या के आरोपी को गिरफ्तार किया", "crime"),
        ("सलमान खान की नई फिल्म का ट्रेलर रिलीज", "entertainment"),
    ],
)
def test_shipped_model_on_plain_headlines(headline: str, category: str) -> None:
    assert TopicModel.load(DEFAULT_MODEL_PATH).predict(headline).label == category


# --- the politics rule ------------------------------------------------------------------------


def _prediction(*top: tuple[str, float]) -> Prediction:
    return Prediction(label=top[0][0], confidence=top[0][1], top=top)


def test_national_with_three_political_actors_becomes_politics() -> None:
    national = _prediction(("national", 0.6), ("crime", 0.25), ("politics", 0.15))
    refined = refine_politics(national, parties=2, people=1)
    assert (refined.label, round(refined.confidence, 6)) == ("politics", 0.75)
    assert refined.top_dicts(2) == [
        {"label": "politics", "confidence": 0.75},
        {"label": "crime", "confidence": 0.25},
    ]


@pytest.mark.parametrize(("parties", "people"), [(1, 1), (0, 3)])
def test_politics_rule_needs_three_actors_and_a_party(parties: int, people: int) -> None:
    national = _prediction(("national", 0.6), ("politics", 0.4))
    assert refine_politics(national, parties, people) is national


def test_politics_rule_leaves_other_categories_alone() -> None:
    crime = _prediction(("crime", 0.6), ("national", 0.4))
    assert refine_politics(crime, parties=3, people=3) is crime


# --- corpora and evaluation --------------------------------------------------------------------


def test_csv_corpus_maps_the_corpus_labels(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "text,labels\nधोनी का छक्का,khel\nनया फोन,technology-news\nराशिफल,other\n,health\n",
        encoding="utf-8",
    )
    corpus = load_corpus(path)
    assert (corpus.texts, corpus.labels) == (["धोनी का छक्का", "नया फोन"], ["sports", "technology"])
    assert corpus.sources[0]["counts"] == {"sports": 1, "technology": 1}


def test_unknown_label_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("text,label\nकुछ,astrology\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="astrology"):
        load_corpus(path)


def test_mongodb_export_teaches_section_categories_only(tmp_path: Path) -> None:
    docs = [
        {"title": "शेयर बाजार", "body": "सेंसेक्स चढ़ा", "category": "business",
         "category_source": "section"},
        {"title": "अनुमान", "body": "कुछ", "category": "crime", "category_source": "model"},
        {"title": "बिना स्रोत", "category": "health"},
    ]  # fmt: skip
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), "utf-8")
    corpus = load_corpus(path)
    assert (corpus.texts, corpus.labels) == (
        ["शेयर बाजार\nसेंसेक्स चढ़ा", "बिना स्रोत"],
        ["business", "health"],
    )
    array = tmp_path / "export.json"  # mongoexport --jsonArray
    array.write_text(json.dumps(docs[:1], ensure_ascii=False), encoding="utf-8")
    assert load_corpus(array).labels == ["business"]


def test_evaluation_figures() -> None:
    evaluation = Evaluation.of(["sports", "sports", "crime", "crime"], ["sports", *["crime"] * 3])
    assert evaluation.accuracy == 0.75
    # F1 sports = 2/3 (precision 1, recall 1/2); crime = 0.8 (precision 2/3, recall 1).
    assert evaluation.per_class_f1 == {"sports": 0.6667, "crime": 0.8}
    assert evaluation.macro_f1 == 0.7333
    assert evaluation.labels == ["sports", "crime"]  # in CATEGORIES order
    assert evaluation.confusion == [[1, 1], [0, 2]]


# --- commands ------------------------------------------------------------------------------


def _classify(data: bytes, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "classify", *args],
        input=data,
        capture_output=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=True,
    )
    return result.stdout.decode("utf-8").split("\n")


def test_classify_writes_one_category_per_input_line() -> None:
    lines = [
        "IPL 2026: धोनी की टीम ने मुंबई को 5 विकेट से हराया",
        "",  # an empty line still gets a line
        "पुलिस ने हत्या के आरोपी को गिरफ्तार किया\r",  # CRLF
        "सलमान खान की नई फिल्म\u2028का ट्रेलर रिलीज",  # a line separator inside one line
        "CBSE बोर्ड परीक्षा की डेटशीट जारी",  # no newline at the end
    ]
    out = _classify("\n".join(lines).encode("utf-8"))
    assert out[-1] == ""  # every output line ends with a newline
    labels = out[:-1]
    assert len(labels) == len(lines)
    assert all(label in CATEGORIES for label in labels)
    assert [labels[0], labels[2], labels[3], labels[4]] == [
        "sports",
        "crime",
        "entertainment",
        "education",
    ]


def test_classify_json() -> None:
    out = _classify("धोनी ने शतक लगाया\n\n".encode(), "--json")
    records = [json.loads(line) for line in out if line]
    assert len(records) == 2
    first = records[0]
    assert first["label"] == "sports"
    assert first["top3"][0]["label"] == "sports"
    assert len(first["top3"]) == 3
    confidences = [t["confidence"] for t in first["top3"]]
    assert confidences == sorted(confidences, reverse=True)
    assert first["confidence"] == confidences[0]
    assert records[1]["label"] in CATEGORIES


def test_train_and_evaluate_commands_on_a_small_corpus(
    small_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "mine.csv"
    rows = "\n".join(
        f'"{t.replace(chr(34), chr(39))}",{label}'
        for t, label in zip(small_corpus.texts, small_corpus.labels, strict=True)
    )
    corpus.write_text("text,label\n" + rows + "\n", encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.json").write_text(
        json.dumps({"title": "धोनी ने शतक लगाया", "body": "मैच में", "category": "sports"}),
        encoding="utf-8",
    )
    out = tmp_path / "mine-v1.npz"
    args = ["--corpus", str(corpus), "--folds", "2", "--articles", str(articles)]
    assert main(["train", *args, "--out", str(out)]) == 0
    metrics = json.loads((tmp_path / "mine-v1.metrics.json").read_text())
    assert metrics["version"] == "mine-v1"
    assert metrics["corpora"][0]["examples"] == len(small_corpus)
    assert metrics["cross_validation"]["folds"] == 2
    assert set(metrics["cross_validation"]["models"]) >= {BASELINE, SHIPPED}
    assert metrics["license"] == "as the training corpora"
    assert TopicModel.load(out).predict("धोनी ने शतक लगाया").label == "sports"
    capsys.readouterr()

    assert main(["evaluate-topics", *args, "--model", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2-fold cross-validation on the corpus (440 texts)" in printed
    for name in (BASELINE, SHIPPED, "LinearSVC", "complement naive Bayes", "SGD"):
        assert name in printed  # every candidate, side by side
    assert "held-out articles: 1" in printed
    assert "headline only" in printed and "full text" in printed
    assert "truth / predicted" in printed  # the confusion matrix


def test_train_refuses_a_corpus_without_labels(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.csv"
    corpus.write_text("headline,topic\nकुछ,sports\n", encoding="utf-8")
    assert main(["train", "--corpus", str(corpus), "--out", str(tmp_path / "m.npz")]) == 2
