"""Active Orchestrations: the honest in-flight count, and why the old formula lied."""

from generator import queries as q
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, YELLOW, Step, prom, stat, text, timeseries
from generator.config import Config

EXPLANATION = """\
### Why not `starts_total - completions_total`?

Toygres' old panel computed active orchestrations as starts minus completions and showed
**~1000** while **10-50** instances were really running. That formula cannot work:

* `duroxide_orchestration_starts_total` counts every **turn** (each processed batch: start,
  activity result, timer), not each instance.
* Both counters are cumulative and **reset** when a process restarts.
* **Continue-as-new** counts as a completion (`status="continuedAsNew"`) while the instance lives
  on: every instance-actor does it every ~31 s.

This dashboard uses duroxide's own gauge `duroxide_active_orchestrations`. Know what it is:

* At start-up and every `gauge_poll_interval` (60 s, duroxide >= 0.1.18) **every process** sets
  it to the store's global count of Running executions: exact at that instant.
* Between polls it only **falls** (-1 per completion or failure in that process). The +1 for a
  new instance never runs, so new instances appear at the next poll; continue-as-new, poison
  and failed acks do not move it.
* So the panels take the **max** over the poll interval (the latest poll's count) and the
  **max** over processes (each reports the same global count: a sum reads N times the truth).
  They can lag by the instances started or ended in the last minute.
* duroxide 0.1.10-0.1.17 (and E1) never re-poll: the gauge is the start-up count minus every
  completion since and drifts below zero. There the panels are wrong by design.
"""


def dashboard(c: Config) -> DashboardSpec:
    steps = [Step(GREEN), Step(YELLOW, c.active_warning), Step(RED, c.active_critical)]
    return DashboardSpec(
        title="Toygres Active Orchestrations",
        description="In-flight orchestration instances from duroxide's gauge.",
        rows=(
            Row("Active now", [
                stat("Active orchestrations",
                     "Instances in flight at duroxide's latest gauge poll (every 60 s, the store's "
                     "exact count), max over processes. Between polls it cannot see new instances: "
                     "it may lag by the instances started or ended in the last minute. Good: 10-50 "
                     f"in normal operation; above {c.active_warning} orchestrations are stuck.",
                     prom(q.active_orchestrations(c)), unit="short", decimals=0, steps=steps,
                     width=8, height=8, measures="active_orchestrations"),
                timeseries("Active orchestrations over time",
                           "The latest poll's count (moves in 60 s steps; exact at each poll, up to "
                           "a minute's starts and ends behind between them). Good: flat, following "
                           "the live instances (one actor each) plus create/delete bumps. A steady "
                           "climb means stuck work.",
                           [prom(q.active_orchestrations(c), "active")], unit="short", steps=steps,
                           width=16, measures="active_orchestrations"),
            ]),
            Row("Per process", [
                timeseries("Active orchestrations per process",
                           "Each process's raw gauge: the global count at its last poll minus its "
                           "own completions since (a saw-tooth that steps up every 60 s). Good: "
                           "every replica jumps to the same value at its poll; a line that only "
                           "falls means no poller (duroxide < 0.1.18) and drifts below zero.",
                           [prom(q.active_orchestrations_per_process(c), "{{instance}}")],
                           unit="short", measures="active_orchestrations_per_process"),
                text("Why not starts minus completions", EXPLANATION, height=9),
            ]),
        ),
        variables=(v.prometheus_datasource(c), v.job(c)),
        tags=("orchestrations",),
    )
