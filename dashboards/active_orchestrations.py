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

This dashboard uses duroxide's own gauge `duroxide_active_orchestrations` (+1 when a brand-new
instance runs its first turn, -1 when it completes or fails, unchanged on continue-as-new),
summed over processes because each replica keeps its own. It works in both export eras
(E1 adds a `state="all"` label that the sum removes).
"""


def dashboard(c: Config) -> DashboardSpec:
    steps = [Step(GREEN), Step(YELLOW, c.active_warning), Step(RED, c.active_critical)]
    return DashboardSpec(
        title="Toygres Active Orchestrations",
        description="In-flight orchestration instances from duroxide's gauge.",
        rows=(
            Row("Active now", [
                stat("Active orchestrations",
                     "Instances in flight now, summed over processes. Good: 10-50 in normal "
                     f"operation; above {c.active_warning} orchestrations are stuck. It can read a "
                     "few high after database errors (a retried first turn counts twice).",
                     prom(q.active_orchestrations(c)), unit="short", decimals=0, steps=steps,
                     width=8, height=8, measures="active_orchestrations"),
                timeseries("Active orchestrations over time",
                           "Good: flat, following the number of live instances (one actor each) "
                           "plus brief create/delete bumps. A steady climb means stuck work.",
                           [prom(q.active_orchestrations(c), "active")], unit="short", steps=steps,
                           width=16, measures="active_orchestrations"),
            ]),
            Row("Per process", [
                timeseries("Active orchestrations per process",
                           "The gauge is per process: each replica counts the instances it "
                           "started. Good: all replicas similar; a replica at 0 after a restart "
                           "is the gauge re-initialising, not lost work.",
                           [prom(q.active_orchestrations(c, ("instance",)), "{{instance}}")],
                           unit="short", measures="active_orchestrations_per_process"),
                text("Why not starts minus completions", EXPLANATION, height=9),
            ]),
        ),
        variables=(v.prometheus_datasource(c), v.job(c)),
        tags=("orchestrations",),
    )
