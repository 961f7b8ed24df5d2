"""Prometheus / Overview (imported by `dashgen import`)."""

# Imported from prometheus-operator--kube-prometheus--prometheus-2021.json (no uid); edit this
#   module, not the JSON.
# Migrated (docs/import.md):
#   - export metadata not carried (Grafana sets it): version
#   - the original has no uid: the module name gives it one (toygres-<name>)
#   - rows layout (schemaVersion 14) -> row panels and gridPos (schemaVersion 16 migration: span x 2
#     columns, ceil(px / 38) rows)
#   - 12 data source name(s) -> {type, uid} references (schemaVersion 33 migration; names that are
#     no variable keep the name as uid: check it)
#   - table-old -> table (Grafana's migration): "Prometheus Stats"
#   - obsolete query keys not carried (Grafana ignores them): step: "Prometheus Stats", "Target
#     Sync", "Targets", "Average Scrape Interval Duration", "Scrape failures", "Appended Samples",
#     "Head Series", "Head Chunks", "Query Rate", "Stage Duration"
#   - graph -> timeseries (Grafana's migration): "Target Sync", "Targets", "Average Scrape Interval
#     Duration", "Scrape failures", "Appended Samples", "Head Series" and 3 more
#   - legacy graph settings not carried: nullPointMode null as zero: "Target Sync", "Targets",
#     "Average Scrape Interval Duration", "Scrape failures", "Appended Samples", "Head Series",
#     "Head Chunks", "Query Rate", "Stage Duration"
#   - panel ids renumbered in reading order (viewPanel links change): 1->2, 2->4, 3->5, 4->7, 5->8,
#     6->9, 7->11, 8->12, 9->14, 10->15, 11->1, 12->3, 13->6, 14->10, 15->13
# Carried over verbatim (the builders cannot express it; nothing else was dropped):
#   - panel "Prometheus Stats": raw_panel, panel type 'table' has no builder
#   - panel "Target Sync": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Targets": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Average Scrape Interval Duration": fieldConfig.defaults.custom,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Scrape failures": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor,
#     targets[1].intervalFactor, targets[2].intervalFactor, targets[3].intervalFactor
#   - panel "Appended Samples": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Head Series": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Head Chunks": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Query Rate": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Stage Duration": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - variable "datasource": regex
#   - variable "job": current, refresh, regex, sort, tagValuesQuery, tags, tagsQuery, useTags
#   - variable "instance": current, refresh, regex, sort, tagValuesQuery, tags, tagsQuery, useTags
#   - dashboard: annotations, graphTooltip, hideControls, style, timepicker, timezone
# On compile (house conventions, docs/import.md): keys the original leaves unset take the builders'
#   values, the description gains the generated-file note, tags gain 'toygres-managed' and
#   'toygres', the 'Toygres dashboards' link is added and schemaVersion is 39.

