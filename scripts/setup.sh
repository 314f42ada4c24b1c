#!/usr/bin/env bash
# Set up livehost: a virtual environment in .venv with the project and its pinned dependencies.
# Usage: scripts/setup.sh [--test]   (--test adds the test tools, the Piper voice and Debian's Chromium)
# Re-running is fast: nothing is reinstalled unless pyproject.toml changed (llama-cpp-python's wheel,
# about 15 minutes to compile the first time, is then reused from pip's cache).
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
if [ "${1:-}" = "--test" ]; then extras="[test,piper]"; fi

if [ ! -x .venv/bin/python ]; then
  echo "livehost setup: creating .venv" >&2
  "${PYTHON:-python3}" -m venv .venv
fi

stamp=.venv/.livehost-installed
want="$(sha256sum pyproject.toml | cut -c1-16)$extras"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ] && ! grep -qxF "$want" "$stamp" 2>/dev/null; then
  echo "livehost setup: installing livehost$extras (first time: llama-cpp-python compiles, ~15 min)" >&2
  # llama.cpp for any x86-64 CPU with AVX2, not -march=native: a native build on a VM whose CPU reports AMX
  # crashed (SIGSEGV) on the first prompt of more than one token (measured on a Xeon VM, 2026-11-30)
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}" \
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    .venv/bin/pip install --disable-pip-version-check -q -e ".$extras"
  echo "$want" >> "$stamp"
fi

missing=""
if [ -n "$extras" ]; then
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"        # browser tests
  command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"  # the many-rooms tests (a real broker)
fi
# FreeDict's French-English dictionaries (Debian's dict-freedict-*; agent/knowledge/freedict.py): questions in French
# about an English catalog and the other way round. The tests need them; a show without them uses the bridge only.
french=""
for d in fra-eng eng-fra; do
  [ -f "/usr/share/dictd/freedict-$d.index" ] || french="$french dict-freedict-$d"
done
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if [ -n "$missing$french" ] && [ -n "$extras" ]; then
  echo "livehost setup: installing Debian's$missing$french for the tests" >&2
  # shellcheck disable=SC2086
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing $french >/dev/null
elif [ -n "$french" ] && command -v apt-get >/dev/null 2>&1; then
  echo "livehost setup: installing Debian's$french (French-English words)" >&2
  # shellcheck disable=SC2086
  { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $french >/dev/null; } \
    || echo "livehost setup: could not install$french; French questions about English catalogs use the bridge only" >&2
fi

# Join and verify the embedded model once, with progress, so the first show starts quickly.
.venv/bin/livehost model prepare
