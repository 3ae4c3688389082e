"""The topic model's commands: ``train`` (also ``--from-db``), ``classify`` and
``evaluate-topics``.

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
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from crawler import PROJECT_ROOT
from crawler.argtypes import date_arg, int_range

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
Point CLASSIFY_MODEL_PATH at the new file to use it in crawls.

--from-db learns from your own crawl: stored articles whose category came from a
mapped site section (title, description and the start of the body; copies of one
story on several sites count once), with the bundled corpus unless
--without-corpus (a model then free of the corpus's non-commercial license). A
fifth of the corpus and of the crawl's stories is held out; the new model is
written over --out (default: CLASSIFY_MODEL_PATH) only if its macro-F1 on the
corpus's held-out part is not worse than the current model's (--force writes it
anyway). Models built so never train on that held-out part, so the next
--from-db can compare with them fairly.

exit statuses: 0 written; 1 MongoDB unreachable; 2 bad input or too little data;
3 refused: the new model is worse than the current one (nothing written)."""


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
    train.add_argument(
        "--out",
        help="model file to write (default: the shipped model; with --from-db: "
        "CLASSIFY_MODEL_PATH, the model crawls use)",
    )
    train.add_argument(
        "--from-db",
        action="store_true",
        help="learn from stored articles whose category came from a mapped section",
    )
    train.add_argument(
        "--since", type=date_arg, help="with --from-db: articles published since (90d, a date)"
    )
    train.add_argument(
        "--min-per-class",
        type=int_range(1),
        default=20,
        metavar="N",
        help="with --from-db: leave out categories with fewer crawled stories (default 20)",
    )
    train.add_argument(
        "--without-corpus",
        action="store_true",
        help="with --from-db: train on the crawl alone (free of the corpus's license)",
    )
    train.add_argument(
        "--force",
        action="store_true",
        help="with --from-db: write the model even if it is worse than the current one",
    )
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
        "cross-validation on the corpus of the shipped kind of model, the plain baseline "
        "(character 2-5-grams + LinearSVC) and other candidates, all on the same grouped "
        "folds; then the model on held-out section-labelled articles, headline only "
        "against the article's text.",
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
    corpus: Any, folds: int, names: Sequence[str] | None = None, n_jobs: int | None = -1
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cross-validation of each candidate model (training.candidate_models; all of them
    unless ``names``) on the same grouped folds, the shipped kind also with the
    politics rule. Returns (JSON-ready figures, the Evaluation objects by name)."""
    from crawler.ml.entities import default_matcher
    from crawler.ml.training import (
        SHIPPED,
        candidate_models,
        cross_validate_predictions,
        evaluation_of,
        politics_rule,
    )

    candidates = candidate_models()
    results: dict[str, Any] = {}
    for name in names or candidates:
        model = candidates[name]()
        predictions = cross_validate_predictions(corpus, folds=folds, n_jobs=n_jobs, model=model)
        results[name] = evaluation_of(corpus.labels, predictions)
        if name == SHIPPED:
            refine = politics_rule(default_matcher())
            refined = [refine(t, p) for t, p in zip(corpus.texts, predictions, strict=True)]
            results[SHIPPED_WITH_RULE] = evaluation_of(corpus.labels, refined)
    figures = {
        "folds": folds,
        "grouping": "stratified; copies of a headline (after folding) in one fold",
        "models": {name: ev.as_dict() for name, ev in results.items()},
    }
    return figures, results


SHIPPED_WITH_RULE = "shipped: regression + naive Bayes + politics rule"


def print_comparison(results: dict[str, Any], folds: int) -> None:
    """The candidates side by side, best macro-F1 first."""
    best = max(ev.macro_f1 for ev in results.values())
    for name, evaluation in sorted(results.items(), key=lambda kv: -kv[1].macro_f1):
        mark = "  <- best" if evaluation.macro_f1 == best else ""
        print(f"  {folds}-fold CV, {name:<50} {evaluation.summary()}{mark}")


def cmd_train(args: argparse.Namespace) -> int:
    from crawler.ml.topics import DEFAULT_MODEL_PATH, FEATURE_SETS, TopicClassifier
    from crawler.ml.training import TRAIN_CANDIDATES, CorpusError, fit_model, load_corpora

    if args.from_db:
        return cmd_train_from_db(args)
    if args.since or args.without_corpus or args.force:
        print("train: --since, --without-corpus and --force go with --from-db", file=sys.stderr)
        return 2
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
        metrics["cross_validation"], results = cross_validation_report(
            corpus, args.folds, TRAIN_CANDIDATES
        )
        print_comparison(results, args.folds)
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
    metrics_path = write_metrics(out, model, corpus.sources, metrics)
    size = out.stat().st_size / 1e6
    print(f"model: {out} ({size:.1f} MB, {time.perf_counter() - started:.0f} s); {metrics_path}")
    return 0


def write_metrics(
    out: Path, model: Any, sources: list[dict[str, Any]], metrics: dict[str, Any]
) -> Path:
    metrics_path = out.with_name(out.stem + ".metrics.json")
    metrics = {
        "model": out.name,
        "version": model.meta["version"],
        "trained_at": model.meta["trained_at"],
        "license": model.meta["license"],
        "classifier": model.meta.get("classifier"),
        "features": model.featurizer.name,
        "vocabulary": len(model.vocabulary),
        "labels": list(model.labels),
        "corpora": sources,
        "body_chars": model.body_chars,
        **metrics,
    }
    metrics_path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return metrics_path


# --- train --from-db -------------------------------------------------------------------

# What train --from-db reads of a stored article.
_CRAWL_FIELDS = (
    "url",
    "title",
    "description",
    "body",
    "category",
    "category_source",
    "cluster_id",
    "duplicate_of",
    "published_at",
    "first_seen_at",
)
# "Not worse": the new model may trail the current one by this much macro-F1 on the
# corpus's held-out part (767 headlines: one headline more or less right moves it ~0.001).
GUARD_TOLERANCE = 0.002


def crawled_articles(articles: Any, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The stored articles that may teach the model (category from a mapped section),
    from a MongoDB ``articles`` collection; published since ``since`` if given."""
    from crawler.ml.training import TEACHING_SOURCES

    query: dict[str, Any] = {"category_source": {"$in": list(TEACHING_SOURCES)}}
    if since is not None:
        query["published_at"] = {"$gte": since}
    yield from articles.find(query, dict.fromkeys(_CRAWL_FIELDS, 1))


