"""Training and evaluating the topic model: corpora, scikit-learn, cross-validation.

Training fits TF-IDF over the :class:`~crawler.ml.topics.Featurizer`'s features,
then :class:`BlendClassifier` (a logistic regression and a complement naive Bayes,
their scores summed), and exports the fitted numbers into a
:class:`~crawler.ml.topics.TopicModel` (crawler/ml/topics.py, which predicts with
numpy alone). :func:`candidate_models` holds the alternatives evaluate-topics
compares on the same grouped folds, the plain baseline among them. Corpora are CSV
files (text,label), article exports, or stored articles (:func:`crawl_corpus`, for
``train --from-db``: section-labelled, one per story), their labels mapped to the
11 categories. Evaluation gives accuracy, macro-F1, the confusion matrix and the
confidence-threshold table behind CLASSIFY_MIN_CONFIDENCE. scikit-learn is imported
by the functions that fit or score, so reading a corpus does not pay for it.

The bundled corpus (crawler/data/topic-corpus/) is L3Cube-IndicNews, CC BY-NC-SA
4.0; a model trained on it inherits that license. ``python -m crawler train
--from-db --without-corpus`` (or ``--corpus``) trains on your own labelled crawl
instead.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import PACKAGE_DATA, PROJECT_ROOT
from crawler.categories import CATEGORIES
from crawler.ml.entities import EntityMatcher
from crawler.ml.topics import (
    DEFAULT_BODY_CHARS,
    FEATURE_SETS,
    MODEL_VERSION,
    Featurizer,
    Prediction,
    TopicClassifier,
    TopicModel,
    document_text,
    refine_politics,
)
from crawler.text.fold import fold_hindi

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

# --------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------


@dataclass
class Corpus:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # What makes two examples one for grouping (a crawled story's cluster); empty: the
    # folded text itself, so copies of a headline stay together.
    keys: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def group_keys(self) -> list[str]:
        return self.keys if len(self.keys) == len(self.texts) else list(self.texts)

    def extend(self, other: Corpus) -> None:
        self.keys = self.group_keys() + other.group_keys()
        self.texts += other.texts
        self.labels += other.labels
        self.sources += other.sources

    def subset(self, indices: Iterable[int]) -> Corpus:
        keys = self.group_keys()
        chosen = list(indices)
        return Corpus(
            [self.texts[i] for i in chosen],
            [self.labels[i] for i in chosen],
            self.sources,
            [keys[i] for i in chosen],
        )


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
# Complement naive Bayes beside the logistic regression (see BlendClassifier): its
# smoothing, and the weight of its scores in the sum. On the grouped folds of the
# corpus (5 folds, two shuffles) the sum has macro-F1 0.800 where either alone has
# 0.781 / 0.769; weights 0.5-1.5 are within 0.003 of each other, 1 is the middle.
NB_ALPHA = 0.3
NB_WEIGHT = 1.0
# The summed scores are sharper than a probability: scaled by this before the softmax
# (0.85 minimizes the log-loss of the out-of-fold predictions, 0.64 against 0.66 at 1).
TEMPERATURE = 0.85


@functools.cache
def _blend_class() -> type:
    """BlendClassifier, built on first use: scikit-learn's base classes take ~2 s to
    import, which reading a corpus or the speed bench should not pay. Named as a
    module attribute (see ``__getattr__``), so it pickles for parallel folds."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class BlendClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc,valid-type]
        """Logistic regression + complement naive Bayes on the same TF-IDF features.

        Both are linear in the features, so the sum of their scores is one linear model:
        ``coef_`` and ``intercept_`` hold it (scaled by ``temperature``), and the
        numpy-only TopicModel predicts with it exactly as with a plain logistic
        regression. The two err differently (naive Bayes trusts rare, telling n-grams;
        the regression weighs them against the rest), which is what the sum gains from.
        ``nb_weight=0`` is the logistic regression alone.
        """

        def __init__(
            self,
            c: float = DEFAULT_C,
            nb_alpha: float = NB_ALPHA,
            nb_weight: float = NB_WEIGHT,
            temperature: float = TEMPERATURE,
        ) -> None:
            self.c = c
            self.nb_alpha = nb_alpha
            self.nb_weight = nb_weight
            self.temperature = temperature

        def fit(self, x: Any, y: Sequence[str]) -> BlendClassifier:
            import numpy as np
            from sklearn.linear_model import LogisticRegression
            from sklearn.naive_bayes import ComplementNB

            regression = LogisticRegression(C=self.c, max_iter=3000).fit(x, y)
            self.classes_ = regression.classes_
            coef = np.asarray(regression.coef_, dtype=np.float64)
            intercept = np.asarray(regression.intercept_, dtype=np.float64)
            if len(self.classes_) == 2:  # one row for two classes: its score is class 1's
                coef = np.vstack([np.zeros_like(coef), coef])
                intercept = np.array([0.0, intercept[0]])
            if self.nb_weight:
                log_prob = ComplementNB(alpha=self.nb_alpha).fit(x, y).feature_log_prob_
                # A feature's mean over the classes adds the same to every class's score:
                # taken out, the scores stay small (float32 at run time) and mean the same.
                coef = coef + self.nb_weight * (log_prob - log_prob.mean(axis=0))
            self.coef_ = self.temperature * coef
            self.intercept_ = self.temperature * intercept
            return self

        def decision_function(self, x: Any) -> Any:
            import numpy as np

            return np.asarray(x @ self.coef_.T) + self.intercept_

        def predict_proba(self, x: Any) -> Any:
            import numpy as np

            scores = self.decision_function(x)
            scores -= scores.max(axis=1, keepdims=True)
            exp = np.exp(scores)
            return exp / exp.sum(axis=1, keepdims=True)

        def predict(self, x: Any) -> Any:
            return self.classes_[self.decision_function(x).argmax(axis=1)]

    BlendClassifier.__module__ = __name__
    BlendClassifier.__qualname__ = "BlendClassifier"
    return BlendClassifier


