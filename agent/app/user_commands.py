"""``livehost user add|list|remove|passwd|role`` and ``livehost user key add|list|revoke``: console accounts.

The accounts file is the one the console reads (``console.users_db``), so the first admin is made here before
the console is ever opened, and a lost password is reset here. Passwords are prompted for twice (never on the
command line, where ``ps`` and shell history would keep them) or read as one line with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from typing import Any

from agent.settings import Settings
from connectors.web.accounts import AccountError, Accounts, Role, users_db_path

ROUNDS = 12  # bcrypt cost of new hashes
ROLES = [r.value for r in Role]


def register(subparsers: Any) -> None:
    u = subparsers.add_parser("user", help="console accounts and their API keys")
    usub = u.add_subparsers(dest="user_command", required=True)

    p = usub.add_parser("add", help="add a console user (the password is prompted for)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    p.set_defaults(func=user_add)

    p = usub.add_parser("list", help="list console users")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=user_list)

    p = usub.add_parser("remove", help="remove a user and their API keys")
    p.add_argument("name")
    p.set_defaults(func=user_remove)

    p = usub.add_parser("passwd", help="set a user's password (the console ends their sessions)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    p.set_defaults(func=user_passwd)

    p = usub.add_parser("role", help="change a user's role")
    p.add_argument("name")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(func=user_role)

    k = usub.add_parser("key", help="API keys for scripts")
    ksub = k.add_subparsers(dest="key_command", required=True)
    p = ksub.add_parser("add", help="make an API key (shown once)")
    p.add_argument("name")
    p.add_argument("--label", default="")
    p.set_defaults(func=key_add)
    p = ksub.add_parser("list", help="list API keys (never the keys themselves)")
    p.add_argument("name", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=key_list)
    p = ksub.add_parser("revoke", help="revoke an API key by its id")
    p.add_argument("key_id")
    p.set_defaults(func=key_revoke)


def _accounts(settings: Settings) -> Accounts:
    return Accounts(users_db_path(settings), rounds=ROUNDS)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise AccountError("password", "nothing on stdin (--password-stdin reads one line)")
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise AccountError("password", "the two entries differ")
    return first


def _when(t: float) -> str:
    return datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")


def user_add(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        if accounts.get(args.name) is not None:  # before asking for a password
            raise AccountError("user name", f"'{args.name}' already exists")
        user = accounts.add(args.name, args.role, _password(args))
    print(f"added {user.name} ({user.role.value})")
    return 0


def user_list(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        users = accounts.list()
    if args.json:
        print(json.dumps([{"name": u.name, "role": u.role.value, "created": u.created} for u in users]))
        return 0
    for u in users:
        print(f"{u.name:<32} {u.role.value:<9} {_when(u.created)}")
    if not users:
        print("no users (add one with: livehost user add NAME --role admin)", file=sys.stderr)
    return 0


def user_remove(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        accounts.remove(args.name)
    print(f"removed {args.name}")
    return 0


def user_passwd(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        if accounts.get(args.name) is None:
            raise AccountError("user name", f"'{args.name}' does not exist")
        accounts.set_password(args.name, _password(args))
    print(f"password changed for {args.name}")
    return 0


def user_role(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        user = accounts.set_role(args.name, args.role)
    print(f"{user.name} is now {user.role.value}")
    return 0


def key_add(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        key, secret = accounts.new_api_key(args.name, args.label)
    print(secret)
    print(f"API key {key.id} for {key.user}: shown only once, store it now (only its hash is kept)",
          file=sys.stderr)
    return 0


def key_list(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        keys = accounts.api_keys(args.name)
    if args.json:
        print(json.dumps([{"id": k.id, "user": k.user, "label": k.label, "created": k.created,
                           "revoked": k.revoked} for k in keys]))
        return 0
    for k in keys:
        state = "revoked" if k.revoked else "active"
        print(f"{k.id}  {k.user:<32} {state:<7} {_when(k.created)}  {k.label}")
    return 0


def key_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with _accounts(settings) as accounts:
        accounts.revoke_api_key(args.key_id)
    print(f"revoked {args.key_id}")
    return 0
