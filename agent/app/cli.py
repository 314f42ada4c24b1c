"""The ``livehost`` command. Each area registers its own subcommands; handlers get parsed args and settings."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from agent.errors import LivehostError
from agent.settings import load_settings

# Modules that add subcommands: each has ``register(subparsers)``; a handler is set with
# ``parser.set_defaults(func=handler)`` and called as ``handler(args, settings) -> int``.
COMMAND_MODULES = (
    "agent.app.commands",
    "agent.app.knowledge_commands",
    "agent.app.moderation_commands",
    "agent.app.platform_commands",
    "agent.app.report_commands",
    "agent.app.room_commands",
    "agent.app.user_commands",
    "agent.app.voice_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livehost", description=__doc__)
    parser.add_argument("--settings", default=None, help="path to settings.toml (default: ./settings.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(args.settings)
        return int(args.func(args, settings) or 0)
    except LivehostError as exc:
        print(f"livehost: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
