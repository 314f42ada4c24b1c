"""The moderator console API against a real server: controls, auth, and the validated, atomic prompt editor."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from agent.approval import Approvals
from agent.clock import VirtualClock
from agent.errors import ConfigError
from agent.moderation.topics import parse_topic
from agent.ports import Validator
from agent.prompts import TEMPLATES, load_prompt_set
from agent.records.audit import AuditLog
from agent.records.onair import OnAirRecord
from agent.toolbox.files import FileHistory
from connectors.web.accounts import Accounts
from connectors.web.auth import Auth
from connectors.web.console import Console as WebConsole
from connectors.web.console import console_routes, toml_validator
from connectors.web.hub import Broadcaster
from connectors.web.prompt_files import ConsoleError, PromptFiles
from connectors.web.server import WebServer, build_app
from connectors.web.sessions import LoginGuard, Sessions

REPO_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


class RecordingControls:
    """A ShowControls stub that records what the console asked for; approvals are the real queue."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.state = "playing"
        self.clock = VirtualClock()
        self.queue = Approvals(self.clock, expire_s=60.0,
                               check=lambda text: "medical claim" if "cures" in text else None)

    def pause(self) -> None:
        self.calls.append(("pause",))
        self.state = "paused"

    def resume(self) -> None:
        self.calls.append(("resume",))
        self.state = "playing"

    def skip(self) -> None:
        self.calls.append(("skip",))

    def stop(self) -> None:
        self.calls.append(("stop",))
        self.state = "stopped"

    def say_now(self, text: str, language: str | None = None) -> None:
        self.calls.append(("say_now", text, language))

    def status(self) -> dict[str, Any]:
        return {"status": self.state, "on_screen": {"id": "linen-shirt", "title": "Relaxed Linen Shirt"},
                "pending": [{"kind": "reply", "comment": {"user": "ana", "text": "what sizes?"}}],
                "summary": {"comments_seen": 3}, "timeline": [],
                "approval": {"enabled": self.queue.enabled, "waiting": len(self.queue.waiting())}}

    def set_approval(self, on: bool) -> None:
        self.calls.append(("set_approval", on))
        self.queue.set_enabled(on)

    def approvals(self) -> list[dict[str, Any]]:
        return [{**r.to_json(), "expires_in_s": r.expires - self.clock.now()} for r in self.queue.waiting()]

    def approve(self, review_id: str, who: str, text: str | None = None) -> dict[str, Any]:
        return self.queue.approve(review_id, who, text).to_json()

    def reject(self, review_id: str, who: str) -> dict[str, Any]:
        return self.queue.reject(review_id, who).to_json()


def prompt_set_validator(path: Path, content: str) -> None:
    """The real check: the whole prompt set must load with ``content`` in place of ``path``."""
    with tempfile.TemporaryDirectory() as d:
        for name in [*TEMPLATES, "phrases.toml"]:
            shutil.copy(path.parent / name, Path(d) / name)
        (Path(d) / path.name).write_text(content, encoding="utf-8")
        try:
            load_prompt_set(Path(d))
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(d + os.sep, "")) from None


def topic_validator(path: Path, content: str) -> None:
    parse_topic(path.stem, content, path.name)


VALIDATORS: dict[str, Validator] = {
    "*.md": prompt_set_validator,
    "phrases.toml": prompt_set_validator,
    "banned_topics/*.toml": topic_validator,
    "scripts/*.toml": toml_validator,
}


PASSWORD = "correct horse battery"