def _reference_model(out: Path, corpus_train: Any, fingerprint: str) -> tuple[Any, str] | None:
    """What the new model must not be worse than: the current model at ``out`` if it
    never trained on the corpus's held-out part; else (the shipped model saw all of
    the corpus) its recipe refit on the corpus without that part, which is what it
    would score had it not seen the answers."""
    from crawler.ml.topics import TopicClassifier, TopicModel
    from crawler.ml.training import DEFAULT_C, fit_model

    if not out.is_file():
        return None
    try:
        current = TopicModel.load(out)
    except (OSError, ValueError, KeyError) as exc:  # nothing to protect: say so, go on
        print(f"  the current model {out} cannot be loaded ({exc}): no comparison")
        return None
    if current.meta.get("held_out", {}).get("corpus") == fingerprint:
        return TopicClassifier(current), f"current model {out.name}"
    nb_weight = float(current.meta.get("nb_weight", 0.0))  # topics-v1: the regression alone
    stand_in = fit_model(
        corpus_train,
        current.featurizer,
        c=float(current.meta.get("c", DEFAULT_C)),
        nb_weight=nb_weight,
        body_chars=current.body_chars,
        version="stand-in",
    )
    described = (
        f"current model {out.name} (it trained on the held-out part, so: its recipe "
        "refit without it)"
    )
    return TopicClassifier(stand_in), described


