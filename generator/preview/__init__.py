"""Dashboard previews: each dashboard drawn as an HTML page (jinja2 templates, uPlot time series,
Grafana's dark theme) filled with a simulated scenario's real query results, then screenshotted
with headless Chromium. Not pixel-identical to Grafana."""
