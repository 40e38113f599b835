#!/bin/bash
# `make test`: every test the project has.
#   1. the collection builds with ansible-galaxy, installs, and passes ansible-test sanity
#      (run on the installed copy: exactly what ships, in the ansible_collections/hybrid/identity
#      layout ansible-test requires);
#   2. changelog fragments lint;
#   3. pytest: unit tests (pure logic) and integration tests against the lab (started if needed).
# Exits non-zero on any failure; pytest's summary line is the last line printed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
what="${1:-all}"
venv="$root/.venv/bin"
export PATH="$venv:$PATH"
status=0

if [ "$what" = all ] || [ "$what" = sanity ]; then
  work="$(mktemp -d)"
  echo "== build and install the collection"
  if ansible-galaxy collection build --force --output-path "$work" >/dev/null \
     && ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --force -p "$work/installed" "$work"/hybrid-identity-*.tar.gz >/dev/null; then
    echo "built and installed $(basename "$work"/hybrid-identity-*.tar.gz)"
    echo "== ansible-test sanity"
    # ansible-test refuses to work on a tree without git or with unrelated files: give it the installed copy.
    # Its own virtualenv: sanity pins its linters (pylint, pycodestyle, ...) and --venv mode
    # would download pip from a host CI cannot reach, so it runs --local inside this one.
    svenv="$root/.build/sanity-venv"
    if [ ! -x "$svenv/bin/ansible-test" ]; then
      python3 -m venv "$svenv" && "$svenv/bin/pip" install -q --disable-pip-version-check \
        "$(grep '^ansible-core==' requirements-dev.txt)" -r requirements.txt
    fi
    # ansible-test bootstraps pip in each test's virtualenv from a host CI cannot reach; give it a
    # stand-in that uses Python's own pip wheel (see tests/tools/get_pip_offline.py).
    pipv="$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" "$svenv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -1)"
    cache="$HOME/.ansible/test/cache/get_pip_${pipv//./_}.py"
    mkdir -p "$(dirname "$cache")" && cp tests/tools/get_pip_offline.py "$cache"
    (cd "$work/installed/ansible_collections/hybrid/identity" && git init -q && git add -A \
      && "$svenv/bin/ansible-test" sanity --local --python 3.11 --color no --requirements 2>&1 \
         | grep -E -e "^(Running sanity|ERROR|FATAL|WARNING)" | grep -v -e "^WARNING: Skipping" -e "is ignored" \
         ; exit "${PIPESTATUS[0]}") \
      || status=1
  else
    echo "collection build/install FAILED"; status=1
  fi
  rm -rf "$work"
  echo "== changelog lint"
  antsibull-changelog lint || status=1
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
