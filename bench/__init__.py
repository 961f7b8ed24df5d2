"""`make bench`: performance figures printed, never asserted in tests (machines are noisy)."""
