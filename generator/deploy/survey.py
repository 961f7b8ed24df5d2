"""The read phase: one search plus one GET per existing dashboard (concurrently), folder, data
source and alerting reads, turned into a Plan. Makes no write request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping

from generator.config import Config
from generator.deploy import alerting
from generator.deploy.client import GrafanaClient
from generator.deploy.compiled import CompiledDashboard, CompiledOutput
from generator.deploy.errors import DeployError
from generator.deploy.plan import (
    Action,
    Plan,
    Resource,
    plan_dashboard,
    plan_folder,
    plan_prune,
    plan_resource,
)


@dataclass(frozen=True)
class SurveyOptions:
    """What to look at: a subset of dashboards, whether removed ones are pruned, --force."""

    only: frozenset[str] = frozenset()
    prune: bool = False
    force: bool = False
    alerts_editable: bool = False
    include_alerting: bool = True


def select_dashboards(compiled: CompiledOutput, only: frozenset[str]) -> list[CompiledDashboard]:
    """The compiled dashboards --only names (all when empty); unknown uids are an error."""
    if not only:
        return list(compiled.dashboards)
    known = {d.uid for d in compiled.dashboards}
    unknown = sorted(only - known)
    if unknown:
        raise DeployError(f"--only: not a compiled dashboard: {', '.join(unknown)} "
                          f"(compiled: {', '.join(sorted(known)) or 'none'})")
    return [d for d in compiled.dashboards if d.uid in only]


def _dashboard_actions(client: GrafanaClient, config: Config, compiled: CompiledOutput,
                       options: SurveyOptions) -> list[Action]:
    selected = select_dashboards(compiled, options.only)
    # One listing tells which uids exist, so absent dashboards cost no read at all.
    hits = client.search_dashboards()
    existing = {str(h.get("uid")) for h in hits}
    to_read = [d for d in selected if d.uid in existing]
    with ThreadPoolExecutor(max_workers=client.settings.concurrency) as pool:
        lives = dict(zip((d.uid for d in to_read), pool.map(lambda d: client.get_dashboard(d.uid), to_read)))
    actions = [plan_dashboard(d, lives.get(d.uid), config.folder_uid, force=options.force) for d in selected]
    if not options.only:
        compiled_uids = {d.uid for d in compiled.dashboards}
        actions += plan_prune(hits, compiled_uids, config.managed_tag, {config.folder_uid}, prune=options.prune)
    return actions


def _alerting_actions(client: GrafanaClient, config: Config, compiled: CompiledOutput,
                      options: SurveyOptions, environ: Mapping[str, str]) -> list[Action]:
    actions: list[Action] = []
    provenance = "" if options.alerts_editable else "api"
    points = alerting.contact_points(compiled.alerting, environ)
    if points:
        live_points = {str(p.get("uid")): p for p in client.list_contact_points()}
        for point in points:
            live = live_points.get(point.uid)
            actions.append(plan_resource(
                Resource.CONTACT_POINT, point.uid, point.name, point.body,
                alerting.comparable_contact_point(point.body),
                alerting.comparable_contact_point(live, point.body) if live else None, live))
    tree = alerting.policy_tree(compiled.alerting)
    if tree is not None:
        live_tree = client.get_policies()
        actions.append(plan_resource(
            Resource.POLICIES, "notification-policies", str(tree.get("receiver")), tree,
            alerting.comparable_policies(tree), alerting.comparable_policies(live_tree) if live_tree else None,
            live_tree))
    for group in alerting.rule_groups(compiled.alerting, config):
        live_group = client.get_rule_group(group.folder_uid, group.name)
        if live_group is not None and not live_group.get("rules"):
            live_group = None
        actions.append(plan_resource(
            Resource.RULE_GROUP, f"{group.folder_uid}/{group.name}", group.name, group.body,
            alerting.comparable_group(group.body, provenance),
            alerting.comparable_group(live_group, provenance) if live_group else None, live_group))
    return actions


def survey(client: GrafanaClient, config: Config, compiled: CompiledOutput, options: SurveyOptions,
           environ: Mapping[str, str] | None = None) -> Plan:
    """Read Grafana and plan every action; raises a DeployError naming what could not be read."""
    health = client.health()
    folder = plan_folder(config.folder_uid, config.folder_title, client.get_folder(config.folder_uid))
    missing = tuple(ds for ds in compiled.datasources if client.get_datasource(ds.uid) is None)
    actions: list[Action] = [folder]
    actions += _dashboard_actions(client, config, compiled, options)
    if options.include_alerting and not options.only:
        actions += _alerting_actions(client, config, compiled, options, environ or {})
    return Plan(actions=tuple(actions), missing_datasources=missing,
                grafana_version=str(health.get("version", "")))

