"""Adapters around the core: platforms (event sources), renderers (sinks) and the web server."""
