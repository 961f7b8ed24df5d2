"""Grafana's notification policy translated to Alertmanager's routing tree."""

from __future__ import annotations

import pytest

from generator.config import Config
from generator.errors import DefinitionError
from generator.stack.alertmanager import alertmanager_config, matcher


@pytest.mark.parametrize(("spec", "expected"), [
    (["severity", "=", "critical"], 'severity="critical"'),
    (["severity", "=~", "warning|info"], 'severity=~"warning|info"'),
    (["team", "!=", 'say "hi"'], 'team!="say \\"hi\\""'),
    (["path", "!~", "a\\.b"], 'path!~"a\\\\.b"'),
], ids=["equal", "regex", "quotes-escaped", "backslash-escaped"])
def test_matcher(spec: list[str], expected: str) -> None:
    assert matcher(spec) == expected


def test_a_receiver_without_url_is_an_error_naming_it() -> None:
    with pytest.raises(DefinitionError, match="toygres-pager"):
        alertmanager_config(Config(), {"toygres-tickets": "http://sink/t"})


def test_grafana_only_grouping_labels_are_dropped() -> None:
    route = alertmanager_config(Config(), {"toygres-pager": "http://p", "toygres-tickets": "http://t"})["route"]
    assert "grafana_folder" not in route["group_by"] and "alertname" in route["group_by"]
