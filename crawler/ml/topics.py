"""The topic model: which of the 11 categories a Hindi news text is about.

Training (scikit-learn, imported only there) fits TF-IDF over word unigrams and
character n-grams of each word, then a multinomial logistic regression, and
exports the fitted numbers into one small ``.npz`` file. Prediction needs only
numpy and this module: the ``classify`` command must answer within two seconds,
and importing scikit-learn alone takes most of that. The features come from the
same :class:`Featurizer` in both paths, so the exported model predicts exactly
what the fitted scikit-learn pipeline does (a test holds them to that).

Text goes through :func:`fold_hindi` first, so spelling variants share
features: NFC, nukta folded (ख़बर/खबर), candrabindu as anusvara (यहाँ/यहां), a
nasal consonant + virama before its own class as anusvara (हिन्दी/हिंदी),
chandra O as AA (कॉलेज/कालेज), joiners out, every digit as 0 (so "IPL 2023"
and "IPL 2027" are one feature), Latin lowercased. This folding is frozen with
the model version: changing it means training a new model.

The bundled corpus (crawler/data/topic-corpus/) is L3Cube-IndicNews, CC BY-NC-SA
4.0; a model trained on it inherits that license. ``python -m crawler train
--corpus`` trains on your own labelled crawl instead.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler import MODELS_DIR, PACKAGE_DATA, PROJECT_ROOT
from crawler.categories import CATEGORIES
from crawler.text.fold import WORD_RE as TOKEN_RE
from crawler.text.fold import fold_hindi

if TYPE_CHECKING:
    import numpy as np

    from crawler.ml.entities import EntityMatcher

logger = logging.getLogger(__name__)

MODEL_VERSION = "topics-v1"
DEFAULT_MODEL_PATH = MODELS_DIR / f"{MODEL_VERSION}.npz"
DEFAULT_CORPUS_PATH = PACKAGE_DATA / "topic-corpus" / "l3cube-indicnews-hindi-shc.csv"
CORPUS_LICENSE = "CC BY-NC-SA 4.0 (L3Cube-IndicNews): non-commercial, share-alike"

# The corpus's own label names for four of the categories.
CORPUS_LABELS = {
    "khel": "sports",
    "technology-news": "technology",
    "health-news-hindi": "health",
    "crime-news-hindi": "crime",
}
# Labels a corpus row may carry that mean "no category": skipped, not an error.
NO_LABEL = frozenset({"", "other"})

# How much of an article the model reads: title, description and the start of
# the body. Headlines are what it was trained on; the first paragraphs add
# evidence without letting a long body drown the title (see evaluate-topics).
DEFAULT_BODY_CHARS = 600

# --------------------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------------------

_DIGIT_RE = re.compile("[0-9०-९]")


# --------------------------------------------------------------------------------------
# Features and model input
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Featurizer:
    """Word unigrams ("w:" + word) and character n-grams of each space-padded word.

    The "w:" prefix cannot collide with a character n-gram: those come from single
    tokens, which never contain ":".
    """

    words: bool = True
    char_min: int = 2
    char_max: int = 5  # 0: no character n-grams

    def tokens(self, text: str) -> list[str]:
        return TOKEN_RE.findall(_DIGIT_RE.sub("0", fold_hindi(text)).lower())

    def token_features(self, token: str) -> list[str]:
        features = [f"w:{token}"] if self.words else []
        if self.char_max:
            padded = f" {token} "
            size = len(padded)
            sizes = range(self.char_min, min(self.char_max, size) + 1)
            features += [padded[i : i + n] for n in sizes for i in range(size - n + 1)]
        return features

    def __call__(self, text: str) -> list[str]:
        """The features of a text: those of each token in turn (prediction relies on
        that, caching them per token)."""
        features: list[str] = []
        for token in self.tokens(text):
            features += self.token_features(token)
        return features

    @property
    def name(self) -> str:
        parts = ["words"] if self.words else []
        if self.char_max:
            parts.append(f"chars {self.char_min}-{self.char_max}")
        return " + ".join(parts)


# The feature sets evaluate-topics compares; FEATURE_SETS["words+chars"] ships.
FEATURE_SETS = {
    "words": Featurizer(words=True, char_max=0),
    "chars": Featurizer(words=False),
    "words+chars": Featurizer(words=True),
}


def document_text(
    title: str, description: str = "", body: str = "", body_chars: int = DEFAULT_BODY_CHARS
) -> str:
    """The model's input for an article: title, description and the body's start."""
    parts = [title, description]
    if body_chars > 0 and body:
        start = body[:body_chars]
        if len(body) > body_chars:  # do not feed a cut-off half word
            start = start.rsplit(None, 1)[0] if " " in start else start
        parts.append(start)
    return "\n".join(p for p in parts if p)


# --------------------------------------------------------------------------------------
# The exported model
# --------------------------------------------------------------------------------------


# Distinct tokens whose feature ids are cached (a few MB at most).
_TOKEN_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    top: tuple[tuple[str, float], ...]  # best first

    @classmethod
    def of(cls, labels: Sequence[str], probabilities: Iterable[float]) -> Prediction:
        pairs = zip(labels, map(float, probabilities), strict=True)
        top = tuple(sorted(pairs, key=lambda lp: -lp[1]))
        return cls(label=top[0][0], confidence=top[0][1], top=top)

    def top_dicts(self, n: int = 3) -> list[dict[str, float | str]]:
        return [{"label": label, "confidence": round(p, 4)} for label, p in self.top[:n]]


class TopicModel:
    """TF-IDF (sublinear tf, l2) + multinomial logistic regression, as plain arrays."""

    def __init__(
        self,
        labels: Sequence[str],
        vocabulary: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        featurizer: Featurizer,
        meta: dict[str, Any] | None = None,
    ) -> None:
        import numpy as np

        self.labels = tuple(labels)
        self.vocabulary = list(vocabulary)
        self.index = {feature: i for i, feature in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # Column-major per feature: one row per feature makes the gather contiguous.
        self.weights = np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.featurizer = featurizer
        self.meta = dict(meta or {})
        self._token_cache: dict[str, array[int]] = {}
        # The training words' features, looked up now (~50 ms) rather than at first sight.
        for feature in self.vocabulary:
            if feature.startswith("w:"):
                self._cache_token(feature[2:])
        if self.weights.shape != (len(self.vocabulary), len(self.labels)):
            raise ValueError("model arrays do not fit its vocabulary and labels")

    @property
    def body_chars(self) -> int:
        return int(self.meta.get("body_chars", DEFAULT_BODY_CHARS))

    # -- persistence ------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        import numpy as np

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "featurizer": asdict(self.featurizer), "labels": list(self.labels)}
        with path.open("wb") as out:  # an open file: numpy would append ".npz" to a name
            np.savez_compressed(
                out,
                vocabulary=np.frombuffer("\n".join(self.vocabulary).encode("utf-8"), np.uint8),
                idf=self.idf,
                coef=self.weights.T.astype(np.float32),
                intercept=self.intercept,
                meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
            )
        return path

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL_PATH) -> TopicModel:
        """Load a model file; arrays only (no pickle), so loading runs no code."""
        import numpy as np

        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
            return cls(
                labels=meta["labels"],
                vocabulary=vocabulary,
                idf=data["idf"],
                coef=data["coef"],
                intercept=data["intercept"],
                featurizer=Featurizer(**meta["featurizer"]),
                meta=meta,
            )

    # -- prediction -------------------------------------------------------------------

    def feature_ids(self, text: str) -> array[int]:
        """Vocabulary indices of the text's features, with repeats. A token's features
        are looked up once and cached: news vocabulary repeats, so most tokens hit."""
        cache = self._token_cache
        ids = array("q")
        for token in self.featurizer.tokens(text):
            known = cache.get(token)
            ids += known if known is not None else self._cache_token(token)
        return ids

    def _cache_token(self, token: str) -> array[int]:
        index = self.index
        features = self.featurizer.token_features(token)
        known = array("q", [i for i in map(index.get, features) if i is not None])
        if len(self._token_cache) >= _TOKEN_CACHE_SIZE:
            self._token_cache.clear()  # crude but bounded; refills with common words first
        self._token_cache[token] = known
        return known

    def probabilities(self, text: str) -> np.ndarray:
        """Class probabilities in the order of ``labels``."""
        import numpy as np

        ids = self.feature_ids(text)
        if ids:
            unique, counts = np.unique(np.frombuffer(ids, dtype=np.int64), return_counts=True)
            values = (1.0 + np.log(counts.astype(np.float32))) * self.idf[unique]
            values /= np.sqrt(np.dot(values, values))
            scores = (values @ self.weights[unique] + self.intercept).astype(np.float64)
        else:
            scores = self.intercept.astype(np.float64)
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()

    def predict(self, text: str) -> Prediction:
        return Prediction.of(self.labels, self.probabilities(text))


# --------------------------------------------------------------------------------------
# Politics: the corpus's "national" and the project's "politics"
# --------------------------------------------------------------------------------------

# The headline corpus files party-political news under "national" (of its headlines
# that name a party or a leader, 134 are labelled national and 54 politics; its
# "politics" is mostly opinion columns), while the project's politics is what the
# sites' politics sections hold: exactly that news. The corpus cannot teach the
# split, so a text the model calls national becomes politics when it names at least
# this many political actors (parties and leaders, crawler/ml/entities.py), a party
# among them. Headlines rarely name three: in cross-validation the rule changes 7
# of 3,835 and macro-F1 by -0.001; articles about party politics name many.
POLITICS_MIN_ACTORS = 3


def refine_politics(prediction: Prediction, parties: int, people: int) -> Prediction:
    """National → politics for texts full of parties and leaders; the two classes'
    probabilities are merged, since the corpus uses them for the same news."""
    if prediction.label != "national" or not parties or parties + people < POLITICS_MIN_ACTORS:
        return prediction
    merged = sum(p for label, p in prediction.top if label in ("national", "politics"))
    rest = tuple((label, p) for label, p in prediction.top if label not in ("national", "politics"))
    return Prediction(label="politics", confidence=merged, top=(("politics", merged), *rest))


class TopicClassifier:
    """The model plus the politics rule: what the pipeline and `classify` use."""

    def __init__(self, model: TopicModel, matcher: EntityMatcher | None = None) -> None:
        from crawler.ml.entities import default_matcher  # entities imports this module

        self.model = model
        self.matcher = matcher or default_matcher()

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL_PATH) -> TopicClassifier:
        return cls(TopicModel.load(path))

    def predict(self, text: str, context: str | None = None) -> Prediction:
        """The category of ``text``; political actors are counted in ``context`` (the
        whole article, when the model reads only its start), else in the text."""
        prediction = self.model.predict(text)
        if prediction.label != "national":  # the rule changes nothing else: skip the matching
            return prediction
        entities = self.matcher.find(text if context is None else context)
        return refine_politics(prediction, len(entities.parties), len(entities.people))


# --------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------


@dataclass
class Corpus:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def extend(self, other: Corpus) -> None:
        self.texts += other.texts
        self.labels += other.labels
        self.sources += other.sources


class CorpusError(ValueError):
    """A corpus file the trainer cannot use (format, columns, unknown labels)."""


def corpus_label(raw: str) -> str:
    """A corpus label as one of the 11 categories ('' for none); CorpusError if unknown."""
    label = raw.strip().casefold()
    label = CORPUS_LABELS.get(label, label)
    if label in NO_LABEL:
        return ""
    if label not in CATEGORIES:
        raise CorpusError(f"unknown label {raw!r} (expected one of {', '.join(CATEGORIES)})")
    return label


def _article_example(doc: dict[str, Any], body_chars: int) -> tuple[str, str] | None:
    """(text, label) from a stored article; only section-derived categories teach the
    model (its own earlier guesses would only teach it what it already thinks)."""
    source = doc.get("category_source")
    if source not in (None, "", "section"):
        return None
    label = corpus_label(str(doc.get("category") or ""))
    text = document_text(
        str(doc.get("title") or ""),
        str(doc.get("description") or ""),
        str(doc.get("body") or ""),
        body_chars,
    )
    return (text, label) if label and text.strip() else None


def _read_csv(path: Path, body_chars: int) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        examples: list[tuple[str, str]] = []
        if "text" in columns and columns & {"label", "labels"}:
            key = "label" if "label" in columns else "labels"
            for row in reader:
                label = corpus_label(row.get(key) or "")
                if label and (row.get("text") or "").strip():
                    examples.append((row["text"], label))
        elif {"title", "category"} <= columns:  # `python -m crawler export --format csv`
            for row in reader:
                example = _article_example(row, body_chars)
                if example:
                    examples.append(example)
        else:
            raise CorpusError(
                f"{path}: expected columns text,label (or an article export with "
                f"title,category), found {', '.join(sorted(columns)) or 'none'}"
            )
    return examples


def _read_json(path: Path, body_chars: int) -> list[tuple[str, str]]:
    """MongoDB exports: mongoexport (JSON lines or --jsonArray) or `crawler export`."""
    raw = path.read_text(encoding="utf-8-sig").strip()
    if raw.startswith("["):
        docs = json.loads(raw)
    else:
        docs = [json.loads(line) for line in raw.splitlines() if line.strip()]
    examples = []
    for doc in docs:
        if "text" in doc and ("label" in doc or "labels" in doc):
            label = corpus_label(str(doc.get("label", doc.get("labels")) or ""))
            example = (str(doc["text"]), label) if label else None
        else:
            example = _article_example(doc, body_chars)
        if example:
            examples.append(example)
    return examples


def load_corpus(path: str | Path, body_chars: int = DEFAULT_BODY_CHARS) -> Corpus:
    """Labelled examples from a CSV (text,label) or a JSON/JSON-lines article export."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        examples = _read_json(path, body_chars)
    else:
        examples = _read_csv(path, body_chars)
    if not examples:
        raise CorpusError(f"{path}: no labelled examples")
    source = {
        "path": str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "examples": len(examples),
        "counts": dict(sorted(Counter(label for _, label in examples).items())),
    }
    return Corpus([t for t, _ in examples], [label for _, label in examples], [source])


