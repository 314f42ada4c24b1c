"""Console access against a real server: sessions, roles, CSRF, API keys, the login limit, the OpenAPI document,
approvals, the on-air record and the audit trail through the API."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from agent.events import Event, EventKind, User
from agent.verdict import Action, Category, Verdict
from tests.web.test_console import PASSWORD, Console, running


@pytest.fixture
async def console(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running(tmp_path) as c:
        yield c


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "reply.md" if "path" in m.group(0) else "x1", path)


async def test_every_endpoint_in_openapi_refuses_a_request_without_a_session(console: Console) -> None:
    async with console.client(token="") as h:
        doc = (await h.get("/openapi.json")).json()
        assert doc["openapi"].startswith("3.")
        checked = 0
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                if op["x-role"] == "none":
                    continue
                r = await h.request(method.upper(), _fill(path), json={})
                assert r.status_code in (401, 403), (method, path, r.status_code)
                checked += 1
    changing = [(p, m) for p, ops in doc["paths"].items() for m in ops if m != "get"]
    assert len(changing) >= 12 and checked >= len(changing)
    assert console.controls.calls == []


async def test_a_token_in_the_url_is_not_accepted(console: Console) -> None:
    async with console.client(token="") as h:
        assert (await h.get("/api/show/status", params={"token": console.token})).status_code == 401
    with pytest.raises(InvalidStatus):
        async with connect(f"{console.server.ws_url}/console/ws?token={console.token}"):
            pass


async def test_a_viewer_sees_but_changes_nothing(console: Console) -> None:
    async with console.client(token=console.viewer_token) as h:
        assert (await h.get("/api/show/status")).status_code == 200
        assert (await h.get("/api/prompts/reply.md")).status_code == 200
        for method, path, body in [("POST", "/api/show/pause", None), ("POST", "/api/show/say", {"text": "hi"}),
                                   ("PUT", "/api/prompts/reply.md", {"content": "x"}),
                                   ("POST", "/api/approvals/mode", {"enabled": True})]:
            r = await h.request(method, path, json=body)
            assert r.status_code == 403 and "viewer" in r.json()["error"], path
        assert (await h.get("/api/audit")).status_code == 403
    assert console.controls.calls == []


async def test_sessions_need_the_csrf_token_on_every_change(console: Console) -> None:
    async with console.login("mod") as (h, csrf):
        assert (await h.get("/api/show/status")).status_code == 200
        assert (await h.post("/api/show/pause")).status_code == 403
        assert (await h.post("/api/show/pause", headers={"X-CSRF-Token": "wrong"})).status_code == 403
        r = await h.post("/api/show/pause", headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
        assert r.status_code == 403
        assert (await h.post("/api/show/pause", headers={"X-CSRF-Token": csrf})).status_code == 200
        me = (await h.get("/api/me")).json()
        assert me == {"user": "mod", "role": "moderator", "csrf": csrf, "expires": me["expires"]}
        assert (await h.post("/api/logout", headers={"X-CSRF-Token": csrf})).status_code == 200
        assert (await h.get("/api/show/status")).status_code == 401
    assert console.controls.calls == [("pause",)]


async def test_the_session_cookie_is_httponly_secure_samesite_and_expires(console: Console) -> None:
    async with httpx.AsyncClient(base_url=console.url) as h:
        r = await h.post("/api/login", json={"name": "mod", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    for attr in ("httponly", "secure", "samesite=strict", "max-age=3600", "path=/"):
        assert attr in cookie, cookie
    assert "csrf" in r.json() and r.json()["csrf"] not in cookie


async def test_logins_are_limited_per_address_and_audited(console: Console) -> None:
    async with httpx.AsyncClient(base_url=console.url) as h:
        for _ in range(5):
            assert (await h.post("/api/login", json={"name": "mod", "password": "wrong password"})).status_code == 401
        r = await h.post("/api/login", json={"name": "mod", "password": PASSWORD})
        assert r.status_code == 429
        for bad in [{}, {"name": "mod"}, {"name": 3, "password": "x"}]:
            assert (await h.post("/api/login", json=bad)).status_code == 400
    failed = console.audit.list(action="login")
    assert len(failed) == 6 and all(not a["ok"] for a in failed)
    assert PASSWORD not in json.dumps(failed) and "wrong password" not in json.dumps(failed)


async def test_a_revoked_key_and_a_changed_password_end_access(console: Console) -> None:
    key = console.accounts.api_keys("mod")[0]
    console.accounts.revoke_api_key(key.id)
    async with console.client() as h:
        assert (await h.get("/api/show/status")).status_code == 401
    async with console.login("admin") as (h, _):
        assert (await h.get("/api/show/status")).status_code == 200
        console.accounts.set_password("admin", "another long password")  # e.g. `livehost user passwd`
        assert (await h.get("/api/show/status")).status_code == 401


async def test_approve_edit_and_reject_through_the_api_with_the_audit_trail(console: Console) -> None:
    queue = console.controls.queue
    asked = Event(EventKind.COMMENT, User("u1", "ana"), text="how much is the mug?")
    verdict = Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, "price", (asked,))
    reviews = [queue.new_review(verdict, None, f"Ana, the mug is {n} EUR.", facts=(f"price: {n} EUR",))
               for n in (12, 13, 14)]
    decisions = [asyncio.ensure_future(queue.decide(r)) for r in reviews]
    while len(queue.waiting()) < 3:
        await asyncio.sleep(0)
    async with console.client() as h:
        waiting = (await h.get("/api/approvals")).json()["waiting"]
        assert [w["id"] for w in waiting] == [r.id for r in reviews]
        assert waiting[0]["facts"] == ["price: 12 EUR"] and waiting[0]["comment"]["user"] == "ana"
        assert (await h.post(f"/api/approvals/{reviews[0].id}/approve", json={})).status_code == 200
        r = await h.post(f"/api/approvals/{reviews[1].id}/approve", json={"text": "This mug cures colds."})
        assert r.status_code == 422 and "medical claim" in r.json()["error"]
        r = await h.post(f"/api/approvals/{reviews[1].id}/approve", json={"text": "Ana, 13 EUR, today only."})
        assert r.status_code == 200 and r.json()["reply"]["text"] == "Ana, 13 EUR, today only."
        assert (await h.post(f"/api/approvals/{reviews[2].id}/reject")).status_code == 200
        assert (await h.post(f"/api/approvals/{reviews[2].id}/reject")).status_code == 404
        assert (await h.post("/api/approvals/mode", json={"enabled": "yes"})).status_code == 400
        assert (await h.post("/api/approvals/mode", json={"enabled": True})).status_code == 200
    got = await asyncio.gather(*decisions)
    assert [(d.action, d.who) for d in got] == [("approve", "mod"), ("edit", "mod"), ("reject", "mod")]
    trail = {a["action"]: a for a in console.audit.list()}
    assert trail["approval.edit"]["before"] == "Ana, the mug is 13 EUR." and trail["approval.edit"]["after"] \
        == "Ana, 13 EUR, today only."
    assert trail["approval.mode"]["after"] is True and trail["approval.reject"]["who"] == "mod"


async def test_prompt_edits_are_audited_with_before_and_after(console: Console) -> None:
    before = (console.prompts / "persona.md").read_text(encoding="utf-8")
    async with console.client() as h:
        r = await h.put("/api/prompts/persona.md", json={"content": before + "\nSmile.\n"})
        assert r.status_code == 200
        trail = (await h.get("/api/audit")).json()["entries"]
    assert trail[0]["action"] == "prompt.edit" and trail[0]["target"] == "persona.md"
    assert trail[0]["before"] == before and trail[0]["after"] == before + "\nSmile.\n" and trail[0]["who"] == "mod"


async def test_the_on_air_record_is_searchable_and_exported(console: Console) -> None:
    console.record.add({"kind": "reply", "text": "Ana, the mug is 12 EUR.", "start": 1.0, "end": 3.0,
                        "comment": {"user": "ana", "text": "how much is the mug?"}, "product_id": "mug",
                        "product_title": "Stoneware Mug", "facts": ["price: 12 EUR"]})
    console.record.add({"kind": "script", "text": "保温杯今天特价。", "start": 3.0, "end": 5.0})
    async with console.client(token=console.viewer_token) as h:
        assert [e["text"] for e in (await h.get("/api/record", params={"user": "ana"})).json()["entries"]] == [
            "Ana, the mug is 12 EUR."]
        assert len((await h.get("/api/record", params={"text": "保温杯"})).json()["entries"]) == 1
        assert len((await h.get("/api/record", params={"product": "Stoneware"})).json()["entries"]) == 1
        assert (await h.get("/api/record", params={"limit": "0"})).status_code == 400
        assert (await h.get("/api/record", params={"since": "nan"})).status_code == 400
        lines = (await h.get("/api/record/export")).text.splitlines()
    assert [json.loads(x)["kind"] for x in lines] == ["reply", "script"]


async def test_an_admin_edits_settings_files_and_others_may_not(tmp_path: Path, repo_root: Path) -> None:
    from agent.app.console import open_console
    from agent.settings import load_settings
    from connectors.web.accounts import Accounts
    from connectors.web.console import console_routes
    from connectors.web.server import WebServer, build_app
    from tests.web.test_console import RecordingControls

    cfg = tmp_path / "settings.toml"
    cfg.write_text(f'[show]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    (tmp_path / "prompts").symlink_to(repo_root / "prompts")
    settings = load_settings(cfg)
    with Accounts(tmp_path / "data" / "users.sqlite3", rounds=4) as accounts:
        accounts.add("boss", "admin", PASSWORD)
        boss = accounts.new_api_key("boss")[1]
        accounts.add("mod", "moderator", PASSWORD)
        mod = accounts.new_api_key("mod")[1]
    with open_console(settings, RecordingControls(), {}) as console:
        server = WebServer(build_app(console_routes(console)), "127.0.0.1", 0)
        await server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {mod}"}) as h:
                assert (await h.get("/api/settings-files/settings.toml")).status_code == 403
            async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {boss}"}) as h:
                r = await h.put("/api/settings-files/settings.toml", json={"content": "[show]\nnope = 1\n"})
                assert r.status_code == 422 and "nope" in r.json()["error"]
                good = cfg.read_text(encoding="utf-8") + "[console]\napproval = true\n"
                assert (await h.put("/api/settings-files/settings.toml", json={"content": good})).status_code == 200
                assert (await h.get("/api/settings-files/persona.md")).status_code == 400
        finally:
            await server.aclose()
    assert load_settings(cfg).console.approval is True
