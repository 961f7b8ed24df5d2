"""Every sample holds the state at its own timestamp: a process is scraped a fixed offset before
the aligned instant, and that is the instant its sample carries. No sample stamped before a
fault may show the fault (before, samples stamped up to 14 s early showed it)."""

from __future__ import annotations

import statistics

from tests.sim.helpers import END, HOUR_WINDOW, read_openmetrics, simulate

SUM = "duroxide_provider_operation_duration_seconds_sum"
COUNT = "duroxide_provider_operation_duration_seconds_count"


def _mean_latency_per_scrape(result) -> list[tuple[float, float]]:
    """(timestamp, mean provider latency of the operations recorded since the previous scrape)."""
    totals: dict[float, list[float]] = {}
    for series in read_openmetrics(result.openmetrics(), SUM, COUNT):
        index = 0 if series.name == SUM else 1
        for ts, value in series.samples:
            totals.setdefault(ts, [0.0, 0.0])[index] += value
    ordered = sorted(totals.items())
    return [(t, (s - s0) / (c - c0)) for (_, (s0, c0)), (t, (s, c)) in zip(ordered, ordered[1:]) if c > c0]


def test_no_sample_stamped_before_the_onset_shows_the_slow_store():
    result = simulate(["database-slow"], **HOUR_WINDOW)
    onset = result.header["onset"]
    means = _mean_latency_per_scrape(result)
    healthy = statistics.median(m for t, m in means if t < onset - 300)
    # database-slow multiplies store latency by ~20: the first scrape that sees it is after onset.
    first_slow = min(t for t, m in means if m > 5 * healthy)
    assert onset < first_slow <= onset + 15
    assert all(t != int(t) for t, _ in means)  # stamped at the scrape's own (offset) instant
    assert max(t for t, _ in means) <= END