def load_corpora(paths: Sequence[str | Path], body_chars: int = DEFAULT_BODY_CHARS) -> Corpus:
    corpus = Corpus()
    for path in paths:
        corpus.extend(load_corpus(path, body_chars))
    return corpus


# --------------------------------------------------------------------------------------
# Training and evaluation (scikit-learn)
# --------------------------------------------------------------------------------------

# Inverse regularization of the logistic regression; flat between 5 and 50 in
# cross-validation, so the middle is taken rather than the best fold's quirk.
DEFAULT_C = 10.0
# A feature must occur in two training texts: one-off n-grams are noise and bulk.
MIN_DF = 2


def _pipeline(featurizer: Featurizer, c: float = DEFAULT_C, min_df: int = MIN_DF) -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer=featurizer, min_df=min_df, sublinear_tf=True, dtype=np.float32
                ),
            ),
            ("model", LogisticRegression(C=c, max_iter=3000)),
        ]
    )


def export_pipeline(pipeline: Any, featurizer: Featurizer, meta: dict[str, Any]) -> TopicModel:
    """The fitted scikit-learn pipeline's numbers as a TopicModel."""
    vectorizer, classifier = pipeline.named_steps["tfidf"], pipeline.named_steps["model"]
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return TopicModel(
        labels=[str(label) for label in classifier.classes_],
        vocabulary=vocabulary,
        idf=vectorizer.idf_,
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        featurizer=featurizer,
        meta=meta,
    )


