"""Rendering deploy results: one progress line per action, a summary, or a JSON document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.deploy.apply import Result, Status
from generator.deploy.plan import Kind, Resource

_PAST = {Kind.CREATE: "created", Kind.UPDATE: "updated", Kind.DELETE: "deleted"}
_MAX_LISTED = 20


@dataclass
class DeployReport:
    """Everything a deploy did, for the summary line, --format json and the bench."""

    results: list[Result]
    dry_run: bool
    requests: dict[str, int]
    elapsed_seconds: float
    grafana_version: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return sum(n for method, n in self.requests.items() if method != "GET")

    @property
    def reads(self) -> int:
        return self.requests.get("GET", 0)

    def with_status(self, *statuses: Status) -> list[Result]:
        return [r for r in self.results if r.status in statuses]

    @property
    def failed(self) -> list[Result]:
        return self.with_status(Status.FAILED)



def action_line(result: Result) -> str:
    """`create     dashboard      toygres-overview           Toygres Overview  (reason)`."""
    action = result.action
    verb = action.kind.value
    if result.status is Status.FAILED:
        verb = f"FAILED {verb}"
    elif result.status is Status.NOT_DONE:
        verb = f"not done ({verb})"
    line = f"{verb:<10} {action.resource.value:<13} {action.key:<32} {action.title}"
    details = [d for d in (action.reason, result.note) if d]
    if action.kind is Kind.DRIFTED and (action.updated_by or action.updated):
        details.append(f"last saved by {action.updated_by or 'unknown'} at {action.updated or 'unknown'}")
    if details:
        line += f"  ({'; '.join(details)})"
    if result.error:
        line += f": {result.error}"
    return line.rstrip()


def summary_line(report: DeployReport) -> str:
    """`dashboards: 3 created, 1 updated, 2 unchanged, 0 deleted; 0 write requests (212 reads, 1.4 s)`."""
    dashboards = [r for r in report.results if r.action.resource is Resource.DASHBOARD]
    others = [r for r in report.results if r.action.resource is not Resource.DASHBOARD]
    wanted = (Status.PLANNED,) if report.dry_run else (Status.DONE,)
    if report.dry_run:
        planned = ", ".join(f"{_count(dashboards, kind, wanted)} to {kind.value}"
                            for kind in (Kind.CREATE, Kind.UPDATE, Kind.DELETE))
        head = f"dry run: dashboards: {planned}, {_count(dashboards, Kind.UNCHANGED)} unchanged"
    else:
        done = [f"{_count(dashboards, kind, wanted)} {_PAST[kind]}" for kind in (Kind.CREATE, Kind.UPDATE)]
        done += [f"{_count(dashboards, Kind.UNCHANGED)} unchanged", f"{_count(dashboards, Kind.DELETE, wanted)} deleted"]
        head = "dashboards: " + ", ".join(done)
    extras = [f"{_count(dashboards, kind)} {kind.value}" for kind in (Kind.DRIFTED, Kind.BLOCKED, Kind.STALE)
              if _count(dashboards, kind)]
    if extras:
        head += ", " + ", ".join(extras)
    written = [f"{r.action.resource.value} {r.action.key} {'to ' if report.dry_run else ''}"
               f"{r.action.kind.value if report.dry_run else _PAST[r.action.kind]}"
               for r in others if r.status in wanted]
    if written:
        head += "; " + ", ".join(written)
    plural = "" if report.writes == 1 else "s"
    nothing = "; nothing to change" if not report.writes and not report.dry_run and not report.failed else ""
    return (f"{head}; {report.writes} write request{plural}{nothing} "
            f"({report.reads} reads, {report.elapsed_seconds:.1f} s)")


def _count(results: list[Result], kind: Kind, statuses: tuple[Status, ...] = ()) -> int:
    return sum(1 for r in results if r.action.kind is kind and (not statuses or r.status in statuses))


def _names(results: list[Result]) -> str:
    labels = [r.action.label for r in results]
    more = f" and {len(labels) - _MAX_LISTED} more" if len(labels) > _MAX_LISTED else ""
    return ", ".join(labels[:_MAX_LISTED]) + more if labels else "none"


def incomplete_lines(report: DeployReport) -> list[str]:
    """What was written and what was not, after a failure midway."""
    done = report.with_status(Status.DONE)
    not_done = report.with_status(Status.FAILED, Status.NOT_DONE)
    return [f"done ({len(done)}): {_names(done)}", f"not done ({len(not_done)}): {_names(not_done)}"]


def incomplete_message(report: DeployReport) -> str:
    """The one-line error for a deploy that stopped midway."""
    first = report.failed[0]
    done = len(report.with_status(Status.DONE))
    not_done = len(report.with_status(Status.FAILED, Status.NOT_DONE))
    return (f"deploy stopped at {first.action.label}: {first.error}; {done} written, {not_done} not; "
            "re-run the same command to finish (it only writes what is still missing)")


def to_json(report: DeployReport) -> dict[str, Any]:
    """The machine-readable report for --format json."""
    return {
        "dry_run": report.dry_run,
        "grafana_version": report.grafana_version,
        "actions": [
            {"kind": r.action.kind.value, "resource": r.action.resource.value, "key": r.action.key,
             "title": r.action.title, "reason": r.action.reason, "status": r.status.value,
             "error": r.error, "note": r.note, "updated_by": r.action.updated_by, "updated": r.action.updated}
            for r in report.results
        ],
        "requests": {"by_method": dict(sorted(report.requests.items())), "reads": report.reads,
                     "writes": report.writes},
        "elapsed_seconds": round(report.elapsed_seconds, 3),
        "notes": report.notes,
    }
