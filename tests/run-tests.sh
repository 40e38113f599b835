#!/bin/bash
# `make test`: every test the project has.
#   1. the collection builds with ansible-galaxy, installs, and passes ansible-test sanity
#      (run on the installed copy: exactly what ships, in the ansible_collections/hybrid/identity
#      layout ansible-test requires);
#   2. changelog fragments lint;
#   3. pytest: unit tests (pure logic) and integration tests against the lab (started if needed).
# `tests/run-tests.sh prepare` does only what needs the network (the sanity virtualenv, the
# virtualenvs ansible-test makes per test, with --prime-venvs, and the conformance virtualenvs
# .build/sdk-venv and .build/azure-venv): `make test` does the same steps itself
# when they are missing; the fresh-root CI (tests/ci/fresh-root.sh) runs them first, online, then
# `make demo` and `make test` without a network.
# Exits non-zero on any failure; pytest's summary line is the last line printed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
what="${1:-all}"
venv="$root/.venv/bin"
export PATH="$venv:$PATH"
status=0

# The sanity virtualenv: ansible-test pins its linters (pylint, pycodestyle, ...) and --venv mode
# would download pip from a host CI cannot reach, so sanity runs --local inside this one. Its
# ansible-core is requirements-dev.txt's pin for this Python (the lines carry environment markers);
# a changed pin rebuilds it.
svenv="$root/.build/sanity-venv"
sanity_venv() {
  local pins stamp="$svenv/.pins"
  pins="$(grep -E '^ansible-core *[=<>~!;]' requirements-dev.txt; cat requirements.txt)"
  if [ ! -x "$svenv/bin/ansible-test" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$pins" ]; then
    echo "preparing the sanity virtualenv"
    rm -rf "$svenv"
    python3 -m venv "$svenv" || return 1
    printf '%s\n' "$pins" > "$svenv/.pins.txt"
    "$svenv/bin/pip" install -q --disable-pip-version-check -r "$svenv/.pins.txt" || return 1
    printf '%s' "$pins" > "$stamp"
  fi
  # ansible-test bootstraps pip in each test's virtualenv from a host CI cannot reach; give it a
  # stand-in that uses the pip wheel Python has (see tests/tools/get_pip_offline.py).
  local pipv cache
  pipv="$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" "$svenv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -1)"
  [ -n "$pipv" ] || { echo "cannot read ansible-test's pip version"; return 1; }
  cache="$HOME/.ansible/test/cache/get_pip_${pipv//./_}.py"
  mkdir -p "$(dirname "$cache")" && cp tests/tools/get_pip_offline.py "$cache"
}

if [ "$what" = all ] || [ "$what" = sanity ] || [ "$what" = prepare ]; then
  work="$(mktemp -d)"
  echo "== build and install the collection"
  if ansible-galaxy collection build --force --output-path "$work" >/dev/null \
     && ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --force -p "$work/installed" "$work"/hybrid-identity-*.tar.gz >/dev/null; then
    echo "built and installed $(basename "$work"/hybrid-identity-*.tar.gz)"
    echo "== ansible-test sanity"
    # ansible-test refuses to work on a tree without git or with unrelated files: give it the installed copy.
    sanity_venv || status=1
    # --python: the Python that is actually there (the sanity virtualenv's), not a fixed version.
    pyver="$("$svenv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    prime=()
    [ "$what" = prepare ] && prime=(--prime-venvs)
    (cd "$work/installed/ansible_collections/hybrid/identity" && git init -q && git add -A \
      && "$svenv/bin/ansible-test" sanity --local --python "$pyver" --color no --requirements "${prime[@]}" 2>&1 \
         | grep -E -e "^(Running sanity|ERROR|FATAL|WARNING)" | grep -v -e "^WARNING: Skipping" -e "is ignored" \
         ; exit "${PIPESTATUS[0]}") \
      || status=1
  else
    echo "collection build/install FAILED"; status=1
  fi
  rm -rf "$work"
  echo "== changelog lint"
  antsibull-changelog lint || status=1
  echo "== release checks (galaxy-importer, ansible-lint production, antsibull-docs lint)"; bash tests/release/check.sh || status=1
fi

# The conformance suites' virtualenvs (tests/conformance/): Microsoft's msgraph-sdk + azure-identity, and
# azure.azcollection with its requirements (~1.1 GB, ~1.5 min to make). Made online by prepare, by
# all/integration only when missing or when their pins changed.
if [ "$what" = all ] || [ "$what" = integration ] || [ "$what" = prepare ]; then
  bash tests/conformance/sdk_venv.sh || status=1
  bash tests/conformance/azure_venv.sh || status=1
fi

if [ "$what" = all ] || [ "$what" = unit ] || [ "$what" = integration ]; then
  case "$what" in
    unit) paths=(tests/unit) ;;
    integration) paths=(tests/integration) ;;
    *) paths=(tests/unit tests/integration) ;;
  esac
  if [ "$status" != 0 ]; then echo "(sanity failed; running pytest anyway)"; fi
  python -m pytest -p no:cacheprovider "${paths[@]}" -q -ra
  rc=$?
  [ $rc = 0 ] || status=$rc
fi
exit $status
