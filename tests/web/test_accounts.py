"""Accounts: bcrypt-hashed passwords, roles, the last admin, and API keys stored only as hashes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest.mock import patch

import bcrypt
import pytest

from agent.errors import LivehostError
from connectors.web import accounts as accounts_module
from connectors.web.accounts import AccountError, Accounts, Role, User
from testkit.wall import Wall

PASSWORD = "correct horse"




@pytest.fixture
def accounts(tmp_path: Path, wall: Wall) -> Iterator[Accounts]:
    a = Accounts(tmp_path / "users.sqlite3", wall=wall, rounds=4)
    yield a
    a.close()


def _stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def test_roles_grant_control_to_moderators_and_admin_rights_to_admins_only() -> None:
    assert [r.can_control for r in Role] == [True, True, False]
    assert [r.can_admin for r in Role] == [True, False, False]


def test_password_is_stored_as_a_bcrypt_hash_not_as_the_password(accounts: Accounts, tmp_path: Path) -> None:
    accounts.add("ann", "admin", PASSWORD)
    [(stored,)] = _stored(tmp_path / "users.sqlite3", "SELECT hash FROM users")
    assert isinstance(stored, str) and stored.startswith("$2b$04$") and PASSWORD not in stored
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode())


def test_right_password_verifies_and_returns_the_user(accounts: Accounts) -> None:
    added = accounts.add("ann", Role.MODERATOR, PASSWORD)
    assert added == User("ann", Role.MODERATOR, 1_000.0)
    assert accounts.verify("ann", PASSWORD) == added


def test_wrong_password_is_refused(accounts: Accounts) -> None:
    accounts.add("ann", "admin", PASSWORD)
    assert accounts.verify("ann", PASSWORD + "!") is None


def test_unknown_user_is_refused_after_the_same_bcrypt_work(accounts: Accounts) -> None:
    accounts.add("ann", "admin", PASSWORD)
    with patch.object(accounts_module.bcrypt, "checkpw", wraps=bcrypt.checkpw) as checkpw:
        assert accounts.verify("bob", PASSWORD) is None
        assert accounts.verify("ann", "wrong password") is None
    assert checkpw.call_count == 2


def test_password_over_72_bytes_is_refused_not_truncated(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="password.*72 bytes"):
        accounts.add("ann", "admin", "é" * 37)  # 37 characters, 74 bytes
    assert accounts.get("ann") is None
    accounts.add("ann", "admin", "a" * 72)
    assert accounts.verify("ann", "a" * 73) is None
    with pytest.raises(AccountError, match="72 bytes"):
        accounts.set_password("ann", "b" * 73)


def test_short_password_bad_name_and_bad_role_are_refused_naming_the_field(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="^password: .*at least 8"):
        accounts.add("ann", "admin", "short")
    with pytest.raises(AccountError, match="^user name: "):
        accounts.add("ann smith", "admin", PASSWORD)
    with pytest.raises(AccountError, match="^user name: "):
        accounts.add("a" * 33, "admin", PASSWORD)
    with pytest.raises(AccountError, match="^role: 'root' is not one of admin, moderator, viewer"):
        accounts.add("ann", "root", PASSWORD)
    assert isinstance(AccountError("f", "r"), LivehostError)


def test_duplicate_name_is_refused_whatever_its_case(accounts: Accounts) -> None:
    accounts.add("ann", "admin", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("ann", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("ANN", "viewer", PASSWORD)


def test_list_get_and_has_users(accounts: Accounts, wall: Wall) -> None:
    assert not accounts.has_users() and accounts.list() == []
    accounts.add("zoe", "viewer", PASSWORD)
    wall.t = 2_000.0
    accounts.add("ann", "admin", PASSWORD)
    assert accounts.has_users()
    assert accounts.list() == [User("ann", Role.ADMIN, 2_000.0), User("zoe", Role.VIEWER, 1_000.0)]
    assert accounts.get("zoe") == User("zoe", Role.VIEWER, 1_000.0)
    assert accounts.get("nobody") is None


def test_last_admin_can_be_neither_removed_nor_demoted(accounts: Accounts) -> None:
    accounts.add("ann", "admin", PASSWORD)
    accounts.add("bob", "moderator", PASSWORD)
    with pytest.raises(AccountError, match="last admin"):
        accounts.remove("ann")
    with pytest.raises(AccountError, match="last admin"):
        accounts.set_role("ann", "viewer")
    accounts.set_role("bob", Role.ADMIN)
    assert accounts.set_role("ann", "viewer").role is Role.VIEWER
    accounts.remove("ann")
    assert [u.name for u in accounts.list()] == ["bob"]


def test_removing_or_changing_an_unknown_user_is_an_error(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="'ghost' does not exist"):
        accounts.remove("ghost")
    with pytest.raises(AccountError, match="'ghost' does not exist"):
        accounts.set_password("ghost", PASSWORD)
    with pytest.raises(AccountError, match="'ghost' does not exist"):
        accounts.set_role("ghost", "viewer")
    with pytest.raises(AccountError, match="'ghost' does not exist"):
        accounts.password_changed("ghost")


def test_new_password_replaces_the_old_and_records_when(accounts: Accounts, wall: Wall) -> None:
    accounts.add("ann", "admin", PASSWORD)
    assert accounts.password_changed("ann") == 1_000.0
    wall.t = 1_500.0
    accounts.set_password("ann", "another password")
    assert accounts.verify("ann", PASSWORD) is None
    assert accounts.verify("ann", "another password") is not None
    assert accounts.password_changed("ann") == 1_500.0
    accounts.set_role("ann", "admin")
    assert accounts.password_changed("ann") == 1_500.0


def test_accounts_survive_reopening_the_file(tmp_path: Path) -> None:
    with Accounts(tmp_path / "u.sqlite3", rounds=4) as a:
        a.add("ann", "admin", PASSWORD)
    with Accounts(tmp_path / "u.sqlite3", rounds=4) as a:
        assert a.verify("ann", PASSWORD) is not None


def test_api_key_is_returned_once_and_only_its_hash_is_stored(accounts: Accounts, tmp_path: Path) -> None:
    accounts.add("ann", "admin", PASSWORD)
    key, secret = accounts.new_api_key("ann", label="obs script")
    assert key.user == "ann" and key.label == "obs script" and key.created == 1_000.0 and not key.revoked
    prefix, key_id, rest = secret[:3], secret[3:11], secret[12:]
    assert prefix == "lh_" and key_id == key.id and len(rest) == 32 and secret[11] == "_"
    int(key_id, 16)
    [(stored,)] = _stored(tmp_path / "users.sqlite3", "SELECT hash FROM api_keys")
    assert isinstance(stored, str) and rest not in stored and secret not in stored and len(stored) == 64
    assert accounts.api_keys("ann") == [key] and accounts.api_keys() == [key]


def test_api_key_identifies_its_owner_until_revoked(accounts: Accounts) -> None:
    accounts.add("ann", "moderator", PASSWORD)
    key, secret = accounts.new_api_key("ann")
    assert accounts.by_api_key(secret) == User("ann", Role.MODERATOR, 1_000.0)
    accounts.revoke_api_key(key.id)
    assert accounts.by_api_key(secret) is None
    assert accounts.api_keys("ann")[0].revoked


@pytest.mark.parametrize("mangle", [
    lambda s: "",
    lambda s: s[:-1],
    lambda s: s + "x",
    lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),
    lambda s: "lh_00000000_" + s[12:],
    lambda s: s.replace("lh_", "xx_", 1),
    lambda s: s[:3] + "zzzzzzzz" + s[11:],
    lambda s: s[:-1] + "é",
])
def test_malformed_or_wrong_api_key_matches_nobody(accounts: Accounts, mangle: Callable[[str], str]) -> None:
    accounts.add("ann", "admin", PASSWORD)
    _, secret = accounts.new_api_key("ann")
    assert accounts.by_api_key(mangle(secret)) is None


def test_revoking_an_unknown_key_and_keys_of_an_unknown_user_are_errors(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="^key id: 'deadbeef' does not exist"):
        accounts.revoke_api_key("deadbeef")
    with pytest.raises(AccountError, match="does not exist"):
        accounts.new_api_key("ghost")
    with pytest.raises(AccountError, match="does not exist"):
        accounts.api_keys("ghost")


def test_removing_a_user_removes_their_api_keys(accounts: Accounts) -> None:
    accounts.add("ann", "admin", PASSWORD)
    accounts.add("bob", "viewer", PASSWORD)
    _, secret = accounts.new_api_key("bob")
    accounts.remove("bob")
    assert accounts.api_keys() == [] and accounts.by_api_key(secret) is None


def test_nothing_secret_is_logged(accounts: Accounts, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    accounts.add("ann", "admin", PASSWORD)
    accounts.set_password("ann", "another password")
    _, secret = accounts.new_api_key("ann")
    accounts.by_api_key(secret)
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records and PASSWORD not in logged and "another password" not in logged
    assert secret not in logged and secret[12:] not in logged
