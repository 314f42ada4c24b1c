"""The show director: plays the sales script, lets replies interrupt at sentence boundaries, resumes."""