def fit_model(
    corpus: Corpus,
    featurizer: Featurizer = FEATURE_SETS["words+chars"],
    *,
    c: float = DEFAULT_C,
    body_chars: int = DEFAULT_BODY_CHARS,
    version: str = MODEL_VERSION,
) -> TopicModel:
    pipeline = _pipeline(featurizer, c).fit(corpus.texts, corpus.labels)
    meta = {
        "version": version,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "c": c,
        "min_df": MIN_DF,
        "body_chars": body_chars,
        "corpora": corpus.sources,
        "license": CORPUS_LICENSE
        if any(Path(s["path"]).name == DEFAULT_CORPUS_PATH.name for s in corpus.sources)
        else "as the training corpora",
    }
    return export_pipeline(pipeline, featurizer, meta)


@dataclass
class Evaluation:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix (rows: truth)."""

    n: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    per_class_f1: dict[str, float]
    confusion: list[list[int]]
    # Cross-validation only: share of texts under each confidence threshold and the
    # accuracy of the rest (what CLASSIFY_MIN_CONFIDENCE trades).
    thresholds: list[dict[str, float]] = field(default_factory=list)

    @classmethod
    def of(cls, truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
        from sklearn.metrics import accuracy_score, f1_score

        seen = set(truth) | set(predicted)
        labels = [c for c in CATEGORIES if c in seen]
        labels += sorted(seen - set(labels))  # e.g. "other"
        present = [c for c in labels if c in set(truth)]  # macro-F1 over true classes
        f1 = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
        # Counted here: scikit-learn's confusion_matrix warns when there is one label.
        pairs = Counter(zip(truth, predicted, strict=True))
        return cls(
            n=len(truth),
            accuracy=round(float(accuracy_score(truth, predicted)), 4),
            macro_f1=round(
                float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)),
                4,
            ),
            labels=labels,
            per_class_f1={label: round(float(v), 4) for label, v in zip(labels, f1, strict=True)},
            confusion=[[pairs[(t, p)] for p in labels] for t in labels],
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return f"accuracy {self.accuracy:.3f}  macro-F1 {self.macro_f1:.3f}  (n={self.n})"

    def confusion_table(self) -> str:
        """The confusion matrix as text: rows are the truth, columns the prediction."""
        short = [label[:5] for label in self.labels]
        lines = [f"{'truth / predicted':<17}" + "".join(f"{s:>6}" for s in short) + "    F1"]
        for label, row in zip(self.labels, self.confusion, strict=True):
            cells = "".join(f"{v:>6}" for v in row)
            lines.append(f"{label:<17}{cells}  {self.per_class_f1[label]:.2f}")
        return "\n".join(lines)


def _groups(texts: Sequence[str]) -> list[int]:
    """Copies of one headline (after folding) stay in one fold: otherwise the test fold
    holds texts the model saw in training and the score flatters it."""
    ids: dict[str, int] = {}
    return [ids.setdefault(" ".join(fold_hindi(t).lower().split()), len(ids)) for t in texts]


def cross_validate_predictions(
    corpus: Corpus,
    featurizer: Featurizer = FEATURE_SETS["words+chars"],
    *,
    folds: int = 5,
    c: float = DEFAULT_C,
    seed: int = 0,
    n_jobs: int | None = None,
) -> list[Prediction]:
    """Each text's prediction by a model trained on the other folds (stratified k-fold,
    duplicate headlines kept in one fold)."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    probabilities = cross_val_predict(
        _pipeline(featurizer, c),
        corpus.texts,
        corpus.labels,
        groups=_groups(corpus.texts),
        cv=splitter,
        n_jobs=n_jobs,
        method="predict_proba",
    )
    classes = sorted(set(corpus.labels))  # the classifier's classes_ order
    return [Prediction.of(classes, row) for row in probabilities]


