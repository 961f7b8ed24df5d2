"""`dashgen import`: Grafana dashboard JSON -> definition modules in the house style.

reader (is it a dashboard) -> migrate + legacy (old layouts and panel types, as Grafana migrates
them) -> plan (builder calls, named queries) -> module (compile each call, carry the difference
verbatim, render with code) -> verify (compile the module's source and compare).
"""
