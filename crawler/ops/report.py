"""The HTML report on recent crawls: one file that opens offline.

Reads the run records (``crawl_runs``, their summaries and monitor verdicts)
and the articles first seen in the span, and writes one HTML page with no
external resources: the charts are matplotlib SVGs embedded as data URIs
(each in its own ``<img>``, so their ids cannot clash), the style is inline.
Every chart has a table with its numbers beside it.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crawler.ops.monitors import FAILED, PASSED, SKIPPED
from crawler.ops.runs import summary_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from crawler.storage.store import ArticleStore

UNCATEGORISED = "(none)"
_STATUS_MARK = {PASSED: "✔ passed", FAILED: "✘ failed", SKIPPED: "– skipped"}


@dataclass
class RunRow:
    run_id: str
    site: str
    started_at: datetime  # aware UTC
    summary: dict[str, Any]
    monitors: list[dict[str, str]]


@dataclass
class ReportData:
    since: datetime
    generated_at: datetime
    tz: ZoneInfo
    runs: list[RunRow] = field(default_factory=list)
    # site -> category -> articles first seen in the span
    categories: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def sites(self) -> list[str]:
        return sorted({run.site for run in self.runs} | set(self.categories))

    def days(self) -> list[date]:
        first = self.since.astimezone(self.tz).date()
        last = self.generated_at.astimezone(self.tz).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def new_per_site_per_day(self) -> dict[str, dict[date, int]]:
        table: dict[str, dict[date, int]] = {
            site: dict.fromkeys(self.days(), 0) for site in self.sites
        }
        for run in self.runs:
            day = run.started_at.astimezone(self.tz).date()
            if day in table[run.site]:
                table[run.site][day] += int(run.summary.get("articles", {}).get("new", 0))
        return table

    def failures_per_site(self) -> dict[str, dict[str, int]]:
        kinds = ("failed_pages", "http_errors", "download_errors")
        totals = {site: dict.fromkeys(kinds, 0) for site in self.sites}
        for run in self.runs:
            errors = run.summary.get("errors", {})
            for kind in kinds:
                totals[run.site][kind] += int(errors.get(kind) or 0)
        return totals

    def latest_runs(self) -> list[RunRow]:
        """The latest run of each site, by site."""
        latest: dict[str, RunRow] = {}
        for run in sorted(self.runs, key=lambda r: r.started_at):
            latest[run.site] = run
        return [latest[site] for site in sorted(latest)]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def collect(
    store: ArticleStore, since: datetime, tz: str = "Asia/Kolkata", now: datetime | None = None
) -> ReportData:
    """Everything the report shows, read from MongoDB."""
    since = _utc(since)
    data = ReportData(since=since, generated_at=now or datetime.now(UTC), tz=ZoneInfo(tz))
    for doc in store.runs.find({"started_at": {"$gte": since}}).sort("started_at", 1):
        summary = summary_of(doc)
        data.runs.append(
            RunRow(
                run_id=str(doc.get("run_id", "")),
                site=str(doc.get("spider") or summary.get("site") or "?"),
                started_at=_utc(doc["started_at"]),
                summary=summary,
                monitors=list(doc.get("monitors") or []),
            )
        )
    pipeline = [
        {"$match": {"first_seen_at": {"$gte": since}}},
        {"$group": {"_id": {"site": "$site", "category": "$category"}, "n": {"$sum": 1}}},
    ]
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    for row in store.articles.aggregate(pipeline):
        key = row["_id"]
        categories[str(key.get("site") or "?")][str(key.get("category") or UNCATEGORISED)] += int(
            row["n"]
        )
    data.categories = dict(categories)
    return data


# --- charts ------------------------------------------------------------------------------------


@dataclass
class Chart:
    key: str
    title: str
    svg: bytes | None  # None: nothing to draw

    def img(self) -> str:
        if self.svg is None:
            return '<p class="empty">No data in this span.</p>'
        encoded = base64.b64encode(self.svg).decode("ascii")
        return (
            f'<img id="chart-{self.key}" alt="{html.escape(self.title)}" '
            f'src="data:image/svg+xml;base64,{encoded}">'
        )


def _figure(height: float = 4.2) -> Any:
    from matplotlib.figure import Figure  # the OO API: no pyplot, no global state

    return Figure(figsize=(10, height), layout="constrained")


def _svg(fig: Any) -> bytes:
    from matplotlib import rc_context

    buffer = io.BytesIO()
    # Fixed hash salt: the same data gives the same file.
    with rc_context({"svg.hashsalt": "hindi-news-report", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def _colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    palette = colormaps["tab20"]
    return [palette(i % 20) for i in range(n)]


def _legend(ax: Axes, count: int) -> None:
    ax.legend(fontsize=8, ncols=max(1, (count + 11) // 12), loc="upper left", bbox_to_anchor=(1, 1))


def new_articles_chart(data: ReportData) -> Chart:
    title = "New articles per site per day"
    table = data.new_per_site_per_day()
    if not any(any(days.values()) for days in table.values()):
        return Chart("new-articles", title, None)
    days = data.days()
    fig = _figure()
    ax = fig.subplots()
    bottom = [0] * len(days)
    labels = [f"{d:%d %b}" for d in days]
    for site, color in zip(table, _colors(len(table)), strict=True):
        values = [table[site][d] for d in days]
        ax.bar(labels, values, bottom=bottom, label=site, color=color)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title)
    ax.set_ylabel("new articles")
    _legend(ax, len(table))
    return Chart("new-articles", title, _svg(fig))


def categories_chart(data: ReportData) -> Chart:
    title = "Category mix per site (articles first seen in the span)"
    if not data.categories:
        return Chart("categories", title, None)
    categories = sorted({c for counts in data.categories.values() for c in counts})
    sites = sorted(data.categories)
    fig = _figure(max(2.5, 0.35 * len(sites) + 1.2))
    ax = fig.subplots()
    left = [0.0] * len(sites)
    for category, color in zip(categories, _colors(len(categories)), strict=True):
        shares = []
        for site in sites:
            counts = data.categories[site]
            shares.append(100 * counts[category] / max(sum(counts.values()), 1))
        ax.barh(sites, shares, left=left, label=category, color=color)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_title(title)
    ax.set_xlabel("% of the site's articles")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    _legend(ax, len(categories))
    return Chart("categories", title, _svg(fig))


def failures_chart(data: ReportData) -> Chart:
    title = "Failures per site"
    totals = data.failures_per_site()
    if not any(any(kinds.values()) for kinds in totals.values()):
        return Chart("failures", title, None)
    sites = sorted(totals)
    kinds = {
        "failed_pages": "pages given up",
        "http_errors": "HTTP errors",
        "download_errors": "download errors",
    }
    fig = _figure(max(2.5, 0.45 * len(sites) + 1.2))
    ax = fig.subplots()
    height = 0.8 / len(kinds)
    for i, ((kind, label), color) in enumerate(zip(kinds.items(), _colors(6)[::2], strict=False)):
        positions = [n + i * height for n in range(len(sites))]
        ax.barh(
            positions, [totals[s][kind] for s in sites], height=height, label=label, color=color
        )
    ax.set_yticks([n + height for n in range(len(sites))], sites)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel("count in the span")
    _legend(ax, len(kinds))
    return Chart("failures", title, _svg(fig))


def durations_chart(data: ReportData) -> Chart:
    title = "Run durations"
    by_site: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for run in data.runs:
        seconds = run.summary.get("duration_seconds")
        if seconds is not None:
            by_site[run.site].append((run.started_at.astimezone(data.tz), float(seconds) / 60))
    if not by_site:
        return Chart("durations", title, None)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    fig = _figure()
    ax = fig.subplots()
    for (site, points), color in zip(sorted(by_site.items()), _colors(len(by_site)), strict=True):
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=site, color=color)
    ax.set_title(title)
    ax.set_ylabel("minutes")
    ax.set_ylim(bottom=0)
    # The whole span, so nights line up with the days of the first chart.
    start, end = data.since.astimezone(data.tz), data.generated_at.astimezone(data.tz)
    ax.set_xlim(start, end + (end - start) * 0.03)  # a margin: the last night sits at the edge
    locator = AutoDateLocator(tz=data.tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=data.tz))
    _legend(ax, len(by_site))
    return Chart("durations", title, _svg(fig))


# --- HTML --------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
figure { margin: 2rem 0 1rem; }
figcaption { font-size: 1.2rem; font-weight: 600; margin-bottom: .5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
td.failed { background: #fde2e1; } td.passed { background: #e3f6e5; } td.skipped { color: #777; }
p.empty { color: #777; font-style: italic; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    caption: str = "",
    text_columns: int = 1,
) -> str:
    """A table whose first ``text_columns`` columns are text (left), the rest figures (right)."""
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = (
            f'<td class="text">{_e(c)}</td>' if i < text_columns else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _section(chart: Chart, table_html: str) -> str:
    return (
        f'<section><figure data-chart="{chart.key}">'
        f"<figcaption>{_e(chart.title)}</figcaption>{chart.img()}</figure>\n{table_html}</section>"
    )


def _monitor_names(runs: Iterable[RunRow]) -> list[str]:
    return list(dict.fromkeys(m.get("monitor", "?") for run in runs for m in run.monitors))


def monitors_html(data: ReportData) -> str:
    latest = data.latest_runs()
    names = _monitor_names(latest)
    rows = []
    for run in latest:
        verdicts = {m.get("monitor"): m for m in run.monitors}
        cells = [f"<td>{_e(run.site)}</td>", f"<td>{_e(_local(run.started_at, data.tz))}</td>"]
        for name in names:
            verdict = verdicts.get(name)
            if verdict is None:
                cells.append("<td></td>")
                continue
            status = verdict.get("status", "")
            cells.append(
                f'<td class="{_e(status)}" title="{_e(verdict.get("message", ""))}">'
                f"{_e(_STATUS_MARK.get(status, status))}</td>"
            )
        rows.append(f'<tr data-site="{_e(run.site)}">' + "".join(cells) + "</tr>")
    header = "".join(f"<th>{_e(h)}</th>" for h in ["site", "latest run", *names])
    verdicts = (
        f'<table id="monitors"><tr>{header}</tr>\n' + "\n".join(rows) + "</table>"
        if rows
        else '<p class="empty">No runs in this span.</p>'
    )
    failures = [
        (_local(run.started_at, data.tz), run.site, m.get("monitor", ""), m.get("message", ""))
        for run in sorted(data.runs, key=lambda r: r.started_at, reverse=True)
        for m in run.monitors
        if m.get("status") == FAILED
    ]
    failed_html = (
        _table(
            ["run started", "site", "monitor", "reason"], failures, "Failed monitors in the span"
        )
        if failures
        else '<p class="empty">No monitor failed in this span.</p>'
    )
    return (
        "<section><h2>Monitors</h2>\n"
        "<p>Latest run of each site; hover a verdict for its reason.</p>\n"
        f"{verdicts}\n{failed_html}</section>"
    )


def _local(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def render(data: ReportData) -> str:
    """The whole page."""
    days = data.days()
    per_day = data.new_per_site_per_day()
    new_table = _table(
        ["site", *(f"{d:%d %b}" for d in days), "total"],
        (
            [site, *(per_day[site][d] for d in days), sum(per_day[site].values())]
            for site in per_day
        ),
    )
    categories = sorted({c for counts in data.categories.values() for c in counts})
    category_table = _table(
        ["site", *categories],
        (
            [site, *(data.categories[site][c] for c in categories)]
            for site in sorted(data.categories)
        ),
    )
    failures = data.failures_per_site()
    failure_table = _table(
        ["site", "pages given up", "HTTP errors", "download errors"],
        ([s, *failures[s].values()] for s in sorted(failures)),
    )
    duration_table = _table(["site", "runs", "shortest", "longest"], _duration_rows(data.runs))
    span = f"{_local(data.since, data.tz)} to {_local(data.generated_at, data.tz)} ({data.tz.key})"
    body = [
        "<h1>Hindi news pipeline: crawl report</h1>",
        f"<p>Runs started from {_e(span)}: {len(data.runs)} site runs, "
        f"{len({r.run_id for r in data.runs})} crawls, {len(data.sites)} sites.</p>",
        _section(new_articles_chart(data), new_table),
        _section(categories_chart(data), category_table),
        _section(failures_chart(data), failure_table),
        _section(durations_chart(data), duration_table),
        monitors_html(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Crawl report</title>"
        f"<style>{_STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _duration_rows(runs: Iterable[RunRow]) -> list[list[object]]:
    by_site: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        seconds = run.summary.get("duration_seconds")
        if seconds is not None:
            by_site[run.site].append(float(seconds))
    return [
        [site, len(values), _minutes(min(values)), _minutes(max(values))]
        for site, values in sorted(by_site.items())
    ]


def _minutes(seconds: float) -> str:
    """``m:ss``"""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def write_report(
    store: ArticleStore,
    since: datetime,
    out: str | Path,
    tz: str = "Asia/Kolkata",
    now: datetime | None = None,
) -> Path:
    """Collect, render and write the report; return its path."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collect(store, since, tz, now)), encoding="utf-8")
    return path


__all__ = [
    "Chart",
    "ReportData",
    "RunRow",
    "collect",
    "render",
    "write_report",
]
