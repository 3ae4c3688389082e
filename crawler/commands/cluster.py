"""The ``cluster`` sub-command: the operator's view of a night shared through Redis
(``crawl --distributed``): queue lengths per site, workers seen, pages/s."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crawler.argtypes import positive_float
from crawler.project import project_settings

_DESCRIPTION = """\
Show the distributed night in REDIS_URL: for each site its discovery state, the
article requests queued, in flight (leased by a worker) and done; the workers
seen in the last minute with their role and pages; and pages/s over --interval
seconds and since the night started. Exits 0, or 1 when Redis cannot be reached."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "cluster",
        help="show the distributed night: queues per site, workers, pages/s",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="cluster_command", metavar="{status}")
    actions.required = True
    status = actions.add_parser(
        "status", help="queues per site, workers seen in the last minute, pages/s"
    )
    status.add_argument(
        "--interval",
        type=positive_float,
        default=2.0,
        metavar="SECONDS",
        help="measure pages/s over this span (default: %(default)s)",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=cmd_cluster)


def cmd_cluster(args: argparse.Namespace) -> int:
    from crawler.distributed.frontier import night_status
    from crawler.distributed.night import DistributedError, cluster_of

    settings = project_settings()
    try:
        cluster = cluster_of(settings)
        status = night_status(cluster, args.interval, within_seconds=60)
    except DistributedError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(status, default=str))
        return 0
    print_status(status)
    return 0


def print_status(status: dict[str, Any]) -> None:
    run = status["run"]
    if run is None:
        print("no distributed night running")
    else:
        print(
            f"night {run['run_id']} started {run['started_at']} by {run['discoverer']}, "
            f"{len(run['sites'])} sites"
        )
        header = ("site", "discovery", "queued", "in flight", "done")
        width = max([len(s["site"]) for s in status["sites"]] + [4])
        print(f"{header[0]:<{width}}  {header[1]:<9} {header[2]:>7} {header[3]:>9} {header[4]:>7}")
        for row in status["sites"]:
            print(
                f"{row['site']:<{width}}  {row['discovery']:<9} {row['queued']:>7} "
                f"{row['in_flight']:>9} {row['done']:>7}"
            )
        rate, overall = status["pages_per_second"], status.get("pages_per_second_overall")
        print(
            f"pages/s: {rate or 0:.1f} now, {overall or 0:.1f} since the start "
            f"({status.get('pages', 0)} pages)"
        )
    workers = status["workers"]
    print(f"workers seen in the last minute: {len(workers)}")
    for w in workers:
        print(
            f"  {w['worker']:<28} {w.get('role', '?'):<8} seen {w['age']:.0f} s ago, "
            f"{w.get('pages', 0)} pages, {w.get('in_flight', 0)} in flight"
        )
