"""query/slow: a query too costly for a 10 s refresh (samples read, measured by Prometheus)."""

from __future__ import annotations

from typing import Iterable

from generator.check.model import OnlineRule, TargetResults
from generator.problems import Problem, Severity

# Prometheus reads ~10-50 M samples/s per core: 5 M samples is 0.1-0.5 s of one core per panel
# per refresh, too much for a dashboard refreshed every 10 s by several people.
MAX_SAMPLES = 5_000_000


class Slow(OnlineRule):
    id = "query/slow"
    description = f"A query reads at most {MAX_SAMPLES:,} samples over the dashboard's default range."
    severity = Severity.WARNING

    def check(self, tr: TargetResults) -> Iterable[Problem]:
        worst = max(tr.results, key=lambda r: r.samples, default=None)
        if worst is None or not worst.samples:
            return
        window = tr.windows.get(worst.scenario)
        span = (window.end - window.start) if window else 0
        # Scale to the dashboard's default range (6 h) from the window we evaluated.
        scale = max(1.0, 6 * 3600 / span) if span else 1.0
        estimate = worst.samples * scale
        if estimate > MAX_SAMPLES:
            yield self.problem(tr, f"reads ~{estimate:,.0f} samples per refresh over 6 h ({worst.samples:,} over "
                                   f"{span / 3600:.1f} h, {worst.seconds * 1000:.0f} ms): use a recording rule")


RULE = Slow()
