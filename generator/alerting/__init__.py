"""Alert rules as code: definitions under alerts/, compiled to Grafana alerting provisioning
and Prometheus/Loki rule files, linted, and proven against the simulated workload."""
