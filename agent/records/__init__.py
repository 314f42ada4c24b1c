"""What the show keeps: the on-air record and the audit trail, in SQLite."""
