"""Render a detection-proof Report as text (console), JSON (machines) or Markdown (docs)."""

from __future__ import annotations

import json
from typing import Any

from generator.proof.engine import Detection, Report, RuleReport


def duration(seconds: float | None) -> str:
    """6m00s, 1h02m00s, 45s; "never" for None."""
    if seconds is None:
        return "never"
    total = int(round(seconds))
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m{secs:02d}s"
    return f"{sign}{secs}s"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _fp_counts(rule: RuleReport) -> str:
    return ", ".join(f"seed {f.seed}: {len(f.firings)}" for f in rule.false_positives)


def _by_scenario(rule: RuleReport) -> dict[str, list[Detection]]:
    out: dict[str, list[Detection]] = {}
    for detection in rule.detections:
        out.setdefault(detection.scenario, []).append(detection)
    return out


def _split(report: Report) -> str:
    t = report.timings
    return (f"wall {report.wall_seconds:.0f}s; summed over {report.settings.workers} worker(s): simulate "
            f"{t.simulate:.0f}s, write OpenMetrics {t.write:.0f}s ({t.bytes_written / 1e6:.0f} MB), backfill "
            f"{t.backfill:.0f}s, Prometheus start {t.start:.0f}s, range queries {t.queries:.0f}s, "
            f"LogQL {t.logql:.0f}s")


def render_text(report: Report) -> str:
    seeds = report.settings.seeds
    hours = report.settings.healthy_seconds / 3600
    lines: list[str] = []
    for rule in report.rules:
        r = rule.rule
        lines.append(f"{r.name}  {_verdict(rule.passed)}")
        after = f"the {r.signal} signal (ground truth)" if r.signal else "onset"
        lines.append(f"  for {duration(r.for_seconds)}, evaluated every {duration(r.interval_seconds)}, "
                     f"goal {duration(r.goal_seconds)} after {after}; evaluated by {rule.evaluated_by}")
        for scenario, found in _by_scenario(rule).items():
            latencies = "  ".join(f"seed {d.seed} {_latency(d)}" for d in found)
            lines.append(f"  {scenario}: {latencies}  {_verdict(all(d.passed for d in found))}")
        if not rule.detections:
            lines.append("  fires_in is empty: nothing proves this rule can fire  FAIL")
        lines.append(f"  false positives in {hours:g} h healthy: {_fp_counts(rule)}  "
                     f"{_verdict(not any(f.firings for f in rule.false_positives))}")
        for fp in rule.false_positives:
            for firing in fp.firings[:3]:
                offset = (firing.fired_at or 0) - _start(report, fp.seed)
                lines.append(f"    seed {fp.seed}: fired at +{duration(offset)} labels {dict(firing.labels)}")
        if rule.also_fired:
            also = ", ".join(f"{s} (seed {', '.join(map(str, v))})" for s, v in rule.also_fired.items())
            lines.append(f"  also fired in: {also}")
    failed = [r.rule.name for r in report.rules if not r.passed]
    lines.append("")
    names = f" ({', '.join(failed)})" if failed else ""
    lines.append(f"{len(report.rules)} rules, seeds {', '.join(map(str, seeds))}: "
                 f"{len(report.rules) - len(failed)} PASS, {len(failed)} FAIL{names}")
    lines.append(_split(report))
    return "\n".join(lines) + "\n"


def _latency(d: Any) -> str:
    """Latency after the fault's onset, and after the signal's where the rule has one."""
    if not d.signal:
        return duration(d.latency)
    signal = duration(d.signal_latency) if d.signal_latency is not None else "no signal"
    return f"{duration(d.latency)} ({signal} after signal)"


def _start(report: Report, seed: int) -> float:
    for spec, _ in report.datasets:
        if spec.scenario.healthy and spec.seed == seed:
            return float(spec.end_ts - spec.duration_seconds)
    return 0.0


def to_json(report: Report) -> dict[str, Any]:
    t = report.timings
    return {
        "passed": report.passed,
        "seeds": list(report.settings.seeds),
        "healthy_hours": report.settings.healthy_seconds / 3600,
        "scenario_hours": report.settings.scenario_seconds / 3600,
        "wall_seconds": round(report.wall_seconds, 1),
        "timings": {"simulate": round(t.simulate, 1), "write": round(t.write, 1), "backfill": round(t.backfill, 1),
                    "start": round(t.start, 1), "queries": round(t.queries, 1), "logql": round(t.logql, 1),
                    "bytes_written": t.bytes_written},
        "datasets": [{"scenario": str(s.scenario), "seed": s.seed, "hours": s.duration_seconds / 3600,
                      "fault_start_hours": s.fault_start_seconds / 3600, "wall_seconds": round(w, 1)}
                     for s, w in report.datasets],
        "rules": [{
            "name": r.rule.name, "passed": r.passed, "evaluated_by": r.evaluated_by,
            "for_seconds": r.rule.for_seconds, "interval_seconds": r.rule.interval_seconds,
            "goal_seconds": r.rule.goal_seconds, "fires_in": [str(s) for s in r.rule.fires_in],
            "signal": r.rule.signal or None,
            "detections": [{"scenario": d.scenario, "seed": d.seed, "latency_seconds": d.latency,
                            "signal_latency_seconds": d.signal_latency, "passed": d.passed}
                           for d in r.detections],
            "false_positives": [{"seed": f.seed, "hours": f.hours, "count": len(f.firings),
                                 "fired_at": [x.fired_at for x in f.firings]} for f in r.false_positives],
            "also_fired": {k: list(v) for k, v in r.also_fired.items()},
        } for r in report.rules],
    }


def render_json(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, sort_keys=True) + "\n"


def render_markdown(report: Report) -> str:
    seeds = report.settings.seeds
    head = " | ".join(f"seed {s}" for s in seeds)
    lines = [f"| rule | for | goal | fires in | {head} | false positives ({report.settings.healthy_seconds / 3600:g} h "
             f"healthy x {len(seeds)}) | result |",
             "|---|---|---|---|" + "---|" * len(seeds) + "---|---|"]
    for rule in report.rules:
        r = rule.rule
        fps = sum(len(f.firings) for f in rule.false_positives)
        for scenario, found in _by_scenario(rule).items() or {"(none)": []}.items():
            cells = " | ".join(_latency(d) for d in found) or " | ".join("-" for _ in seeds)
            lines.append(f"| {r.name} | {duration(r.for_seconds)} | {duration(r.goal_seconds)} | {scenario} | "
                         f"{cells} | {fps} | {_verdict(rule.passed)} |")
    lines.append("")
    lines.append(f"{_split(report)}.")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
