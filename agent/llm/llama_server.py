"""The embedded LLM server process: llama-cpp-python's OpenAI-compatible server with a prompt cache that keeps
the KV state of several prompt prefixes, not only the last one.

Run by :class:`agent.llm.server.EmbeddedLlmServer` as ``python -m agent.llm.llama_server`` with the
arguments of ``python -m llama_cpp.server``. A reply prompt is the fixed instructions, then the facts of the
product asked about, then the comment. With ``--cache true`` every finished request leaves its state in an
LRU cache of ``--cache_size`` bytes, and a later prompt that shares a longer prefix with one of them starts
from there: a second question about a product someone asked about before skips reading its facts again
(on 2 cores the server reads ~100 prompt tokens a second; a product sheet is ~200).

What differs from llama-cpp-python's own RAM cache (pinned version, see pyproject.toml):

- A cached state holds the KV cache and the token ids, not the logits matrix. With ``--logits_all false``
  (livehost asks for no logprobs) sampling never reads that matrix, yet the stock state copies up to
  ``n_batch`` rows of it (~300 MB for Qwen2.5 at n_batch 512) on every save and load, and leaves it out of
  the cache's size, so a long show would run out of memory.
- The context is kept too when it is about to be overwritten and no entry holds it yet: llama-cpp-python
  saves a state only when a completion runs to its end, and livehost closes a reply's stream as soon as
  it has said enough, so most long replies would leave nothing behind.
- ``GET /livehost/prompt_cache`` reports entries, bytes and counters (``resumed``: prompts that started
  from a cached state; ``kept``: contexts saved before being overwritten); ``DELETE`` empties it (and lets
  the current context go), so that a benchmark can start the two runs of a comparison from the same state.
"""

from __future__ import annotations

import argparse
import ctypes
import threading
from collections.abc import Sequence
from typing import Any, cast

import llama_cpp
import numpy as np
from llama_cpp.llama import Llama, LlamaState
from llama_cpp.llama_cache import LlamaRAMCache

_stock_save_state = Llama.save_state
_stock_load_state = Llama.load_state


def save_state(self: Llama) -> LlamaState:
    """``Llama.save_state`` without the logits matrix when it is not kept (``logits_all`` false)."""
    if self._logits_all:
        return _stock_save_state(self)
    size = int(llama_cpp.llama_state_get_size(self._ctx.ctx))
    buf = (ctypes.c_uint8 * size)()
    n_bytes = int(llama_cpp.llama_state_get_data(self._ctx.ctx, buf, size))
    if n_bytes > size:
        raise RuntimeError("Failed to copy llama state data")
    input_ids = self.input_ids.copy()
    input_ids[self.n_tokens:] = -1  # stale ids past the end must not count as a shared prefix
    return LlamaState(
        input_ids=input_ids,
        scores=np.empty((0, self._n_vocab), dtype=np.single),
        n_tokens=self.n_tokens,
        llama_state=bytes(memoryview(buf)[:n_bytes]),
        llama_state_size=n_bytes,
        seed=self._seed,
    )


def load_state(self: Llama, state: LlamaState) -> None:
    """``Llama.load_state`` for a state saved without its logits (the next decode recomputes them)."""
    if self._logits_all or len(state.scores):
        _stock_load_state(self, state)
        return
    self.input_ids = state.input_ids.copy()
    self.n_tokens = state.n_tokens
    self._requires_eval = True
    self._seed = state.seed
    buf = (ctypes.c_uint8 * state.llama_state_size).from_buffer_copy(state.llama_state)
    if llama_cpp.llama_state_set_data(self._ctx.ctx, buf, state.llama_state_size) != state.llama_state_size:
        raise RuntimeError("Failed to set llama state data")


