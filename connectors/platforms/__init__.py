"""Platform connectors: each turns one platform's live events into :class:`agent.events.Event`.

Pick one by name through :mod:`connectors.platforms.registry`; never import a connector module directly
from the core.
"""
