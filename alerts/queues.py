"""Orchestrator and worker queue backlog."""

from generator import queries as q
from generator.alerting.helpers import concrete, dashboard
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-queues"


def rules(c: Config) -> list[AlertRule]:
    common = dict(group=GROUP, dashboard_uid=dashboard("queues_workers"))
    return [
        AlertRule(
            "ToygresOrchestratorQueueBacklog", query=concrete(c, q.orchestrator_queue(c)),
            threshold=Threshold(">", c.orchestrator_queue_warning), for_="5m", severity="warning",
            panel_title="Orchestrator queue depth",
            summary="Orchestration work is waiting for slots",
            description=("{{ $value }} orchestration items are queued (more than "
                         f"{c.orchestrator_queue_warning} for 5 minutes): turns are starved, usually "
                         "because every turn waits on the store."),
            # A load surge does not back this queue up (turns take milliseconds); slow turns do.
            fires_in=("store-lock-contention",),
            **common),
        # No worker-queue backlog rule: on Toygres' newest code the 10-permit create semaphore
        # keeps creates from flooding the 10 worker slots, and no simulated incident holds the
        # worker queue above 20 for 10 minutes (runaway-client: peak ~80, longest 75 s), so such
        # a rule could not be proven to fire (docs/alerts.md). The Worker queue depth panel stays.
    ]
