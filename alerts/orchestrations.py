"""Active orchestration count: too many in flight, or climbing (stuck orchestrations)."""

from generator import queries as q
from generator.alerting.helpers import concrete, runbook
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-orchestrations"


def rules(c: Config) -> list[AlertRule]:
    active = concrete(c, q.active_orchestrations(c))
    common = dict(group=GROUP, dashboard_uid="toygres-active-orchestrations",
                  panel_title="Active orchestrations")
    return [
        AlertRule(
            "ToygresActiveOrchestrationsHigh", query=active,
            threshold=Threshold(">", c.active_warning), for_="10m", severity="warning",
            summary="More orchestrations in flight than Toygres normally runs",
            description=("{{ $value }} orchestrations are active (normal: 10-50, one actor per "
                         f"live instance). Above {c.active_warning} work is piling up."),
            runbook_url=runbook(c, "ToygresActiveOrchestrationsHigh"), fires_in=("burst",), **common),
        AlertRule(
            "ToygresActiveOrchestrationsCritical", query=active,
            threshold=Threshold(">", c.active_critical), for_="5m", severity="critical",
            summary="Far more orchestrations in flight than Toygres can be running",
            description=(f"{{{{ $value }}}} orchestrations are active (critical above "
                         f"{c.active_critical}); creates are likely stuck."),
            runbook_url=runbook(c, "ToygresActiveOrchestrationsCritical"), fires_in=(), **common),
        AlertRule(
            "ToygresOrchestrationsStuck",
            # Climbing for half an hour with no matching completions: creates hang.
            query=f"delta({active}[30m:1m])",
            threshold=Threshold(">", 10), for_="10m", severity="warning",
            summary="The active orchestration count keeps climbing: orchestrations are stuck",
            description=("{{ $value }} more orchestrations are active than 30 minutes ago and the "
                         "count keeps rising; creates are hanging (wait-for-ready?)."),
            runbook_url=runbook(c, "ToygresOrchestrationsStuck"),
            fires_in=("stuck-orchestrations",), **common),
    ]