def __getattr__(name: str) -> Any:
    if name == "BlendClassifier":
        return _blend_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _tfidf(featurizer: Featurizer | None = None, min_df: int = MIN_DF) -> Any:
    """TF-IDF over the featurizer's features (the model's own), or over raw character
    2-5-grams of the unfolded text (the baseline's)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if featurizer is None:
        return TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True)
    return TfidfVectorizer(analyzer=featurizer, min_df=min_df, sublinear_tf=True, dtype=np.float32)


def _pipeline(
    featurizer: Featurizer,
    c: float = DEFAULT_C,
    min_df: int = MIN_DF,
    nb_weight: float = NB_WEIGHT,
) -> Any:
    """The model `train` fits: TF-IDF, then BlendClassifier."""
    from sklearn.pipeline import Pipeline

    # The regression alone (topics-v1) gives probabilities as they are.
    temperature = TEMPERATURE if nb_weight else 1.0
    blend = _blend_class()(c, nb_weight=nb_weight, temperature=temperature)
    return Pipeline([("tfidf", _tfidf(featurizer, min_df)), ("model", blend)])


def _candidate(vectorizer: Any, classifier: Any) -> Any:
    from sklearn.pipeline import Pipeline

    return Pipeline([("tfidf", vectorizer), ("model", classifier)])


def candidate_models() -> dict[str, Callable[[], Any]]:
    """The models evaluate-topics compares on the same folds, by name; SHIPPED is the
    one `train` fits. Each is a scikit-learn pipeline; only SHIPPED must export to a
    TopicModel."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    shipped = FEATURE_SETS["words+chars"]
    return {
        BASELINE: lambda: _candidate(_tfidf(None), LinearSVC(C=0.5)),
        "words: logistic regression": lambda: _pipeline(FEATURE_SETS["words"], nb_weight=0),
        "chars: logistic regression": lambda: _pipeline(FEATURE_SETS["chars"], nb_weight=0),
        "words+chars: logistic regression (topics-v1)": lambda: _pipeline(shipped, nb_weight=0),
        "words+chars: LinearSVC C=0.5": lambda: _candidate(_tfidf(shipped), LinearSVC(C=0.5)),
        "words+chars: complement naive Bayes": lambda: _candidate(
            _tfidf(shipped), ComplementNB(alpha=NB_ALPHA)
        ),
        "words+chars: SGD modified Huber": lambda: _candidate(
            _tfidf(shipped),
            SGDClassifier(loss="modified_huber", alpha=5e-5, max_iter=50, random_state=0),
        ),
        SHIPPED: lambda: _pipeline(shipped),
    }


BASELINE = "baseline: raw chars 2-5, LinearSVC C=0.5"
SHIPPED = "words+chars: regression + naive Bayes"
# The candidates `train` reports beside the model it fits (evaluate-topics shows all).
TRAIN_CANDIDATES = (BASELINE, SHIPPED)


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
    nb_weight: float = NB_WEIGHT,
    extra_meta: dict[str, Any] | None = None,
) -> TopicModel:
    pipeline = _pipeline(featurizer, c, nb_weight=nb_weight).fit(corpus.texts, corpus.labels)
    meta = {
        "version": version,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "classifier": "logistic regression + complement naive Bayes (BlendClassifier)"
        if nb_weight
        else "logistic regression",
        "c": c,
        "nb_alpha": NB_ALPHA,
        "nb_weight": nb_weight,
        "temperature": TEMPERATURE if nb_weight else 1.0,
        "min_df": MIN_DF,
        "body_chars": body_chars,
        "corpora": corpus.sources,
        "license": license_of(corpus),
        **(extra_meta or {}),
    }
    return export_pipeline(pipeline, featurizer, meta)


