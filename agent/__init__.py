"""livehost core: events, triage, knowledge, replies, guards, the show director and speech.

The core never imports a platform, a renderer or a web framework; adapters live in ``connectors``.
"""
