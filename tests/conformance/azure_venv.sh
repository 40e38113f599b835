#!/bin/bash
# .build/azure-venv: azure.azcollection (from the `ansible` package of tests/conformance/azure-requirements.txt)
# with the Python requirements the collection itself lists (its requirements.txt), as its documentation says to
# install them, for the azure_rm_aduser conformance test. Like sdk_venv.sh it needs the network only when the
# virtualenv is missing or the pin changed: `tests/run-tests.sh prepare` makes it online.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.build/azure-venv"
req="$root/tests/conformance/azure-requirements.txt"
stamp="$venv/.requirements.txt"
if [ ! -x "$venv/bin/ansible-playbook" ] || ! cmp -s "$req" "$stamp"; then
  echo "preparing the azure.azcollection virtualenv (.build/azure-venv)"
  rm -rf "$venv"
  mkdir -p "$root/.build"
  python3 -m venv "$venv"
  # --no-compile: the ansible package holds ~100 collections; byte-compiling them all took 2.5 of the 4 minutes
  # here, and the test imports a few dozen files (Python compiles those on first import).
  "$venv/bin/pip" install -q --disable-pip-version-check --no-compile -r "$req"
  collection="$(ls -d "$venv"/lib/python3*/site-packages/ansible_collections/azure/azcollection)"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-compile -r "$collection/requirements.txt"
  cp "$req" "$stamp"
fi
