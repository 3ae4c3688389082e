"""Training and evaluating the topic model: corpora, scikit-learn, cross-validation.

Training fits TF-IDF over the :class:`~crawler.ml.topics.Featurizer`'s features,
then a multinomial logistic regression, and exports the fitted numbers into a
:class:`~crawler.ml.topics.TopicModel` (crawler/ml/topics.py, which predicts with
numpy alone). Corpora are CSV files (text,label) or article exports, their labels
mapped to the 11 categories. Evaluation gives accuracy, macro-F1, the confusion
matrix and the confidence-threshold table behind CLASSIFY_MIN_CONFIDENCE.
scikit-learn is imported by the functions that fit or score, so reading a corpus
does not pay for it.

The bundled corpus (crawler/data/topic-corpus/) is L3Cube-IndicNews, CC BY-NC-SA
4.0; a model trained on it inherits that license. ``python -m crawler train
--corpus`` trains on your own labelled crawl instead.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
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
