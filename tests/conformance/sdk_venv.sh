#!/bin/bash
# The conformance suite's own virtualenv, .build/sdk-venv: Microsoft's msgraph-sdk and azure-identity at the pins
# of tests/conformance/requirements.txt, apart from the project's .venv so that the SDK is an independent client
# of the simulator. Needs the network only when the virtualenv is missing or the pins changed (stamp): the
# fresh-root CI makes it in `tests/run-tests.sh prepare`, online, and `make test` then finds it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.build/sdk-venv"
req="$root/tests/conformance/requirements.txt"
stamp="$venv/.requirements.txt"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$stamp"; then
  echo "preparing the SDK conformance virtualenv (.build/sdk-venv)"
  rm -rf "$venv"
  mkdir -p "$root/.build"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
