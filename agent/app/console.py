"""Validators for every file the moderator console edits: each is checked the way the show loads it."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from agent.director.script import load_script
from agent.moderation.topics import parse_topic
from agent.ports import ShowControls, Validator
from agent.product import Product
from agent.prompts import TEMPLATES, load_prompt_set
from agent.records.audit import AuditLog
from agent.records.onair import OnAirRecord
from agent.settings import Settings, load_settings
from agent.toolbox.files import FileHistory
from connectors.web.accounts import Accounts
from connectors.web.auth import Auth
from connectors.web.console import Console
from connectors.web.hub import Broadcaster
from connectors.web.prompt_files import PromptFiles
from connectors.web.sessions import LoginGuard, Sessions

log = logging.getLogger(__name__)


def console_validators(products: Callable[[], Sequence[Product]]) -> Mapping[str, Validator]:
    """Each editable file is checked the way the show will load it, on a copy, before it goes live."""

    def prompt_set(path: Path, content: str) -> None:
        with tempfile.TemporaryDirectory() as d:
            for name in [*TEMPLATES, "phrases.toml"]:
                if (path.parent / name).exists():
                    shutil.copy(path.parent / name, Path(d) / name)
            (Path(d) / path.name).write_text(content, encoding="utf-8")
            load_prompt_set(Path(d))

    def script(path: Path, content: str) -> None:
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / path.name
            p.write_text(content, encoding="utf-8")
            load_script(p, products())

    def topic(path: Path, content: str) -> None:
        parse_topic(path.stem, content, str(path))

    return {
        "*.md": prompt_set,
        "phrases.toml": prompt_set,
        "banned_topics/*.toml": topic,
        "scripts/*.toml": script,
    }


def settings_validator(path: Path, content: str) -> None:
    """A settings file edit is loaded as the show would load it, from a copy beside the original (so
    relative paths resolve the same), and refused with the loader's message if anything is wrong."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", dir=path.parent, prefix=".check-", encoding="utf-8",
                                     delete=False) as f:
        f.write(content)
    try:
        load_settings(f.name)
    finally:
        Path(f.name).unlink(missing_ok=True)


def store_path(settings: Settings, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else settings.data_dir / p


@contextlib.contextmanager
def open_console(settings: Settings, controls: ShowControls, validators: Mapping[str, Validator], *,
                 events: Broadcaster | None = None, record: OnAirRecord | None = None,
                 wall: Callable[[], float] = time.time) -> Iterator[Console]:
    """The console over a running show: accounts, sessions, the audit trail and the editable files."""
    c = settings.console
    accounts = Accounts(store_path(settings, c.users_db))
    audit = AuditLog(store_path(settings, c.audit_db), wall=wall)
    try:
        auth = Auth(accounts, Sessions(c.session_hours * 3600, wall=wall), LoginGuard(c.login_attempts_per_min),
                    audit)
        prompts = PromptFiles(settings.path("prompts"), FileHistory(settings.data_dir / "prompt_history", 50),
                              dict(validators))
        settings_files = None
        if settings.source:
            src = Path(settings.source)
            settings_files = PromptFiles(src.parent, FileHistory(settings.data_dir / "settings_history", 50),
                                         {src.name: settings_validator}, patterns=(src.name,))
        if not accounts.has_users():
            log.warning("console has no accounts: create one with 'livehost user add NAME --role admin'")
        yield Console(controls, prompts, auth, events, record, settings_files)
    finally:
        audit.close()
        accounts.close()
