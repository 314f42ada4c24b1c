"""One shared helper per need, for the core and the connectors alike: atomic files with history, backoff and
retry, rate limits, de-duplication."""
