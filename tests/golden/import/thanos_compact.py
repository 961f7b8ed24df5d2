"""Thanos / Compact (imported by `dashgen import`)."""

# Imported from thanos-io--thanos--compact.json (uid 651943d05a8123e32867b4673963f42b); edit this
#   module, not the JSON.
# Migrated (docs/import.md):
#   - export metadata not carried (Grafana sets it): version
#   - rows layout (schemaVersion 14) -> row panels and gridPos (schemaVersion 16 migration: span x 2
#     columns, ceil(px / 38) rows)
#   - 20 data source name(s) -> {type, uid} references (schemaVersion 33 migration; names that are
#     no variable keep the name as uid: check it)
#   - graph -> timeseries (Grafana's migration): "Rate", "Errors", "Rate", "Errors", "Rate",
#     "Errors" and 13 more
#   - legacy graph settings not carried: nullPointMode null as zero: "Rate", "Errors", "Rate",
#     "Errors", "Rate", "Errors", "Deletion Rate", "Deletion Error Rate", "Marking Rate", "Rate",
#     "Errors", "Rate", "Errors", "Memory Used", "Goroutines", "GC Time Quantiles"
#   - obsolete query keys not carried (Grafana ignores them): step: "Rate", "Errors", "Rate",
#     "Errors", "Rate", "Errors", "Duration", "Deletion Rate", "Deletion Error Rate", "Marking
#     Rate", "Rate", "Errors", "Duration", "Rate", "Errors", "Duration", "Memory Used",
#     "Goroutines", "GC Time Quantiles"
#   - legacy graph settings not carried: nullPointMode null as zero, seriesOverrides fillGradient:
#     "Duration", "Duration", "Duration"
#   - panel ids renumbered in reading order (viewPanel links change): 1->2, 2->3, 3->5, 4->6, 5->8,
#     6->9, 7->10, 8->12, 9->13, 10->14, 11->16, 12->17, 13->18, 14->20, 15->21, 16->22, 17->24,
#     18->25, 19->26, 20->1, 21->4, 22->7, 23->11, 24->15, 25->19, 26->23
# Carried over verbatim (the builders cannot express it; nothing else was dropped):
#   - panel "Rate": fieldConfig.defaults.custom, options.legend.displayMode, options.tooltip.mode,
#     options.tooltip.sort, targets[0].intervalFactor
#   - panel "Errors": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Rate": fieldConfig.defaults.custom, options.legend.displayMode, options.tooltip.mode,
#     options.tooltip.sort, targets[0].intervalFactor
#   - panel "Errors": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Rate": fieldConfig.defaults.custom, options.legend.displayMode, options.tooltip.mode,
#     options.tooltip.sort, targets[0].intervalFactor
#   - panel "Errors": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Duration": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor, targets[0].logBase, targets[1].intervalFactor, targets[1].logBase,
#     targets[2].intervalFactor, targets[2].logBase
#   - panel "Deletion Rate": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Deletion Error Rate": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Marking Rate": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "Rate": fieldConfig.defaults.custom, options.legend.displayMode, options.tooltip.mode,
#     options.tooltip.sort, targets[0].intervalFactor
#   - panel "Errors": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Duration": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor, targets[0].logBase, targets[1].intervalFactor, targets[1].logBase,
#     targets[2].intervalFactor, targets[2].logBase
#   - panel "Rate": fieldConfig.defaults.custom, options.legend.displayMode, options.tooltip.mode,
#     options.tooltip.sort, targets[0].intervalFactor
#   - panel "Errors": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor
#   - panel "Duration": fieldConfig.defaults.custom, fieldConfig.overrides,
#     options.legend.displayMode, options.tooltip.mode, options.tooltip.sort,
#     targets[0].intervalFactor, targets[0].logBase, targets[1].intervalFactor, targets[1].logBase,
#     targets[2].intervalFactor, targets[2].logBase
#   - panel "Memory Used": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor,
#     targets[1].intervalFactor, targets[2].intervalFactor, targets[3].intervalFactor,
#     targets[4].intervalFactor, targets[5].intervalFactor
#   - panel "Goroutines": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - panel "GC Time Quantiles": fieldConfig.defaults.custom, options.legend.displayMode,
#     options.tooltip.mode, options.tooltip.sort, targets[0].intervalFactor
#   - variable "datasource": regex
#   - variable "interval": auto, auto_count, auto_min, refresh
#   - variable "job": current, refresh, regex, sort, tagValuesQuery, tags, tagsQuery, useTags
#   - dashboard: annotations, graphTooltip, hideControls, style, timepicker, timezone
# On compile (house conventions, docs/import.md): keys the original leaves unset take the builders'
#   values, the description gains the generated-file note, tags gain 'toygres-managed' and
#   'toygres', the 'Toygres dashboards' link is added and schemaVersion is 39.

