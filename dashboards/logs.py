"""Toygres Logs (Loki): what duroxide writes, the store and dispatcher trouble first.

Every panel declares the lines it shows (`shows=`, generator/check/log_claims.py) and `dashgen
check` proves it against the simulated events. With no instance chosen nothing is filtered out
(store errors name no instance); with one chosen, lines naming it as `instance_id=` (lifecycle
and outcome lines) or `instance=` (the dispatchers' warnings) match.
"""

from generator import queries as q
from generator.authoring import logql
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, LOKI_DS, Step, logs, loki, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    instance = logql.with_instance(c)
    slow = instance + ' |= "duration_ms=" | logfmt | duration_ms > 1000'
    return DashboardSpec(
        title="Toygres Logs",
        description="duroxide's log lines from Loki: store and dispatcher trouble first, then every "
                    "warning and error, orchestration and activity lines; filter by instance id.",
        rows=(
            Row("Incident: the store and the dispatchers", [
                logs("Store and dispatcher trouble",
                     "Open this first in a database incident. duroxide's dispatchers failing to fetch "
                     "or ack (with the store's error and the retry backoff), duroxide-pg's own "
                     "'Retryable error, will retry' lines, session and lock renewal failures, "
                     "poisoned messages and the turns they abort. Store errors name no instance. "
                     "Good: empty.",
                     loki(logql.trouble(c, instance=True)), shows="store + poison + dispatcher"),
                timeseries("Store and dispatcher trouble per interval",
                           "Lines of the panel beside, per interval and level. A database outage "
                           "writes per orchestration slot three duroxide-pg retries and one WARN every "
                           "~2 minutes, per worker slot one WARN every ~30 s; a slow store writes ack "
                           "retries. Good: none.",
                           [loki(q.trouble_log_rate(c), "{{level}}")], unit="short",
                           datasource=LOKI_DS, steps=[Step(GREEN), Step(RED, 1)],
                           shows="store + poison + dispatcher"),
            ]),
            Row("Volume", [
                timeseries("Log volume by level",
                           "Lines per interval by level. Good: DEBUG/INFO dominate; WARN are "
                           "application failures or store trouble, ERROR infrastructure, "
                           "configuration or poison failures.",
                           [loki(q.log_volume_by_level(c), "{{level}}")],
                           unit="short", datasource=LOKI_DS, stack=True, shows="every line"),
                timeseries("Errors",
                           "ERROR lines per interval (orchestrations failed by infrastructure, "
                           "configuration or poison). A database outage is logged at WARN: see the "
                           "trouble panels. Good: none.",
                           [loki(q.error_log_rate(c), "errors")],
                           unit="short", datasource=LOKI_DS, steps=[Step(GREEN), Step(RED, 1)],
                           shows="errors"),
            ]),
            Row("Lines", [
                logs("Errors and warnings",
                     "Every WARN and ERROR line: store trouble, poison, failed activities and "
                     "orchestrations. Good: few.",
                     loki(instance + logql.levels_filter(("warn", "error"))),
                     shows="warnings and errors"),
                logs("Orchestration logs",
                     "Orchestration lifecycle and outcome lines (started, completed, continued as "
                     "new, failed) and the orchestrations' own traces.",
                     loki(instance + ' |~ " duroxide::(?:runtime: Orchestration |orchestration: )"'),
                     shows="orchestrations"),
                logs("Activity logs",
                     "Activity started, completed and failed lines and the activities' own traces.",
                     loki(instance + ' |~ " duroxide::(?:runtime: Activity (?:started|completed|failed)|activity: )"'),
                     shows="activities"),
            ]),
            Row("Parsed fields", [
                timeseries("Slow activities (duration_ms > 1000)",
                           "Activity outcome lines parsed with logfmt whose duration_ms exceeds 1 s, "
                           "per activity. Good: only deploy-postgres-v2 and get-connection-strings.",
                           [loki(f"sum by (activity_name) ({logql.count_over_time(slow)})",
                                 "{{activity_name}}")],
                           unit="short", datasource=LOKI_DS, shows="slow activities"),
            ]),
        ),
        variables=(v.loki_datasource(c), v.instance_id()),
        tags=("logs",),
    )