class Console:
    """One console server on port 0 with its controls, folders, broadcaster, accounts, record and audit trail.

    Accounts: ``admin``, ``mod`` (moderator) and ``viv`` (viewer), all with :data:`PASSWORD`; ``token`` is the
    moderator's API key (scripts' access), used by :meth:`client` unless told otherwise."""

    def __init__(self, root: Path, validators: dict[str, Validator] | None = None) -> None:
        self.prompts = root / "prompts"
        self.history = root / "data" / ".history"
        shutil.copytree(REPO_PROMPTS, self.prompts)
        self.controls = RecordingControls()
        self.events = Broadcaster({"ai_label": "AI", "show": "Test"})
        self.accounts = Accounts(root / "data" / "users.sqlite3", rounds=4)
        for name, role in (("admin", "admin"), ("mod", "moderator"), ("viv", "viewer")):
            self.accounts.add(name, role, PASSWORD)
        self.token = self.accounts.new_api_key("mod", "tests")[1]
        self.viewer_token = self.accounts.new_api_key("viv", "tests")[1]
        self.audit = AuditLog(root / "data" / "audit.sqlite3")
        self.record = OnAirRecord(root / "data" / "onair.sqlite3", show_id="test")
        self.sessions = Sessions(3600)
        self.guard = LoginGuard(5)
        files = PromptFiles(self.prompts, FileHistory(self.history, 50),
                            VALIDATORS if validators is None else validators)
        auth = Auth(self.accounts, self.sessions, self.guard, self.audit)
        self.console = WebConsole(self.controls, files, auth, self.events, self.record)
        self.server = WebServer(build_app(console_routes(self.console)), "127.0.0.1", 0)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, token: str | None = None, **kw: Any) -> httpx.AsyncClient:
        tok = self.token if token is None else token
        headers = {"Authorization": f"Bearer {tok}"} if tok else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, **kw)

    @asynccontextmanager
    async def login(self, name: str = "mod") -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
        """A client holding a session cookie, and the session's CSRF token. httpx keeps a Secure cookie for https
        only, so the cookie is copied by hand (a browser treats http://127.0.0.1 as a secure context)."""
        async with httpx.AsyncClient(base_url=self.url) as h:
            r = await h.post("/api/login", json={"name": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            cookie = r.headers["set-cookie"].split(";")[0].split("=", 1)
            h.cookies.set(cookie[0], cookie[1])
            yield h, r.json()["csrf"]

    def close(self) -> None:
        self.record.close()
        self.audit.close()
        self.accounts.close()


@asynccontextmanager
async def running(root: Path, **kw: Any) -> AsyncIterator[Console]:
    c = Console(root, **kw)
    await c.server.start()
    try:
        yield c
    finally:
        await c.server.aclose()
        c.close()


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with running(tmp_path) as c:
        yield c


@pytest.fixture
async def http(console: Console) -> AsyncIterator[httpx.AsyncClient]:
    async with console.client() as h:
        yield h


# ---- show controls ----------------------------------------------------------------------------------------

async def test_each_control_reaches_the_show_and_returns_its_status(console: Console, http: httpx.AsyncClient) -> None:
    for action, status in [("pause", "paused"), ("resume", "playing"), ("skip", "playing"), ("stop", "stopped")]:
        r = await http.post(f"/api/show/{action}")
        assert r.status_code == 200 and r.json()["status"]["status"] == status
    assert console.controls.calls == [("pause",), ("resume",), ("skip",), ("stop",)]
    r = await http.get("/api/show/status")
    assert r.json()["status"] == "stopped" and r.json()["on_screen"]["title"] == "Relaxed Linen Shirt"
    assert (await http.get("/api/show/pause")).status_code == 405


async def test_say_now_is_passed_on_and_empty_text_is_refused(console: Console, http: httpx.AsyncClient) -> None:
    assert (await http.post("/api/show/say", json={"text": " Bonjour à tous ", "language": "fr"})).status_code == 200
    assert (await http.post("/api/show/say", json={"text": "Hello"})).status_code == 200
    for bad in [{"text": "   "}, {}, {"text": 5}, {"text": "x" * 501}, {"text": "hi", "language": 3}]:
        r = await http.post("/api/show/say", json=bad)
        assert r.status_code == 400 and r.json()["error"], bad
    assert (await http.post("/api/show/say", content=b"not json")).status_code == 400
    assert console.controls.calls == [("say_now", "Bonjour à tous", "fr"), ("say_now", "Hello", None)]


# ---- prompt files -----------------------------------------------------------------------------------------

async def test_lists_the_editable_files_with_sizes_and_mtimes(console: Console, http: httpx.AsyncClient) -> None:
    (console.prompts / "notes.txt").write_text("x")
    (console.prompts / "banned_topics" / ".swap.toml").write_text("x")
    files = {f["path"]: f for f in (await http.get("/api/prompts")).json()["files"]}
    for p in ["persona.md", "reply.md", "request.md", "phrases.toml", "scripts/default.toml",
              "banned_topics/drugs.toml"]:
        st = (console.prompts / p).stat()
        assert files[p]["size"] == st.st_size and files[p]["mtime_ns"] == str(st.st_mtime_ns) and files[p]["editable"]
    assert "notes.txt" not in files and "banned_topics/.swap.toml" not in files
    r = await http.get("/api/prompts/scripts/default.toml")
    assert r.json()["content"] == (console.prompts / "scripts/default.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [
    "..%2Fsettings.toml", "%2E%2E/%2E%2E/x.md", "banned_topics/..%2F..%2Fx.toml", "%2Fetc%2Fpasswd.toml",
    "persona.txt", ".secret.md", "scripts/a/b.toml", "banned_topics\\x.toml", "C:%5Cx.md", "link.md",
])
async def test_paths_outside_the_prompts_folder_are_refused(console: Console, http: httpx.AsyncClient,
                                                            path: str) -> None:
    outside = console.prompts.parent / "outside.md"
    outside.write_text("keep me")
    (console.prompts / "link.md").symlink_to(outside)
    assert (await http.get(f"/api/prompts/{path}")).status_code == 400
    r = await http.put(f"/api/prompts/{path}", json={"content": "$persona"})
    assert r.status_code == 400 and r.json()["error"]
    assert outside.read_text() == "keep me"
    assert not (console.prompts.parent / "settings.toml").exists()


async def test_a_file_without_validator_is_read_only(tmp_path: Path) -> None:
    async with running(tmp_path, validators={"*.md": prompt_set_validator}) as c, c.client() as h:
        files = {f["path"]: f for f in (await h.get("/api/prompts")).json()["files"]}
        assert files["reply.md"]["editable"] and not files["banned_topics/drugs.toml"]["editable"]
        before = (c.prompts / "banned_topics/drugs.toml").read_bytes()
        r = await h.put("/api/prompts/banned_topics/drugs.toml", json={"content": "description = 'x'"})
        assert r.status_code == 400 and "not editable" in r.json()["error"]
        assert (c.prompts / "banned_topics/drugs.toml").read_bytes() == before


@pytest.mark.parametrize(("path", "content", "reason"), [
    ("reply.md", "$persona\nAnswer in $max_words words, $oops.", "unknown placeholder"),
    ("request.md", "Broken $ sign", "invalid placeholder"),
    ("phrases.toml", "[en]\nthanks_gift = 'unterminated", "phrases.toml"),
    ("banned_topics/drugs.toml", "description = 'x'\n[keywords]\nen = 'not a list'", "drugs.toml"),
    ("scripts/default.toml", "[[segment]\nlines = []", "not valid TOML"),
])
async def test_a_bad_edit_is_refused_with_the_reason_and_the_file_is_untouched(
        console: Console, http: httpx.AsyncClient, path: str, content: str, reason: str) -> None:
    target = console.prompts / path
    before, st = target.read_bytes(), target.stat()
    r = await http.put(f"/api/prompts/{path}", json={"content": content, "base_mtime": st.st_mtime_ns})
    assert r.status_code == 422 and reason in r.json()["error"]
    assert target.read_bytes() == before and target.stat().st_mtime_ns == st.st_mtime_ns
    assert (await http.get(f"/api/prompts/{path}/history")).json()["versions"] == []
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == []


async def test_a_good_edit_goes_live_atomically_and_keeps_the_old_copy(console: Console,
                                                                      http: httpx.AsyncClient) -> None:
    target = console.prompts / "reply.md"
    old, old_st = target.read_text(encoding="utf-8"), target.stat()
    new = old + "\n- Be warm and brief.\n"
    r = await http.put("/api/prompts/reply.md", json={"content": new, "base_mtime": old_st.st_mtime_ns})
    assert r.status_code == 200 and r.json()["content"] == new
    st = target.stat()
    assert target.read_text(encoding="utf-8") == new
    assert st.st_ino != old_st.st_ino, "written in place instead of renamed into place"
    assert st.st_mtime_ns > old_st.st_mtime_ns and r.json()["mtime_ns"] == str(st.st_mtime_ns)
    assert st.st_mode & 0o777 == old_st.st_mode & 0o777
    assert not [p for p in console.prompts.iterdir() if p.name.startswith(".")], "temp file left behind"
    assert load_prompt_set(console.prompts).templates["reply.md"].template == new.strip()
    versions = (await http.get("/api/prompts/reply.md/history")).json()["versions"]
    assert len(versions) == 1
    got = await http.get(f"/api/prompts/reply.md/history/{versions[0]['version']}")
    assert got.json()["content"] == old
    same = await http.put("/api/prompts/reply.md", json={"content": new})  # no change: no new version
    assert same.status_code == 200 and len((await http.get("/api/prompts/reply.md/history")).json()["versions"]) == 1


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO_PROMPTS, tmp_path / "prompts")
    files = PromptFiles(tmp_path / "prompts", FileHistory(tmp_path / "history"), VALIDATORS)
    target = tmp_path / "prompts" / "persona.md"
    before = target.read_bytes()
    real = os.replace

    def failing(src: Any, dst: Any) -> None:
        if Path(dst) == target:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(ConsoleError, match="not saved: disk full; the file is unchanged") as refused:
        files.save("persona.md", "You are $host_name at $shop_name.", None)
    assert refused.value.status == 500
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


