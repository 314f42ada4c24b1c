"""``livehost user ...``: each subcommand through ``cli.main``, on a temporary data folder."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.app import user_commands
from agent.app.cli import main
from connectors.web.accounts import Accounts, Role

PASSWORD = "correct horse"


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(user_commands, "ROUNDS", 4)
    f = tmp_path / "settings.toml"
    f.write_text(f'[show]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n')
    return f


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "users.sqlite3"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _prompts(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    asked: list[str] = []
    given: Iterator[str] = iter(answers)

    def getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return next(given)

    monkeypatch.setattr("agent.app.user_commands.getpass.getpass", getpass)
    return asked


def _run(settings_file: Path, *args: str) -> int:
    return main(["--settings", str(settings_file), "user", *args])


def _add(settings_file: Path, monkeypatch: pytest.MonkeyPatch, name: str, role: str) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert _run(settings_file, "add", name, "--role", role, "--password-stdin") == 0


def test_user_add_reads_the_password_from_stdin_into_the_settings_data_folder(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert _run(settings_file, "add", "ann", "--role", "admin", "--password-stdin") == 0
    assert "added ann (admin)" in capsys.readouterr().out
    with Accounts(db, rounds=4) as a:
        assert a.verify("ann", PASSWORD) is not None


def test_user_add_prompts_twice_and_refuses_entries_that_differ(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    asked = _prompts(monkeypatch, PASSWORD, PASSWORD)
    assert _run(settings_file, "add", "ann", "--role", "moderator") == 0
    assert len(asked) == 2
    _prompts(monkeypatch, PASSWORD, PASSWORD + "x")
    assert _run(settings_file, "add", "bob", "--role", "viewer") == 2
    assert "password: the two entries differ" in capsys.readouterr().err
    with Accounts(db, rounds=4) as a:
        assert [(u.name, u.role) for u in a.list()] == [("ann", Role.MODERATOR)]


def test_user_add_errors_exit_2_with_the_reason(
        settings_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, "short\n")
    assert _run(settings_file, "add", "ann", "--role", "admin", "--password-stdin") == 2
    assert "password: must be at least 8 characters" in capsys.readouterr().err
    _stdin(monkeypatch, "x" * 73 + "\n")
    assert _run(settings_file, "add", "ann", "--role", "admin", "--password-stdin") == 2
    assert "72 bytes" in capsys.readouterr().err
    _stdin(monkeypatch, "")
    assert _run(settings_file, "add", "ann", "--role", "admin", "--password-stdin") == 2
    assert "nothing on stdin" in capsys.readouterr().err
    _add(settings_file, monkeypatch, "ann", "admin")
    asked = _prompts(monkeypatch)
    assert _run(settings_file, "add", "ann", "--role", "admin") == 2
    assert asked == []  # refused before asking for a password
    assert "user name: 'ann' already exists" in capsys.readouterr().err


def test_user_list_prints_names_roles_and_json(
        settings_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(settings_file, "list") == 0
    assert "no users" in capsys.readouterr().err
    _add(settings_file, monkeypatch, "zoe", "viewer")
    _add(settings_file, monkeypatch, "ann", "admin")
    capsys.readouterr()
    assert _run(settings_file, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["ann", "admin"], ["zoe", "viewer"]]
    assert _run(settings_file, "list", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["name"], d["role"]) for d in data] == [("ann", "admin"), ("zoe", "viewer")]
    assert all(isinstance(d["created"], float) for d in data)


def test_user_remove_removes_but_never_the_last_admin(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    _add(settings_file, monkeypatch, "bob", "viewer")
    assert _run(settings_file, "remove", "bob") == 0
    assert _run(settings_file, "remove", "ann") == 2
    assert "last admin" in capsys.readouterr().err
    assert _run(settings_file, "remove", "ghost") == 2
    assert "'ghost' does not exist" in capsys.readouterr().err
    with Accounts(db, rounds=4) as a:
        assert [u.name for u in a.list()] == ["ann"]


def test_user_passwd_sets_a_new_password(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    _stdin(monkeypatch, "a new password\r\n")
    assert _run(settings_file, "passwd", "ann", "--password-stdin") == 0
    _prompts(monkeypatch, "third password", "third password")
    assert _run(settings_file, "passwd", "ann") == 0
    assert _run(settings_file, "passwd", "ghost", "--password-stdin") == 2
    assert "'ghost' does not exist" in capsys.readouterr().err
    with Accounts(db, rounds=4) as a:
        assert a.verify("ann", PASSWORD) is None and a.verify("ann", "third password") is not None


def test_user_role_changes_the_role_but_never_demotes_the_last_admin(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    _add(settings_file, monkeypatch, "bob", "viewer")
    assert _run(settings_file, "role", "bob", "moderator") == 0
    assert "bob is now moderator" in capsys.readouterr().out
    assert _run(settings_file, "role", "ann", "viewer") == 2
    assert "last admin" in capsys.readouterr().err
    with Accounts(db, rounds=4) as a:
        assert [(u.name, u.role) for u in a.list()] == [("ann", Role.ADMIN), ("bob", Role.MODERATOR)]


def test_user_key_add_prints_the_key_once_and_it_identifies_the_user(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    capsys.readouterr()
    assert _run(settings_file, "key", "add", "ann", "--label", "obs") == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("lh_") and "shown only once" in err
    with Accounts(db, rounds=4) as a:
        user = a.by_api_key(key)
        assert user is not None and user.name == "ann"
    assert _run(settings_file, "key", "list", "--json") == 0
    out = capsys.readouterr().out
    assert key not in out and key[12:] not in out
    assert _run(settings_file, "key", "add", "ghost") == 2


def test_user_key_list_shows_ids_labels_and_state(
        settings_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    _add(settings_file, monkeypatch, "bob", "viewer")
    assert _run(settings_file, "key", "add", "ann", "--label", "obs") == 0
    assert _run(settings_file, "key", "add", "bob") == 0
    capsys.readouterr()
    assert _run(settings_file, "key", "list", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["user"], d["label"], d["revoked"]) for d in data] == [("ann", "obs", False), ("bob", "", False)]
    assert _run(settings_file, "key", "list", "bob") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(data[1]["id"]) and "active" in lines[0]
    assert _run(settings_file, "key", "list", "ghost") == 2


def test_user_key_revoke_revokes_by_id(
        settings_file: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _add(settings_file, monkeypatch, "ann", "admin")
    capsys.readouterr()
    assert _run(settings_file, "key", "add", "ann") == 0
    key = capsys.readouterr().out.strip()
    key_id = key[3:11]
    assert _run(settings_file, "key", "revoke", key_id) == 0
    assert f"revoked {key_id}" in capsys.readouterr().out
    with Accounts(db, rounds=4) as a:
        assert a.by_api_key(key) is None
    assert _run(settings_file, "key", "list") == 0
    assert "revoked" in capsys.readouterr().out
    assert _run(settings_file, "key", "revoke", "00000000") == 2
    assert "key id: '00000000' does not exist" in capsys.readouterr().err


def test_an_absolute_users_db_setting_is_used_as_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_commands, "ROUNDS", 4)
    elsewhere = tmp_path / "elsewhere" / "accounts.db"
    f = tmp_path / "settings.toml"
    f.write_text(f'[show]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                 f'[console]\nusers_db = "{elsewhere.as_posix()}"\n')
    _add(f, monkeypatch, "ann", "admin")
    assert elsewhere.exists() and not (tmp_path / "data" / "users.sqlite3").exists()
