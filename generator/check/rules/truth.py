"""query/truth: a panel that declares what it measures agrees with the simulation's ground truth
within bounds derived from the truth's own event counts (generator/check/compare.py)."""

from __future__ import annotations

from typing import Iterable

from generator.check.compare import Verdict, compare, is_double
from generator.check.expectations import known_deviation
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem, Severity


def verdicts(tr: TargetResults) -> dict[str, list[Verdict]]:
    """Per scenario with data: the comparisons of this target with the truth (cached)."""
    if tr.measure is None:
        return {}
    cached = tr.cache.get("truth")
    if cached is None:
        cached = {}
        for result in tr.results:
            run, window = tr.runs.get(result.scenario), tr.windows.get(result.scenario)
            if run is not None and window is not None and not result.empty and not result.error:
                cached[result.scenario] = compare(tr.measure, result, run, window)
        tr.cache["truth"] = cached
    return cached


def _describe(v: Verdict) -> str:
    if v.low or v.high:
        return f"[{v.low:.4g}, {v.high:.4g}]"
    return "the derived bounds"


class Truth(OnlineRule):
    id = "query/truth"
    description = "A panel that declares what it measures agrees with the ground truth within the derived bounds."
    needs_truth = True

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        if tr.measure is None:
            return
        found = verdicts(tr)
        if tr.results and any(not r.empty for r in tr.results) and sum(v.compared for vs in found.values() for v in vs) == 0:
            yield self.problem(tr, f"compared 0 instants with the truth ({tr.measure.description}) in "
                                   f"{len(found)} scenario(s) with data: a comparison of nothing proves nothing")
            return
        for scenario, items in found.items():
            wrong = [v for v in items if not v.ok]
            if not wrong or is_double(items):
                continue  # agreement, or query/double-count's finding
            first = wrong[0]
            run = tr.runs[scenario]
            label = f" {tr.measure.series_label}={first.key}" if first.key and tr.measure.series_label else ""
            more = f" (+{len(wrong) - 1} more series)" if len(wrong) > 1 else ""
            if not first.compared:
                message = (f"compared 0 instants with the truth ({tr.measure.description}{label}) in {scenario}: "
                           f"{first.note}")
            else:
                message = (f"shows {first.panel:.4g} but the truth ({tr.measure.description}{label}) is "
                           f"{first.truth:.4g} in {scenario} [{tr.measure.kind}; allowed {_describe(first)}]{more}")
            known = known_deviation(tr.measure.name, run.spec.faults, run.era)
            if known:
                yield self.problem(tr, f"{message}; known duroxide limitation: {known}", Severity.WARNING, first.note)
                continue
            yield self.problem(tr, message, details=first.note)
            return


RULE = Truth()
