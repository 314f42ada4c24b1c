"""A small error hierarchy: retryable errors may succeed on a later try, fatal ones never will."""

from __future__ import annotations


class LivehostError(Exception):
    """Base of every error livehost raises on purpose."""

    retryable: bool = False


class RetryableError(LivehostError):
    """A transient failure (network, timeout, overloaded server): try again, with backoff."""

    retryable = True


class FatalError(LivehostError):
    """A failure that will not go away by retrying (bad config, bad input, missing file)."""


class ConfigError(FatalError):
    """A setting is wrong; the message names the file, the key and the reason."""


class InputError(FatalError):
    """Bad input data; the message names the file, the line or row and the field."""

    def __init__(self, source: str, line: int | None, field: str | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason
        where = source if line is None else f"{source}:{line}"
        what = f" field '{field}'" if field else ""
        super().__init__(f"{where}:{what} {reason}".replace(": ", ": ", 1))


class ProtocolError(RetryableError):
    """A platform or renderer peer broke its protocol; the connection may be retried."""


class LlmError(RetryableError):
    """The LLM server failed, timed out or returned garbage."""


class LlmRefused(FatalError, LlmError):
    """The LLM provider refused the request itself (authentication, permission, unknown model, malformed
    request): retrying the same request will not help. Still an :class:`LlmError`, so whoever falls back on a
    failed LLM call (the paraphrase says the sheet's words) does so; fatal for whoever retries."""

    retryable = False