from generator.authoring.dashboard import DashboardSpec, Row, Variable
from generator.authoring.panels import PROMETHEUS_DS, prom, timeseries
from generator.authoring.verbatim import raw_panel, verbatim
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    return DashboardSpec(
        title="Prometheus / Overview",
        description="",
        rows=(
            Row("Prometheus Stats", [
                raw_panel(
                    {
                        "type": "table",
                        "title": "Prometheus Stats",
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                        "targets": [
                            {
                                "expr": "count by (job, instance, version) "
                                        '(prometheus_build_info{job=~"$job", instance=~"$instance"})',
                                "format": "table",
                                "instant": True,
                                "intervalFactor": 2,
                                "legendFormat": "",
                                "refId": "A",
                                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                            },
                            {
                                "expr": "max by (job, instance) (time() - "
                                        'process_start_time_seconds{job=~"$job", instance=~"$instance"})',
                                "format": "table",
                                "instant": True,
                                "intervalFactor": 2,
                                "legendFormat": "",
                                "refId": "B",
                                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                            },
                        ],
                        "fieldConfig": {
                            "defaults": {"custom": {"align": "auto", "displayMode": "auto"}},
                            "overrides": [
                                {
                                    "matcher": {"id": "byName", "options": "Time"},
                                    "properties": [
                                        {"id": "displayName", "value": "Time"},
                                        {"id": "custom.hidden", "value": True},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "Value #A"},
                                    "properties": [
                                        {"id": "displayName", "value": "Count"},
                                        {"id": "custom.hidden", "value": True},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "Value #B"},
                                    "properties": [
                                        {"id": "displayName", "value": "Uptime"},
                                        {"id": "unit", "value": "short"},
                                        {"id": "decimals", "value": 2},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "instance"},
                                    "properties": [
                                        {"id": "displayName", "value": "Instance"},
                                        {"id": "unit", "value": "short"},
                                        {"id": "decimals", "value": 2},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "job"},
                                    "properties": [
                                        {"id": "displayName", "value": "Job"},
                                        {"id": "unit", "value": "short"},
                                        {"id": "decimals", "value": 2},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "version"},
                                    "properties": [
                                        {"id": "displayName", "value": "Version"},
                                        {"id": "unit", "value": "short"},
                                        {"id": "decimals", "value": 2},
                                    ],
                                },
                            ],
                        },
                        "options": {"showHeader": True},
                        "transformations": [{"id": "merge", "options": {}}],
                    },
                    height=7,
                ),
            ]),
            Row("Discovery", [
                timeseries(
                    "Target Sync",
                    "",
                    [
                        prom(
                            'sum(rate(prometheus_target_sync_length_seconds_sum{job=~"$job",instance=~"$instance"}[5m])) '
                            "by (scrape_job) * 1e3",
                            "{{scrape_job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="ms",
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {"defaults": {"custom": {"pointSize": 10}}},
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Targets",
                    "",
                    [
                        prom(
                            'sum(prometheus_sd_discovered_targets{job=~"$job",instance=~"$instance"})',
                            "Targets",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Retrieval", [
                timeseries(
                    "Average Scrape Interval Duration",
                    "",
                    [
                        prom(
                            'rate(prometheus_target_interval_length_seconds_sum{job=~"$job",instance=~"$instance"}[5m]) '
                            "/ "
                            'rate(prometheus_target_interval_length_seconds_count{job=~"$job",instance=~"$instance"}[5m]) '
                            "* 1e3",
                            "{{interval}} configured",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="ms",
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {"defaults": {"custom": {"pointSize": 10}}},
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Scrape failures",
                    "",
                    [
                        prom(
                            "sum by (job) (rate(prometheus_target_scrapes_exceeded_sample_limit_total[1m]))",
                            "exceeded sample limit: {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                        prom(
                            "sum by (job) (rate(prometheus_target_scrapes_sample_duplicate_timestamp_total[1m]))",
                            "duplicate timestamp: {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                        prom(
                            "sum by (job) (rate(prometheus_target_scrapes_sample_out_of_bounds_total[1m]))",
                            "out of bounds: {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                        prom(
                            "sum by (job) (rate(prometheus_target_scrapes_sample_out_of_order_total[1m]))",
                            "out of order: {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Appended Samples",
                    "",
                    [
                        prom(
                            'rate(prometheus_tsdb_head_samples_appended_total{job=~"$job",instance=~"$instance"}[5m])',
                            "{{job}} {{instance}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Storage", [
                timeseries(
                    "Head Series",
                    "",
                    [
                        prom(
                            'prometheus_tsdb_head_series{job=~"$job",instance=~"$instance"}',
                            "{{job}} {{instance}} head series",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Head Chunks",
                    "",
                    [
                        prom(
                            'prometheus_tsdb_head_chunks{job=~"$job",instance=~"$instance"}',
                            "{{job}} {{instance}} head chunks",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Query", [
                timeseries(
                    "Query Rate",
                    "",
                    [
                        prom(
                            'rate(prometheus_engine_query_duration_seconds_count{job=~"$job",instance=~"$instance",slice="inner_eval"}[5m])',
                            "{{job}} {{instance}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Stage Duration",
                    "",
                    [
                        prom(
                            "max by (slice) "
                            '(prometheus_engine_query_duration_seconds{quantile="0.9",job=~"$job",instance=~"$instance"}) '
                            "* 1e3",
                            "{{slice}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="ms",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
        ),
        variables=(
            Variable(
                "datasource",
                "datasource",
                "",
                "prometheus",
                "default",
                extra=verbatim({"regex": ""}),
            ),
            Variable(
                "job",
                "query",
                "job",
                "label_values(prometheus_build_info, job)",
                "$__all",
                multi=True,
                include_all=True,
                all_value=".+",
                datasource=PROMETHEUS_DS,
                extra=verbatim({
                    "current": {"selected": True},
                    "refresh": 1,
                    "regex": "",
                    "sort": 2,
                    "tagValuesQuery": "",
                    "tags": [],
                    "tagsQuery": "",
                    "useTags": False,
                }),
            ),
            Variable(
                "instance",
                "query",
                "instance",
                "label_values(prometheus_build_info, instance)",
                "$__all",
                multi=True,
                include_all=True,
                all_value=".+",
                datasource=PROMETHEUS_DS,
                extra=verbatim({
                    "current": {"selected": True},
                    "refresh": 1,
                    "regex": "",
                    "sort": 2,
                    "tagValuesQuery": "",
                    "tags": [],
                    "tagsQuery": "",
                    "useTags": False,
                }),
            ),
        ),
        tags=("prometheus-mixin",),
        time_from="now-1h",
        refresh="60s",
        extra=verbatim({
            "annotations": {"list": []},
            "graphTooltip": 0,
            "hideControls": False,
            "style": "dark",
            "timepicker": {
                "refresh_intervals": [
                    "5s",
                    "10s",
                    "30s",
                    "1m",
                    "5m",
                    "15m",
                    "30m",
                    "1h",
                    "2h",
                    "1d",
                ],
                "time_options": ["5m", "15m", "1h", "6h", "12h", "24h", "2d", "7d", "30d"],
            },
            "timezone": "utc",
        }),
    )
