"""The alert proof: every compiled rule against simulated faults and healthy days in a real
Prometheus (detection latency, false positives), the promtool unit tests generated from the
simulator, and their reporters. Reads compiled output only (rule files and check/alerts.json)."""