def cmd_train_from_db(args: argparse.Namespace) -> int:
    from pymongo.errors import PyMongoError

    from crawler.ml.topics import TopicClassifier
    from crawler.ml.training import (
        DEFAULT_CORPUS_PATH,
        HOLDOUT_SEED,
        HOLDOUT_SHARE,
        Corpus,
        corpus_fingerprint,
        crawl_corpus,
        evaluate_model,
        fit_model,
        holdout_split,
        load_corpus,
    )
    from crawler.project import mongo_failure, open_store
    from crawler.text.dates import parse_since

    if args.corpus:
        print("train: --from-db uses the bundled corpus (or none); not --corpus", file=sys.stderr)
        return 2
    out = _model_path(args.out)
    if not out.name or out.is_dir():
        print("train: CLASSIFY_MODEL_PATH names no model file: give --out", file=sys.stderr)
        return 2
    since = parse_since(args.since) if args.since else None
    try:
        crawl, summary = crawl_corpus(
            crawled_articles(open_store().articles, since),
            min_per_class=args.min_per_class,
            source="MongoDB",
        )
    except PyMongoError as exc:
        print(f"train: {mongo_failure(exc) or exc}", file=sys.stderr)
        return 1
    window = f" since {args.since}" if args.since else ""
    print(
        f"crawl{window}: {summary['articles_read']} section-labelled articles, "
        f"{summary['stories']} stories, {len(crawl)} examples in {len(set(crawl.labels))} "
        f"categories {summary['counts']}"
    )
    if not len(crawl):
        print(
            f"train: no section-labelled articles in the database{window} to learn from "
            f"(with at least --min-per-class {args.min_per_class} stories a category)",
            file=sys.stderr,
        )
        return 2
    if summary["left_out_under_min_per_class"]:
        print(
            f"  left out (under --min-per-class {args.min_per_class}): "
            f"{summary['left_out_under_min_per_class']}"
        )
    corpus_train, corpus_held = holdout_split(load_corpus(DEFAULT_CORPUS_PATH))
    crawl_train, crawl_held = holdout_split(crawl)
    training = Corpus()
    if not args.without_corpus:
        training.extend(corpus_train)
    training.extend(crawl_train)
    if len(set(training.labels)) < 2:
        print("train: too little data: the training set needs two categories", file=sys.stderr)
        return 2
    fingerprint = corpus_fingerprint(corpus_held)
    print(
        f"training on {len(training)} examples ({len(crawl_train)} crawled stories"
        + ("" if args.without_corpus else f" + {len(corpus_train)} corpus headlines")
        + f"); held out: {len(corpus_held)} corpus headlines, {len(crawl_held)} crawled stories"
    )
    started = time.perf_counter()
    model = fit_model(
        training,
        version=args.version or out.stem,
        extra_meta={
            "held_out": {"corpus": fingerprint, "share": HOLDOUT_SHARE, "seed": HOLDOUT_SEED},
            "from_db": {"since": args.since, "without_corpus": args.without_corpus},
        },
    )
    new = TopicClassifier(model)
    figures: dict[str, Any] = {"corpus_held_out": {}, "crawl_held_out": {}}
    reference = _reference_model(out, corpus_train, fingerprint)
    models = [("new model", new)] + ([(reference[1], reference[0])] if reference else [])
    for name, classifier in models:
        on_corpus = evaluate_model(classifier, corpus_held.texts, corpus_held.labels)
        figures["corpus_held_out"][name] = on_corpus.as_dict()
        print(f"  corpus held-out ({len(corpus_held)}), {name}: {on_corpus.summary()}")
        if len(crawl_held):
            on_crawl = evaluate_model(classifier, crawl_held.texts, crawl_held.labels)
            figures["crawl_held_out"][name] = on_crawl.as_dict()
            print(f"  crawl held-out ({len(crawl_held)}), {name}: {on_crawl.summary()}")
    print(f"  ({time.perf_counter() - started:.0f} s)")
    if reference:
        new_f1 = figures["corpus_held_out"]["new model"]["macro_f1"]
        current_f1 = figures["corpus_held_out"][reference[1]]["macro_f1"]
        if new_f1 + GUARD_TOLERANCE < current_f1:
            if not args.force:
                print(
                    f"train: not installed: macro-F1 {new_f1:.3f} on the corpus's held-out "
                    f"part, the current model {current_f1:.3f}; {out} is unchanged "
                    "(--force installs it anyway)",
                    file=sys.stderr,
                )
                return 3
            print(f"  worse than the current model ({new_f1:.3f} < {current_f1:.3f}): --force")
    _install(model, out)
    metrics_path = write_metrics(out, model, training.sources, {"from_db": figures})
    print(f"model: {out} ({model.meta['license']}); {metrics_path}")
    return 0


def _install(model: Any, out: Path) -> None:
    """Write the model beside ``out`` and rename it over: a crawl starting meanwhile
    loads the old file or the new one, never half of one."""
    partial = out.with_name(f".{out.name}.partial")
    model.save(partial)
    partial.replace(out)


# --- evaluate-topics --------------------------------------------------------------------


def load_articles(directory: Path) -> list[dict[str, Any]]:
    """Article JSON files (the fixture sites' expected outputs), each labelled with the
    category its section maps to: the model's own verdicts (an expected file's
    "model_over_section" category) must not grade the model. Articles whose section
    maps to nothing are left out."""
    from crawler.categories import section_category
    from crawler.parsing.registry import site_for_url

    articles = []
    for path in sorted(directory.glob("*/*.json")) or sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not doc.get("title"):
            continue
        url = str(doc.get("url") or "")
        site = site_for_url(url) if url else None
        overrides = site.sections if site else {}
        mapped = section_category(str(doc.get("section") or ""), url, overrides)
        category = mapped or (doc.get("category") if "section" not in doc else "")
        if category:
            articles.append({**doc, "category": category})
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
        print("   (stratified; copies of one headline stay in one fold; the same folds for all)")
        figures, results = cross_validation_report(corpus, args.folds)
        print_comparison(results, args.folds)
        shipped = results[SHIPPED_WITH_RULE]
        print(f"\nconfusion matrix, {SHIPPED_WITH_RULE} (rows: truth):")
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
