"""A real Prometheus for checks: backfill simulated history with promtool, run a private
server on 127.0.0.1, query it over the HTTP API, and always clean up."""
