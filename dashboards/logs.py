"""Toygres Logs (Loki): duroxide's log lines, searchable by instance_id."""

from generator import queries as q
from generator.authoring import logql
from generator.authoring import variables as v
from generator.authoring.dashboard import DashboardSpec, Row
from generator.authoring.panels import GREEN, RED, LOKI_DS, Step, logs, loki, timeseries
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    slow = logql.with_instance(c) + ' |= "duration_ms=" | logfmt | duration_ms > 1000'
    return DashboardSpec(
        title="Toygres Logs",
        description="duroxide runtime, orchestration and activity logs from Loki.",
        rows=(
            Row("Volume", [
                timeseries("Log volume by level",
                           "Lines per interval by level. Good: DEBUG/INFO dominate; WARN are "
                           "application failures, ERROR infrastructure or configuration ones.",
                           [loki(q.log_volume_by_level(c), "{{level}}")],
                           unit="short", datasource=LOKI_DS, stack=True),
                timeseries("Errors",
                           "ERROR lines per interval. Good: none.",
                           [loki(q.error_log_rate(c), "errors")],
                           unit="short", datasource=LOKI_DS, steps=[Step(GREEN), Step(RED, 1)]),
            ]),
            Row("Lines", [
                logs("Errors and warnings",
                     "ERROR and WARN lines for the selected instance_id. Good: empty.",
                     loki(f"{logql.with_instance(c)}{logql.level_of(c)} | level=~\"(?i)error|warn\"")),
                logs("Orchestration logs",
                     "duroxide::orchestration lines (turns, completions, continue-as-new) for the "
                     "selected instance_id.",
                     loki(f'{logql.with_instance(c)} |= "duroxide::orchestration"')),
                logs("Activity logs",
                     "Activity started/completed/failed lines with parsed fields for the "
                     "selected instance_id.",
                     loki(f'{logql.with_instance(c)} |= "activity_name=" | logfmt '
                          "| line_format \"{{.activity_name}} {{.outcome}} {{.duration_ms}}ms\"")),
            ]),
            Row("Parsed fields", [
                timeseries("Slow activities (duration_ms > 1000)",
                           "Activity lines parsed with logfmt whose duration_ms exceeds 1 s, per "
                           "activity. Good: only wait-for-ready and deploy-postgres.",
                           [loki(f"sum by (activity_name) ({logql.count_over_time(slow)})",
                                 "{{activity_name}}")],
                           unit="short", datasource=LOKI_DS),
            ]),
        ),
        variables=(v.loki_datasource(c), v.instance_id()),
        tags=("logs",),
    )
