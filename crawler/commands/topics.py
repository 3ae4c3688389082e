"""The topic model's commands: ``train``, ``classify`` and ``evaluate-topics``.

``classify`` must answer within two seconds of starting, so this module imports
nothing heavy at the top: the model needs numpy only, and scikit-learn is
imported by ``train`` and ``evaluate-topics`` alone.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from crawler import PROJECT_ROOT

DEFAULT_ARTICLES_DIR = PROJECT_ROOT / "tests" / "fixtures" / "expected"

_TRAIN_DESCRIPTION = """\
Train the topic model and write it with its metrics (<out>.metrics.json).

Without --corpus it trains on the bundled headline corpus
(crawler/data/topic-corpus/, L3Cube-IndicNews, CC BY-NC-SA 4.0: the model
inherits that non-commercial, share-alike license). --corpus trains on your own
labelled data instead (repeat it to combine files; name the bundled corpus too
to add to it):
  - CSV with columns text,label (labels: the 11 categories; "other" or empty
    rows are skipped), or an article CSV from `python -m crawler export --format csv`;
  - a MongoDB export: `mongoexport --collection articles` (JSON lines or
    --jsonArray) or `python -m crawler export` (JSON lines). Articles teach the
    model with their section-derived category only (category_source "section").
Point CLASSIFY_MODEL_PATH at the new file to use it in crawls."""


def register(commands: Any) -> None:
    train = commands.add_parser(
        "train",
        help="train the topic model (scikit-learn) and write it with its metrics",
        description=_TRAIN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        help="labelled CSV (text,label) or MongoDB/article export (.json, .jsonl); repeatable",
    )
    train.add_argument("--out", help="model file to write (default: the shipped topics-v1.npz)")
    train.add_argument(
        "--folds",
        type=int,
        default=5,
        help="cross-validation folds for the metrics; 0 skips them (default 5)",
    )
    train.add_argument("--version", help="version name stored in the model (default: from --out)")
    train.add_argument(
        "--articles",
        default=str(DEFAULT_ARTICLES_DIR),
        help="held-out article JSON files to report on in the metrics ('' to skip; "
        "default: the fixture sites' expected files)",
    )
    train.set_defaults(func=cmd_train)

    classify = commands.add_parser(
        "classify",
        help="categorize text: one document per line on stdin, one category per line out",
        description="Read UTF-8 text on standard input, one document per line, and write "
        "exactly one line per input line, in order: its category (one of the 11). "
        "Needs no database.",
    )
    classify.add_argument(
        "--json",
        action="store_true",
        help='write {"label", "confidence", "top3": [{"label", "confidence"}, ...]} per line',
    )
    classify.add_argument("--model", help="model file (default: CLASSIFY_MODEL_PATH)")
    classify.set_defaults(func=cmd_classify)

    evaluate = commands.add_parser(
        "evaluate-topics",
        help="measure the topic model: cross-validation and held-out articles",
        description="Print accuracy, macro-F1 and confusion matrices: k-fold "
        "cross-validation on the corpus (word features, character n-grams, both) and "
        "the model on held-out section-labelled articles, headline only against the "
        "article's text.",
    )
    evaluate.add_argument("--model", help="model file (default: CLASSIFY_MODEL_PATH)")
    evaluate.add_argument(
        "--corpus", action="append", metavar="PATH", help="corpus for cross-validation"
    )
    evaluate.add_argument(
        "--articles",
        default=str(DEFAULT_ARTICLES_DIR),
        help="directory of article JSON files (title, description, body, category) "
        "held out from training (default: the fixture sites' expected files)",
    )
    evaluate.add_argument("--folds", type=int, default=5, help="folds (default 5); 0 skips")
    evaluate.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    evaluate.set_defaults(func=cmd_evaluate)


# --- classify ---------------------------------------------------------------------


def _model_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    from crawler.settings import CLASSIFY_MODEL_PATH  # the settings module only: fast

    return Path(CLASSIFY_MODEL_PATH)


def _skip_rest_of_line(stream: BinaryIO) -> bool:
    """Read past the next "\\n" in bounded pieces; whether there was anything to skip."""
    skipped = False
    while piece := stream.readline(1 << 16):
        skipped = True
        if piece.endswith(b"\n"):
            break
    return skipped


def read_lines(stream: BinaryIO, max_chars: int) -> Iterator[tuple[str, bool]]:
    """(line, cut) pairs: lines split at "\\n" only (a stray "\\r" or U+2028 inside a
    line must not make two output lines), decoded as UTF-8 with bad bytes replaced; no
    trailing newline needed on the last line. A line is read up to ``max_chars``
    characters (cut at a space) and the rest skipped unread into memory: ``cut`` says so.
    """
    max_bytes = 4 * max_chars + 1  # UTF-8 takes at most 4 bytes a character
    first = True
    while raw := stream.readline(max_bytes):
        whole = raw.endswith(b"\n")
        cut = not whole and _skip_rest_of_line(stream)
        # An incremental decoder holds back a character cut in two at the end.
        line = codecs.getincrementaldecoder("utf-8")("replace").decode(raw, final=not cut)
        line = line.removesuffix("\n").removesuffix("\r") if whole else line
        if first:
            line, first = line.removeprefix("\ufeff"), False
        if len(line) > max_chars:
            line, cut = line[:max_chars], True
        if cut and len(words := line.rsplit(None, 1)) == 2:  # no cut-off half word
            line = words[0]
        yield line, cut


def cmd_classify(args: argparse.Namespace) -> int:
    from crawler.ml.topics import TopicClassifier

    try:
        classifier = TopicClassifier.load(_model_path(args.model))
    except (OSError, ValueError, KeyError) as exc:
        print(f"classify: cannot load the model: {exc}", file=sys.stderr)
        return 1
    from crawler.settings import CLASSIFY_MAX_CHARS  # the settings module only: fast

    out: TextIO = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    interactive = sys.stdin.isatty()
    long_lines = 0
    for line, cut in read_lines(sys.stdin.buffer, CLASSIFY_MAX_CHARS):
        long_lines += cut
        prediction = classifier.predict(line)
        if args.json:
            record = {
                "label": prediction.label,
                "confidence": round(prediction.confidence, 4),
                "top3": prediction.top_dicts(3),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(prediction.label + "\n")
        if interactive:
            out.flush()
    out.flush()
    if long_lines:
        print(
            f"classify: {long_lines} line(s) longer than {CLASSIFY_MAX_CHARS:,} characters "
            "(CLASSIFY_MAX_CHARS) were classified on their start",
            file=sys.stderr,
        )
    return 0


# --- train ------------------------------------------------------------------------


def _corpora(paths: list[str] | None) -> list[Path]:
    from crawler.ml.training import DEFAULT_CORPUS_PATH

    return [Path(p) for p in paths] if paths else [DEFAULT_CORPUS_PATH]


def cross_validation_report(
    corpus: Any, folds: int, n_jobs: int | None = -1
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cross-validation of every feature set; the shipped one also with the politics
    rule. Returns (JSON-ready figures, the Evaluation objects by name)."""
    from crawler.ml.entities import default_matcher
    from crawler.ml.topics import FEATURE_SETS
    from crawler.ml.training import cross_validate_predictions, evaluation_of, politics_rule

    results: dict[str, Any] = {}
    for name, featurizer in FEATURE_SETS.items():
        predictions = cross_validate_predictions(corpus, featurizer, folds=folds, n_jobs=n_jobs)
        results[name] = evaluation_of(corpus.labels, predictions)
        if name == "words+chars":
            refine = politics_rule(default_matcher())
            refined = [refine(t, p) for t, p in zip(corpus.texts, predictions, strict=True)]
            results["words+chars + politics rule"] = evaluation_of(corpus.labels, refined)
    figures = {
        "folds": folds,
        "grouping": "stratified; copies of a headline (after folding) in one fold",
        "feature_sets": {name: ev.as_dict() for name, ev in results.items()},
    }
    return figures, results