class PromptCache(LlamaRAMCache):
    """The stock LRU RAM cache (longest shared prefix wins), thread-safe, with counters and ``clear``.

    llama-cpp-python looks a prompt up (``cache[prompt]``) before it evaluates it, with the model's lock held:
    that is when the model's current context is kept, if no entry holds it yet.
    """

    instances: list[PromptCache] = []

    def __init__(self, capacity_bytes: int = 2 << 30) -> None:
        super().__init__(capacity_bytes)
        self._lock = threading.Lock()
        self._llama: Llama | None = None
        self._let_go: tuple[int, ...] = ()
        self.hits = 0
        self.misses = 0
        self.kept = 0
        self.resumed = 0  # lookups whose entry was loaded: it shared more of the prompt than the context
        self.last_resumed = 0  # prompt tokens the last lookup resumed from an entry (0: none loaded)
        PromptCache.instances.append(self)

    def bind(self, llama: Llama) -> None:
        self._llama = llama

    def _context(self) -> tuple[int, ...]:
        llama = self._llama
        return tuple(int(t) for t in llama.input_ids[: llama.n_tokens]) if llama is not None else ()

    def _keep_context(self) -> None:
        """Save the model's current context unless an entry already starts with it (or it was let go)."""
        ids = self._context()
        if len(ids) < 2 or ids == self._let_go or self._llama is None:
            return
        n = len(ids)
        if any(len(k) >= n and k[:n] == ids for k in self.cache_state):
            return
        super().__setitem__(ids, self._llama.save_state())
        self.kept += 1

    def __getitem__(self, key: Sequence[int]) -> LlamaState:
        with self._lock:
            self._keep_context()
            try:
                state = super().__getitem__(key)
            except KeyError:
                self.misses += 1
                self.last_resumed = 0
                raise
            self.hits += 1
            # llama-cpp-python loads the entry only when it shares more of the prompt than the context does
            shared = Llama.longest_token_prefix(state.input_ids[: state.n_tokens].tolist(), key)
            in_context = Llama.longest_token_prefix(self._context(), key)
            self.last_resumed = shared if shared > in_context else 0
            self.resumed += shared > in_context
            return state

    def __contains__(self, key: Sequence[int]) -> bool:
        with self._lock:
            return super().__contains__(key)

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def clear(self) -> None:
        """Empty the cache; the current context will not be kept either."""
        with self._lock:
            self.cache_state.clear()
            self._let_go = self._context()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self.cache_state), "bytes": int(self.cache_size), "capacity_bytes":
                    int(self.capacity_bytes), "hits": self.hits, "misses": self.misses, "kept": self.kept,
                    "resumed": self.resumed, "last_resumed_tokens": self.last_resumed}


def set_cache(self: Llama, cache: Any) -> None:
    if isinstance(cache, PromptCache):
        cache.bind(self)
    self.cache = cache


def install() -> None:
    """Use these in this process: the server builds its RAM cache from ``llama_cpp.LlamaRAMCache``."""
    Llama.save_state = save_state  # type: ignore[method-assign]
    Llama.load_state = load_state  # type: ignore[method-assign]
    Llama.set_cache = set_cache  # type: ignore[method-assign]
    vars(llama_cpp)["LlamaRAMCache"] = PromptCache  # the module's own name, replaced for this process


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn
    from fastapi import FastAPI
    from llama_cpp.server.app import create_app
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    install()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_args_from_model(parser, Settings)
    args = parser.parse_args(argv)
    # parse_model_from_args is typed as returning its first argument (the class); it returns an instance
    server_settings = cast(ServerSettings, parse_model_from_args(ServerSettings, args))
    model_settings = cast(ModelSettings, parse_model_from_args(ModelSettings, args))
    app: FastAPI = create_app(server_settings=server_settings, model_settings=[model_settings])

    @app.get("/livehost/prompt_cache")
    def cache_stats() -> dict[str, Any]:
        return {"enabled": bool(PromptCache.instances),
                **(PromptCache.instances[-1].stats() if PromptCache.instances else {})}

    @app.delete("/livehost/prompt_cache")
    def cache_clear() -> dict[str, Any]:
        for cache in PromptCache.instances:
            cache.clear()
        return cache_stats()

    uvicorn.run(app, host=server_settings.host, port=server_settings.port)


if __name__ == "__main__":
    main()