def uses_bundled_corpus(sources: Sequence[dict[str, Any]]) -> bool:
    return any(Path(str(s.get("path", ""))).name == DEFAULT_CORPUS_PATH.name for s in sources)


def license_of(corpus: Corpus) -> str:
    return CORPUS_LICENSE if uses_bundled_corpus(corpus.sources) else "as the training corpora"


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
    model: Any = None,
) -> list[Prediction]:
    """Each text's prediction by a model trained on the other folds (stratified k-fold,
    duplicate headlines kept in one fold). ``model``: a scikit-learn pipeline to use
    instead of the shipped kind on ``featurizer``; one without probabilities gets
    confidence 1 for its label."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    estimator = model if model is not None else _pipeline(featurizer, c)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    results = cross_val_predict(
        estimator,
        corpus.texts,
        corpus.labels,
        groups=_groups(corpus.group_keys()),
        cv=splitter,
        n_jobs=n_jobs,
        method=method,
    )
    classes = sorted(set(corpus.labels))  # the classifier's classes_ order
    if method == "predict":
        return [Prediction.of(classes, [float(c == label) for c in classes]) for label in results]
    return [Prediction.of(classes, row) for row in results]


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


# --------------------------------------------------------------------------------------
# Learning from the crawl: `train --from-db`
# --------------------------------------------------------------------------------------

# Where a stored article's category came from, for it to teach the model: the site's
# own section. The model's guesses ("model", "model_over_section") would only teach
# it what it already thinks.
TEACHING_SOURCES = ("section",)
# The share of the corpus and of the crawl's stories held out to judge a new model.
HOLDOUT_SHARE = 0.2
HOLDOUT_SEED = 0


def story_key(doc: dict[str, Any]) -> str:
    """One key per story: copies of a story share the cluster (or point to its first copy)."""
    return str(doc.get("cluster_id") or doc.get("duplicate_of") or doc.get("url") or id(doc))


def crawl_corpus(
    docs: Iterable[dict[str, Any]],
    *,
    body_chars: int = DEFAULT_BODY_CHARS,
    min_per_class: int = 1,
    source: str = "crawl",
) -> tuple[Corpus, dict[str, Any]]:
    """Examples from stored articles whose category came from a mapped section: title,
    description and the start of the body, one per story (its earliest copy, so a story
    syndicated to five sites counts once); categories with fewer than ``min_per_class``
    stories are left out. Returns the corpus (``keys``: each example's story) and what
    was counted."""
    stories: dict[str, tuple[Any, str, str]] = {}
    seen = 0
    for doc in docs:
        seen += 1
        if doc.get("category_source") not in TEACHING_SOURCES:
            continue
        example = _article_example(doc, body_chars)
        if example is None:
            continue
        key = story_key(doc)
        when = doc.get("published_at") or doc.get("first_seen_at")
        order = (when is None, when.isoformat() if hasattr(when, "isoformat") else str(when))
        if key not in stories or order < stories[key][0]:
            stories[key] = (order, *example)
    counts = Counter(label for _, _, label in stories.values())
    kept = {label for label, n in counts.items() if n >= min_per_class}
    corpus = Corpus()
    for key, (_, text, label) in sorted(stories.items()):
        if label in kept:
            corpus.texts.append(text)
            corpus.labels.append(label)
            corpus.keys.append(key)
    summary = {
        "path": source,
        "articles_read": seen,
        "stories": len(stories),
        "examples": len(corpus),
        "counts": dict(sorted(Counter(corpus.labels).items())),
        "left_out_under_min_per_class": dict(
            sorted((label, n) for label, n in counts.items() if label not in kept)
        ),
    }
    corpus.sources.append(summary)
    return corpus, summary


def holdout_split(
    corpus: Corpus, share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> tuple[Corpus, Corpus]:
    """(training part, held-out part): one fold of a stratified, grouped split (copies of
    a headline, or of a story, on one side), the same for the same corpus every time."""
    from sklearn.model_selection import StratifiedGroupKFold

    if len(corpus) < 2:
        return corpus, Corpus(sources=corpus.sources)
    folds = max(2, round(1 / share))
    groups = _groups(corpus.group_keys())
    smallest = min(Counter(corpus.labels).values())
    splitter = StratifiedGroupKFold(n_splits=min(folds, max(2, smallest)), shuffle=True,
                                    random_state=seed)  # fmt: skip
    if len(set(groups)) < splitter.n_splits:
        return corpus, Corpus(sources=corpus.sources)
    train_idx, test_idx = next(splitter.split(corpus.texts, corpus.labels, groups))
    return corpus.subset(train_idx), corpus.subset(test_idx)


def corpus_fingerprint(corpus: Corpus) -> str:
    """Which texts a held-out part holds: models trained without it record this."""
    digest = hashlib.sha256()
    for text in sorted(corpus.texts):
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]
