"""The topic model at run time: which of the 11 categories a Hindi news text is about.

A :class:`TopicModel` is TF-IDF over word unigrams and character n-grams of each
word, then one linear layer and a softmax, held as plain numpy arrays in one small
``.npz`` file; :class:`TopicClassifier` adds the politics rule. Since topics-v2 the
linear layer is the sum of a logistic regression and a complement naive Bayes
(training.BlendClassifier); topics-v1 was the regression alone, and loads the same. This module
needs only numpy (imported when a model is built): the ``classify`` command must
answer within two seconds, and importing scikit-learn alone takes most of that.
Fitting, corpora and evaluation are in crawler/ml/training.py, which exports a
fitted scikit-learn pipeline into a TopicModel. Both paths take their features from
the same :class:`Featurizer`, so the exported model predicts exactly what the
fitted pipeline does (a test holds them to that).

Text goes through :func:`fold_hindi` first, so spelling variants share
features: NFC, nukta folded (ख़बर/खबर), candrabindu as anusvara (यहाँ/यहां), a
nasal consonant + virama before its own class as anusvara (हिन्दी/हिंदी),
chandra O as AA (कॉलेज/कालेज), joiners out, every digit as 0 (so "IPL 2023"
and "IPL 2027" are one feature), Latin lowercased. This folding is frozen with
the model version: changing it means training a new model.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler import MODELS_DIR
from crawler.ml.entities import EntityMatcher, default_matcher
from crawler.text.fold import WORD_RE as TOKEN_RE
from crawler.text.fold import fold_hindi

if TYPE_CHECKING:
    import numpy as np

MODEL_VERSION = "topics-v2"
DEFAULT_MODEL_PATH = MODELS_DIR / f"{MODEL_VERSION}.npz"

# How much of an article the model reads: title, description and the start of
# the body. Headlines are what it was trained on; the first paragraphs add
# evidence without letting a long body drown the title (see evaluate-topics).
DEFAULT_BODY_CHARS = 600

# --------------------------------------------------------------------------------------
# Features and model input
# --------------------------------------------------------------------------------------

# Every digit, Latin or Devanagari, becomes 0: a year or a score names no topic.
_DIGIT_RE = re.compile("[0-9०-९]")


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
    """TF-IDF (sublinear tf, l2) + linear scores + softmax, as plain arrays."""

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
        ids = array("i")  # int32: a vocabulary is far below 2**31, and sorts faster
        for token in self.featurizer.tokens(text):
            known = cache.get(token)
            ids += known if known is not None else self._cache_token(token)
        return ids

    def _cache_token(self, token: str) -> array[int]:
        index = self.index
        features = self.featurizer.token_features(token)
        known = array("i", [i for i in map(index.get, features) if i is not None])
        if len(self._token_cache) >= _TOKEN_CACHE_SIZE:
            self._token_cache.clear()  # crude but bounded; refills with common words first
        self._token_cache[token] = known
        return known

    def probabilities(self, text: str) -> np.ndarray:
        """Class probabilities in the order of ``labels``."""
        import numpy as np

        ids = self.feature_ids(text)
        if ids:
            # np.unique(..., return_counts=True), spelled out: a fifth faster per text.
            ordered = np.sort(np.frombuffer(ids, dtype=np.int32))
            first = np.empty(ordered.size, dtype=bool)
            first[0] = True
            np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            unique = ordered[starts]
            counts = np.diff(starts, append=ordered.size).astype(np.float32)
            values = (1.0 + np.log(counts)) * self.idf[unique]
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
