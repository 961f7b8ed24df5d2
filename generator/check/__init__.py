"""`dashgen check`: every panel's queries evaluated against the simulated workload in a real
Prometheus, and compared with the simulation's ground truth."""
