"""Settings files and ``livehost`` processes for the many-rooms tests that run the real commands."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def write_settings(folder: Path, *, redis_url: str, llm_url: str = "http://127.0.0.1:9/v1", lease_s: float = 1.0,
                   extra: str = "") -> Path:
    """A settings file in ``folder`` (its data_dir: ``folder/data``) for a show on the sample shop with hash
    embeddings, a scripted LLM at ``llm_url``, the overlay on a free port and the rooms on ``redis_url``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prompts").symlink_to(REPO / "prompts")
    text = f"""
[show]
data_dir = "{folder / 'data'}"
script = "{REPO / 'prompts/scripts/default.toml'}"
idle_after_s = 0
[llm]
base_url = "{llm_url}"
[knowledge]
paths = ["{REPO / 'knowledge'}"]
embedding = "hash"
watch = false
[speech]
rate_wpm = 400
[overlay]
port = 0
[triage]
banned_topics_dir = "{REPO / 'prompts/banned_topics'}"
[rooms]
redis_url = "{redis_url}"
lease_s = {lease_s}
block_ms = 100
{extra}
"""
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def livehost(settings: Path, *args: str, log: Path) -> asyncio.subprocess.Process:
    """``livehost --settings SETTINGS ARGS...`` in the background, its stdout and stderr into ``log``."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "agent.app.cli", "--settings",
                                                    str(settings), *args, cwd=REPO, stdout=out, stderr=out)


async def stop_all(procs: list[asyncio.subprocess.Process], grace_s: float = 30.0) -> None:
    """SIGTERM every process still running, give them ``grace_s`` together to exit, then SIGKILL and reap the
    rest: a test that failed or timed out half-way leaves no worker behind to slow the tests after it."""
    running = [p for p in procs if p.returncode is None]
    for p in running:
        p.terminate()
    if running:
        await asyncio.wait([asyncio.ensure_future(p.wait()) for p in running], timeout=grace_s)
    for p in running:
        if p.returncode is None:
            p.kill()
            await p.wait()
