"""Triage: classify every event, decide answer / thank / ignore / block, merge floods, keep a bounded queue."""
