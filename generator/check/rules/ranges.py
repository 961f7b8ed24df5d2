"""query/range: values a panel's unit makes impossible (ratios outside [0,1], negative rates)."""

from __future__ import annotations

import math
from typing import Iterable

from generator.check.evaluate import values
from generator.check.expectations import KNOWN_NEGATIVE
from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem, Severity

RATIO_UNITS = {"percentunit": (0.0, 1.0), "percent": (0.0, 100.0)}
NON_NEGATIVE = {"s", "ms", "us", "ns", "ops", "reqps", "rps", "wps", "opm", "short", "none", "bytes"}


class Range(OnlineRule):
    id = "query/range"
    description = "Values fit the unit: ratios in [0,1], percentages in [0,100], no negative durations or rates."

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        unit = tr.unit
        for result in tr.results:
            found = [v for v in values(result) if not math.isnan(v)]
            if not found:
                continue
            low, high = min(found), max(found)
            if unit in RATIO_UNITS:
                lo, hi = RATIO_UNITS[unit]
                if low < lo - 1e-9 or high > hi + 1e-9:
                    yield self.problem(tr, f"unit {unit} but values range {low:g}..{high:g} in {result.scenario} (outside [{lo:g}, {hi:g}])")
                    return
            elif unit in NON_NEGATIVE and low < -1e-9:
                run = tr.runs.get(result.scenario)
                known = next((reason for (metric, era), reason in KNOWN_NEGATIVE.items()
                              if run is not None and run.era == era and metric in tr.target.expr), None)
                message = (f"negative value {low:g} in {result.scenario} for unit {unit}: a counter "
                           "difference across a reset, or arithmetic on raw counters")
                if known:
                    yield self.problem(tr, f"negative value {low:g} in {result.scenario}; known duroxide "
                                           f"limitation: {known}", Severity.WARNING)
                else:
                    yield self.problem(tr, message)
                return
            if any(math.isinf(v) for v in found):
                yield self.problem(tr, f"infinite value in {result.scenario} (division by zero?)")
                return


RULE = Range()
