"""Active orchestration count: too many in flight, or climbing (stuck orchestrations)."""

from generator import queries as q
from generator.alerting.helpers import concrete, dashboard, job_selector
from generator.alerting.model import AlertRule, Threshold
from generator.catalogue import ORCHESTRATION_PREFIX
from generator.config import Config

GROUP = "toygres-orchestrations"


def rules(c: Config) -> list[AlertRule]:
    active = concrete(c, q.active_orchestrations(c))
    sel = f'{job_selector(c)}, orchestration_name="{ORCHESTRATION_PREFIX}create-instance"'
    # Creates started in the last 30 minutes (a brand-new instance's first turn is the only one
    # with version="unknown") minus creates finished (success or failed) in them: the growth
    # of unfinished creates. Healthy creates finish in ~1 minute, so this stays near 0; the
    # active gauge does not show stuck creates (deletes end actors as fast as creates hang).
    unfinished = (f'(sum(increase(duroxide_orchestration_starts_total{{{sel}, version="unknown"}}[30m])) '
                  f'or vector(0)) - (sum(increase(duroxide_orchestration_completions_total{{{sel}, '
                  f'status=~"success|failed"}}[30m])) or vector(0))')
    common = dict(group=GROUP, dashboard_uid=dashboard("active_orchestrations"),
                  panel_title="Active orchestrations")
    return [
        AlertRule(
            "ToygresActiveOrchestrationsHigh", query=active,
            threshold=Threshold(">", c.active_warning), for_="10m", severity="warning",
            summary="More orchestrations in flight than Toygres normally runs",
            description=("{{ $value }} orchestrations are active (normal: 10-50, one actor per "
                         f"live instance). Above {c.active_warning} work is piling up."),
            # A single batch-create (at most 50) on a 30-instance fleet peaks at ~80: legitimate,
            # not piling up. A runaway client's 250 creates is.
            fires_in=("runaway-client",), **common),
        AlertRule(
            "ToygresActiveOrchestrationsCritical", query=active,
            threshold=Threshold(">", c.active_critical), for_="5m", severity="critical",
            summary="Far more orchestrations in flight than Toygres can be running",
            description=(f"{{{{ $value }}}} orchestrations are active (critical above "
                         f"{c.active_critical}); creates are likely stuck."),
            fires_in=("runaway-client",), **common),
        AlertRule(
            "ToygresOrchestrationsStuck", query=unfinished,
            threshold=Threshold(">", c.stuck_creates_warning), for_="10m", severity="warning",
            summary="Instance creates start but do not finish: orchestrations are stuck",
            description=("{{ $value | humanize }} more create-instance orchestrations started than "
                         "finished in the last 30 minutes; creates are hanging (pods not ready, or "
                         "waiting on the create-semaphore?)."),
            # A batch of 50 creates while pods never become ready. stuck-orchestrations alone
            # fires too, but only once 10 of its creates (15/h) have hung: ~40 minutes.
            fires_in=("burst+stuck-orchestrations",), **common),
    ]