def cmd_train(args: argparse.Namespace) -> int:
    from crawler.ml.topics import DEFAULT_MODEL_PATH, FEATURE_SETS, TopicClassifier
    from crawler.ml.training import CorpusError, fit_model, load_corpora

    out = Path(args.out) if args.out else DEFAULT_MODEL_PATH
    try:
        corpus = load_corpora(_corpora(args.corpus))
    except (OSError, CorpusError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    if len(set(corpus.labels)) < 2:
        print("train: the corpus needs at least two categories", file=sys.stderr)
        return 2
    print(f"corpus: {len(corpus)} examples, {len(set(corpus.labels))} categories")
    metrics: dict[str, Any] = {}
    if args.folds:
        started = time.perf_counter()
        metrics["cross_validation"], results = cross_validation_report(corpus, args.folds)
        for name, evaluation in results.items():
            print(f"  {args.folds}-fold CV, {name:<28} {evaluation.summary()}")
        print(f"  ({time.perf_counter() - started:.0f} s)")
    started = time.perf_counter()
    version = args.version or out.stem
    model = fit_model(corpus, FEATURE_SETS["words+chars"], version=version)
    model.save(out)
    articles = load_articles(Path(args.articles)) if args.articles else []
    if articles:
        results = held_out_report(TopicClassifier(model), articles)
        metrics["held_out_articles"] = {
            "source": args.articles,
            **{name: ev.as_dict() for name, ev in results.items()},
        }
        for name, evaluation in results.items():
            print(f"  held-out articles, {name:<52} {evaluation.summary()}")
    metrics_path = out.with_name(out.stem + ".metrics.json")
    metrics = {
        "model": out.name,
        "version": version,
        "trained_at": model.meta["trained_at"],
        "license": model.meta["license"],
        "features": model.featurizer.name,
        "vocabulary": len(model.vocabulary),
        "labels": list(model.labels),
        "corpora": corpus.sources,
        "body_chars": model.body_chars,
        **metrics,
    }
    metrics_path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", "utf-8")
    size = out.stat().st_size / 1e6
    print(f"model: {out} ({size:.1f} MB, {time.perf_counter() - started:.0f} s); {metrics_path}")
    return 0


# --- evaluate-topics --------------------------------------------------------------------


def load_articles(directory: Path) -> list[dict[str, Any]]:
    """Article JSON files with a category (the fixture sites' expected outputs)."""
    articles = []
    for path in sorted(directory.glob("*/*.json")) or sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("category") and doc.get("title"):
            articles.append(doc)
    return articles


def held_out_report(classifier: Any, articles: list[dict[str, Any]]) -> dict[str, Any]:
    """The classifier (model + politics rule) on held-out articles, from the headline
    alone to the whole text."""
    from crawler.ml.topics import document_text
    from crawler.ml.training import Evaluation

    truth = [a["category"] for a in articles]
    body_chars = classifier.model.body_chars

    def whole(a: dict[str, Any]) -> str:
        return "\n".join((a["title"], a.get("description") or "", a.get("body") or ""))

    def start(a: dict[str, Any], chars: int) -> str:
        return document_text(a["title"], a.get("description") or "", a.get("body") or "", chars)

    # name: (model input, where political actors are counted; None: the input itself)
    inputs = {
        "headline only": lambda a: (a["title"], None),
        "title + description": lambda a: (start(a, 0), None),
        f"title + description + {body_chars} body chars (the pipeline)": lambda a: (
            start(a, body_chars),
            whole(a),
        ),
        "full text": lambda a: (whole(a), None),
    }
    results = {}
    for name, make in inputs.items():
        predicted = [classifier.predict(*make(a)).label for a in articles]
        results[name] = Evaluation.of(truth, predicted)
    return results


def cmd_evaluate(args: argparse.Namespace) -> int:
    from crawler.ml.topics import TopicClassifier
    from crawler.ml.training import CorpusError, load_corpora

    report: dict[str, Any] = {}
    if args.folds:
        try:
            corpus = load_corpora(_corpora(args.corpus))
        except (OSError, CorpusError) as exc:
            print(f"evaluate-topics: {exc}", file=sys.stderr)
            return 2
        print(f"== {args.folds}-fold cross-validation on the corpus ({len(corpus)} texts)")
        print("   (stratified; copies of one headline stay in one fold)")
        figures, results = cross_validation_report(corpus, args.folds)
        for name, evaluation in results.items():
            print(f"  {name:<28} {evaluation.summary()}")
        shipped = results["words+chars + politics rule"]
        print("\nconfusion matrix, words + chars + politics rule (rows: truth):")
        print(shipped.confusion_table())
        print("\nconfidence threshold: share of texts below it, accuracy of the rest")
        for row in shipped.thresholds:
            print(
                f"  {row['threshold']:.2f}: {row['below']:6.1%} below, "
                f"{row['accuracy_above']:.3f} accurate above"
            )
        report["cross_validation"] = figures
    articles = load_articles(Path(args.articles))
    if articles:
        try:
            classifier = TopicClassifier.load(_model_path(args.model))
        except (OSError, ValueError, KeyError) as exc:
            print(f"evaluate-topics: cannot load the model: {exc}", file=sys.stderr)
            return 1
        print(f"\n== held-out articles: {len(articles)} from {args.articles}")
        print("   (labels: each site's section mapped to a category; never trained on)")
        results = held_out_report(classifier, articles)
        for name, evaluation in results.items():
            print(f"  {name:<52} {evaluation.summary()}")
        pipeline_input = next(name for name in results if "pipeline" in name)
        print(f"\nconfusion matrix, {pipeline_input} (rows: truth):")
        print(results[pipeline_input].confusion_table())
        report["held_out_articles"] = {name: ev.as_dict() for name, ev in results.items()}
    elif not args.folds:
        print(f"evaluate-topics: no articles in {args.articles}", file=sys.stderr)
        return 2
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
