#!/bin/bash
# make release-tools: the release tools of requirements-release.txt in a virtualenv of their own,
# .build/release-venv (they pin their own ansible-core; .venv keeps the project's). Idempotent: reinstalls only
# when requirements-release.txt is newer than the last install.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.build/release-venv"
stamp="$venv/.requirements-release.stamp"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$stamp" ] || [ "$root/requirements-release.txt" -nt "$stamp" ]; then
  echo "release tools: preparing .build/release-venv"
  mkdir -p "$root/.build"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/requirements-release.txt"
  touch "$stamp"
fi
