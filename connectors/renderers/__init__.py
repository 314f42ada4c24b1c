"""Renderers: sinks for render events (browser overlay, VTube Studio, OBS, LiveTalking)."""