def evaluation_of(truth: Sequence[str], predictions: Sequence[Prediction]) -> Evaluation:
    """Evaluation of predictions, with the confidence-threshold table."""
    predicted = [p.label for p in predictions]
    evaluation = Evaluation.of(truth, predicted)
    evaluation.thresholds = calibration(
        [p.confidence for p in predictions],
        [p == t for p, t in zip(predicted, truth, strict=True)],
        THRESHOLDS,
    )
    return evaluation


def cross_validate(
    corpus: Corpus,
    featurizer: Featurizer = FEATURE_SETS["words+chars"],
    *,
    folds: int = 5,
    c: float = DEFAULT_C,
    seed: int = 0,
    n_jobs: int | None = None,
) -> Evaluation:
    predictions = cross_validate_predictions(
        corpus, featurizer, folds=folds, c=c, seed=seed, n_jobs=n_jobs
    )
    return evaluation_of(corpus.labels, predictions)


def politics_rule(matcher: EntityMatcher) -> Callable[[str, Prediction], Prediction]:
    """refine_politics as a step after cross-validation (entities counted in the text)."""

    def refine(text: str, prediction: Prediction) -> Prediction:
        entities = matcher.find(text)
        return refine_politics(prediction, len(entities.parties), len(entities.people))

    return refine


def evaluate_model(
    model: TopicModel | TopicClassifier, texts: Sequence[str], truth: Sequence[str]
) -> Evaluation:
    return Evaluation.of(truth, [model.predict(t).label for t in texts])


THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def calibration(
    confidences: Sequence[float], correct: Sequence[bool], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """For each threshold: the share of texts below it and the accuracy above it."""
    rows = []
    for threshold in thresholds:
        kept = [ok for p, ok in zip(confidences, correct, strict=True) if p >= threshold]
        rows.append(
            {
                "threshold": threshold,
                "below": round(1 - len(kept) / max(len(correct), 1), 4),
                "accuracy_above": round(sum(kept) / len(kept), 4) if kept else math.nan,
            }
        )
    return rows