from generator.authoring.dashboard import DashboardSpec, Row, Variable
from generator.authoring.panels import PROMETHEUS_DS, prom, timeseries
from generator.authoring.verbatim import verbatim
from generator.config import Config


def dashboard(c: Config) -> DashboardSpec:
    return DashboardSpec(
        title="Thanos / Compact",
        description="",
        rows=(
            Row("Group Compaction", [
                timeseries(
                    "Rate",
                    "Shows rate of execution for compactions against blocks that are stored in "
                    "the bucket by compaction resolution.",
                    [
                        prom(
                            'sum by (job, resolution) (rate(thanos_compact_group_compactions_total{job=~"$job"}[$__rate_interval]))',
                            "compaction {{job}} {{resolution}}",
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
                    "Errors",
                    "Shows ratio of errors compared to the total number of executed compactions "
                    "against blocks that are stored in the bucket.",
                    [
                        prom(
                            "sum by (job) "
                            '(rate(thanos_compact_group_compactions_failures_total{job=~"$job"}[$interval])) '
                            '/ sum by (job) (rate(thanos_compact_group_compactions_total{job=~"$job"}[$interval]))',
                            "error",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="percentunit",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                            "overrides": [{
                                "matcher": {"id": "byName", "options": "error"},
                                "properties": [{
                                    "id": "color",
                                    "value": {"fixedColor": "#E24D42", "mode": "fixed"},
                                }],
                            }],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Downsample", [
                timeseries(
                    "Rate",
                    "Shows rate of execution for downsampling against blocks that are stored in "
                    "the bucket by compaction resolution.",
                    [
                        prom(
                            'sum by (job, resolution) (rate(thanos_compact_downsample_total{job=~"$job"}[$__rate_interval]))',
                            "downsample {{job}} {{resolution}}",
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
                    "Errors",
                    "Shows ratio of errors compared to the total number of executed "
                    "downsampling against blocks that are stored in the bucket.",
                    [
                        prom(
                            "sum by (job) "
                            '(rate(thanos_compact_downsample_failed_total{job=~"$job"}[$interval])) '
                            '/ sum by (job) (rate(thanos_compact_downsample_total{job=~"$job"}[$interval]))',
                            "error",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="percentunit",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                            "overrides": [{
                                "matcher": {"id": "byName", "options": "error"},
                                "properties": [{
                                    "id": "color",
                                    "value": {"fixedColor": "#E24D42", "mode": "fixed"},
                                }],
                            }],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Garbage Collection", [
                timeseries(
                    "Rate",
                    "Shows rate of execution for removals of blocks if their data is available "
                    "as part of a block with a higher compaction level.",
                    [
                        prom(
                            'sum by (job) (rate(thanos_compact_garbage_collection_total{job=~"$job"}[$__rate_interval]))',
                            "garbage collection {{job}}",
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
                    "Errors",
                    "Shows ratio of errors compared to the total number of executed garbage collections.",
                    [
                        prom(
                            "sum by (job) "
                            '(rate(thanos_compact_garbage_collection_failures_total{job=~"$job"}[$interval])) '
                            '/ sum by (job) (rate(thanos_compact_garbage_collection_total{job=~"$job"}[$interval]))',
                            "error",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="percentunit",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                            "overrides": [{
                                "matcher": {"id": "byName", "options": "error"},
                                "properties": [{
                                    "id": "color",
                                    "value": {"fixedColor": "#E24D42", "mode": "fixed"},
                                }],
                            }],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Duration",
                    "Shows how long has it taken to execute garbage collection in quantiles.",
                    [
                        prom(
                            "histogram_quantile(0.50, sum by (job, le) "
                            '(rate(thanos_compact_garbage_collection_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p50 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.90, sum by (job, le) "
                            '(rate(thanos_compact_garbage_collection_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p90 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.99, sum by (job, le) "
                            '(rate(thanos_compact_garbage_collection_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p99 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                    ],
                    unit="s",
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {"custom": {"pointSize": 10}},
                            "overrides": [
                                {
                                    "matcher": {"id": "byName", "options": "p99"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#FA6400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p90"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#E0B400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p50"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#37872D", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 100},
                                    ],
                                },
                            ],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Blocks deletion", [
                timeseries(
                    "Deletion Rate",
                    "Shows deletion rate of blocks already marked for deletion.",
                    [
                        prom(
                            'sum by (job) (rate(thanos_compact_blocks_cleaned_total{job=~"$job"}[$__rate_interval]))',
                            "Blocks cleanup {{job}}",
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
                    "Deletion Error Rate",
                    "Shows deletion failures rate of blocks already marked for deletion.",
                    [
                        prom(
                            'sum by (job) (rate(thanos_compact_block_cleanup_failures_total{job=~"$job"}[$__rate_interval]))',
                            "Blocks cleanup failures {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
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
                    "Marking Rate",
                    "Shows rate at which blocks are marked for deletion (from GC and retention policy).",
                    [
                        prom(
                            'sum by (job) (rate(thanos_compact_blocks_marked_for_deletion_total{job=~"$job"}[$__rate_interval]))',
                            "Blocks marked {{job}}",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="short",
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
            ]),
            Row("Sync Meta", [
                timeseries(
                    "Rate",
                    "Shows rate of execution for all meta files from blocks in the bucket into "
                    "the memory.",
                    [
                        prom(
                            'sum by (job) (rate(thanos_blocks_meta_syncs_total{job=~"$job"}[$__rate_interval]))',
                            "sync {{job}}",
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
                    "Errors",
                    "Shows ratio of errors compared to the total number of executed meta file sync.",
                    [
                        prom(
                            "sum by (job) "
                            '(rate(thanos_blocks_meta_sync_failures_total{job=~"$job"}[$interval])) '
                            '/ sum by (job) (rate(thanos_blocks_meta_syncs_total{job=~"$job"}[$interval]))',
                            "error",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="percentunit",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                            "overrides": [{
                                "matcher": {"id": "byName", "options": "error"},
                                "properties": [{
                                    "id": "color",
                                    "value": {"fixedColor": "#E24D42", "mode": "fixed"},
                                }],
                            }],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Duration",
                    "Shows how long has it taken to execute meta file sync, in quantiles.",
                    [
                        prom(
                            "histogram_quantile(0.50, sum by (job, le) "
                            '(rate(thanos_blocks_meta_sync_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p50 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.90, sum by (job, le) "
                            '(rate(thanos_blocks_meta_sync_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p90 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.99, sum by (job, le) "
                            '(rate(thanos_blocks_meta_sync_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p99 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                    ],
                    unit="s",
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {"custom": {"pointSize": 10}},
                            "overrides": [
                                {
                                    "matcher": {"id": "byName", "options": "p99"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#FA6400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p90"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#E0B400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p50"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#37872D", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 100},
                                    ],
                                },
                            ],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row("Object Store Operations", [
                timeseries(
                    "Rate",
                    "Shows rate of execution for operations against the bucket.",
                    [
                        prom(
                            'sum by (job, operation) (rate(thanos_objstore_bucket_operations_total{job=~"$job"}[$__rate_interval]))',
                            "{{job}} {{operation}}",
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
                    "Errors",
                    "Shows ratio of errors compared to the total number of executed operations "
                    "against the bucket.",
                    [
                        prom(
                            "sum by (job) "
                            '(rate(thanos_objstore_bucket_operation_failures_total{job=~"$job"}[$interval])) '
                            '/ sum by (job) (rate(thanos_objstore_bucket_operations_total{job=~"$job"}[$interval]))',
                            "error",
                            extra=verbatim({"intervalFactor": 2}),
                        ),
                    ],
                    unit="percentunit",
                    stack=True,
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {
                                "custom": {"lineWidth": 0, "fillOpacity": 100, "pointSize": 10},
                            },
                            "overrides": [{
                                "matcher": {"id": "byName", "options": "error"},
                                "properties": [{
                                    "id": "color",
                                    "value": {"fixedColor": "#E24D42", "mode": "fixed"},
                                }],
                            }],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
                timeseries(
                    "Duration",
                    "Shows how long has it taken to execute operations against the bucket, in quantiles.",
                    [
                        prom(
                            "histogram_quantile(0.50, sum by (job, le) "
                            '(rate(thanos_objstore_bucket_operation_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p50 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.90, sum by (job, le) "
                            '(rate(thanos_objstore_bucket_operation_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p90 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                        prom(
                            "histogram_quantile(0.99, sum by (job, le) "
                            '(rate(thanos_objstore_bucket_operation_duration_seconds_bucket{job=~"$job"}[$interval]))) '
                            "* 1",
                            "p99 {{job}}",
                            extra=verbatim({"intervalFactor": 2, "logBase": 10}),
                        ),
                    ],
                    unit="s",
                    legend_calcs=[],
                    height=7,
                    extra=verbatim({
                        "fieldConfig": {
                            "defaults": {"custom": {"pointSize": 10}},
                            "overrides": [
                                {
                                    "matcher": {"id": "byName", "options": "p99"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#FA6400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p90"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#E0B400", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 10},
                                    ],
                                },
                                {
                                    "matcher": {"id": "byName", "options": "p50"},
                                    "properties": [
                                        {
                                            "id": "color",
                                            "value": {"fixedColor": "#37872D", "mode": "fixed"},
                                        },
                                        {"id": "custom.fillOpacity", "value": 100},
                                    ],
                                },
                            ],
                        },
                        "options": {
                            "legend": {"displayMode": "list"},
                            "tooltip": {"mode": "single", "sort": "none"},
                        },
                    }),
                ),
            ]),
            Row(
                "Resources",
                [
                    timeseries(
                        "Memory Used",
                        "",
                        [
                            prom(
                                'go_memstats_alloc_bytes{job=~"$job"}',
                                "alloc all {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                            prom(
                                'go_memstats_heap_alloc_bytes{job=~"$job"}',
                                "alloc heap {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                            prom(
                                'rate(go_memstats_alloc_bytes_total{job=~"$job"}[30s])',
                                "alloc rate all {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                            prom(
                                'rate(go_memstats_heap_alloc_bytes{job=~"$job"}[30s])',
                                "alloc rate heap {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                            prom(
                                'go_memstats_stack_inuse_bytes{job=~"$job"}',
                                "inuse heap {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                            prom(
                                'go_memstats_heap_inuse_bytes{job=~"$job"}',
                                "inuse stack {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                        ],
                        unit="bytes",
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
                        "Goroutines",
                        "",
                        [
                            prom(
                                'go_goroutines{job=~"$job"}',
                                "{{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                        ],
                        unit="short",
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
                        "GC Time Quantiles",
                        "",
                        [
                            prom(
                                'go_gc_duration_seconds{job=~"$job"}',
                                "{{quantile}} {{instance}}",
                                extra=verbatim({"intervalFactor": 2}),
                            ),
                        ],
                        unit="short",
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
                ],
                collapsed=True,
            ),
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
                "interval",
                "interval",
                "interval",
                "5m,10m,30m,1h,6h,12h",
                "5m",
                extra=verbatim({"auto": True, "auto_count": 300, "auto_min": "10s", "refresh": 2}),
            ),
            Variable(
                "job",
                "query",
                "job",
                'label_values(up{job=~".*thanos-compact.*"}, job)',
                "$__all",
                include_all=True,
                datasource=PROMETHEUS_DS,
                extra=verbatim({
                    "current": {"text": "all"},
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
        tags=("thanos-mixin",),
        time_from="now-1h",
        refresh="10s",
        uid="651943d05a8123e32867b4673963f42b",
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
            "timezone": "UTC",
        }),
    )
