#!/bin/bash
# make release-check: the checks the Ansible ecosystem judges a collection by, each must pass with 0 findings:
#   1. galaxy-importer on the built tarball (what Galaxy runs on upload);
#   2. ansible-lint --profile production (.ansible-lint);
#   3. antsibull-docs lint-collection-docs (module, plugin and role docs, docs/docsite/*.yml).
# Prints one line per check and "release checks: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash tests/release/tools.sh || exit 1
bin="$root/.build/release-venv/bin"
export PATH="$bin:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() {  # name, log, command...
  local name="$1" log="$2"; shift 2
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "release check $name: ok"
  else
    failed=$((failed + 1)); echo "release check $name: FAILED"; tail -40 "$log"
  fi
}
importer() {
  ansible-galaxy collection build --force --output-path "$work" >/dev/null || return 1
  (cd "$work" && GALAXY_IMPORTER_CONFIG="$root/tests/release/galaxy-importer.cfg" \
     python -m galaxy_importer.main "$work"/hybrid-identity-*.tar.gz) >"$work/importer.out" 2>&1
  local rc=$?
  cat "$work/importer.out"
  # galaxy-importer reports lint findings and metadata problems as ERROR/WARNING lines without failing.
  [ $rc = 0 ] && ! grep -qE "^(ERROR|WARNING)" "$work/importer.out"
}
lint() { ansible-lint --nocolor -f pep8 --profile production; }
doclint() {
  # antsibull-docs reads the collection from an ansible_collections/<namespace>/<name> tree.
  mkdir -p "$work/ac/ansible_collections/hybrid"
  ln -sfn "$root" "$work/ac/ansible_collections/hybrid/identity"
  (cd "$work/ac/ansible_collections/hybrid/identity" && \
     ANSIBLE_COLLECTIONS_PATH="$work/ac" antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .)
}
check galaxy-importer "$work/importer.log" importer
check ansible-lint "$work/lint.log" lint
check antsibull-docs-lint "$work/doclint.log" doclint
echo "release checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