async def test_a_full_disk_refuses_the_edit_with_507_and_keeps_the_old_file_whole(
        console: Console, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """ENOSPC in the middle of writing the temporary file: the console answers 507 with the reason, the old
    file is still there byte for byte, no temporary file is left, and no edit is audited."""
    import errno

    target = console.prompts / "persona.md"
    before = target.read_bytes()
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, f: Any) -> None:
            self._f = f

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self._f.close()

        def write(self, data: bytes) -> int:
            self._f.write(data[: len(data) // 2])  # half of it made it to the disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd: int, *args: Any, **kw: Any) -> Any:
        f = real_fdopen(fd, *args, **kw)
        return FullDisk(f) if os.readlink(f"/proc/self/fd/{fd}").startswith(str(console.prompts)) else f

    monkeypatch.setattr(os, "fdopen", fdopen)  # what agent.toolbox.files.atomic_write opens its temp file with
    r = await http.put("/api/prompts/persona.md", json={"content": "You are $host_name at $shop_name, live."})
    monkeypatch.undo()
    assert r.status_code == 507 and "No space left on device" in r.json()["error"]
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]
    assert "prompt file not saved" in [rec.getMessage() for rec in caplog.records]
    assert not [e for e in console.audit.list(limit=50) if str(e["action"]).endswith(".edit")]


async def test_a_stale_base_mtime_is_a_conflict(console: Console, http: httpx.AsyncClient) -> None:
    target = console.prompts / "banned_topics" / "gambling.toml"
    seen = (await http.get("/api/prompts/banned_topics/gambling.toml")).json()
    theirs = seen["content"] + "\n# edited by someone else\n"
    target.write_text(theirs, encoding="utf-8")
    later = int(seen["mtime_ns"]) + 5_000_000  # a string: nanoseconds do not fit a JavaScript number
    os.utime(target, ns=(later, later))
    mine = seen["content"] + "\n# mine\n"
    r = await http.put("/api/prompts/banned_topics/gambling.toml", json={"content": mine,
                                                                         "base_mtime": seen["mtime_ns"]})
    assert r.status_code == 409 and r.json()["mtime_ns"] == str(target.stat().st_mtime_ns)
    assert target.read_text(encoding="utf-8") == theirs
    fresh = (await http.get("/api/prompts/banned_topics/gambling.toml")).json()
    r = await http.put("/api/prompts/banned_topics/gambling.toml", json={"content": mine,
                                                                         "base_mtime": fresh["mtime_ns"]})
    assert r.status_code == 200 and target.read_text(encoding="utf-8") == mine
    r = await http.put("/api/prompts/banned_topics/gambling.toml", json={"content": mine + "#2",
                                                                         "base_mtime": fresh["mtime_ns"]})
    assert r.status_code == 409  # my own save moved the mtime on, even within one clock tick
    r = await http.put("/api/prompts/banned_topics/gambling.toml", json={"content": "x", "base_mtime": "12abc"})
    assert r.status_code == 400


async def test_history_and_rollback(console: Console, http: httpx.AsyncClient) -> None:
    path, target = "phrases.toml", console.prompts / "phrases.toml"
    original = target.read_text(encoding="utf-8")
    v1 = original.replace("You are amazing.", "You rock!")
    v2 = v1.replace("welcome to the stream", "welcome")
    for text in (v1, v2):
        assert (await http.put(f"/api/prompts/{path}", json={"content": text})).status_code == 200
    versions = (await http.get(f"/api/prompts/{path}/history")).json()["versions"]
    assert len(versions) == 2 and versions[0]["mtime"] > versions[1]["mtime"]  # newest first
    oldest = versions[-1]["version"]
    r = await http.post(f"/api/prompts/{path}/rollback", json={"version": oldest})
    assert r.status_code == 200 and r.json()["content"] == original
    assert target.read_text(encoding="utf-8") == original
    assert len((await http.get(f"/api/prompts/{path}/history")).json()["versions"]) == 3  # v2 kept too

    # a stored version that no longer validates is refused like any edit
    bad = console.history / path / "1-0badc0de.txt"
    bad.write_text("[fr]\nthanks_gift = 'no [en] table'\n", encoding="utf-8")
    r = await http.post(f"/api/prompts/{path}/rollback", json={"version": "1-0badc0de"})
    assert r.status_code == 422 and "[en]" in r.json()["error"]
    assert target.read_text(encoding="utf-8") == original
    for version, code in [("..%2F..%2Fx", 400), ("../x", 400), ("2-deadbeef", 404)]:
        assert (await http.post(f"/api/prompts/{path}/rollback", json={"version": version})).status_code == code
    assert (await http.post(f"/api/prompts/{path}/rollback", json={})).status_code == 400


async def test_page_and_assets_are_served(console: Console) -> None:
    async with httpx.AsyncClient(base_url=console.url) as h:
        page = await h.get("/console")
        assert page.status_code == 200 and "/console/static/console.js" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert (await h.get("/console/static/console.js")).headers["content-type"].startswith("text/javascript")
        assert (await h.get("/console/static/console.css")).status_code == 200
        assert (await h.get("/console/static/overlay.html")).status_code == 404


async def test_server_shuts_down_without_leaking_tasks(tmp_path: Path) -> None:
    before = asyncio.all_tasks()
    async with running(tmp_path) as c:
        headers = {"Authorization": f"Bearer {c.token}"}
        async with connect(f"{c.server.ws_url}/console/ws", additional_headers=headers) as ws:
            await ws.recv()
            async with c.client() as h:
                await h.post("/api/show/pause")
                await h.put("/api/prompts/persona.md", json={"content": "I am $host_name from $shop_name."})
    assert asyncio.all_tasks() - before == set()
