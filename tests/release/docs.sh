#!/bin/bash
# make docs: the collection's documentation site (antsibull-docs sphinx-init + Sphinx) in .build/docsite/src/build/html:
# every module, plugin, filter and role, the user guides of docs/*.md (docs/development stays out: it is for
# contributors and not in the tarball) and docs/docsite/links.yml. Ends with no warning but the offline intersphinx
# ones, every guide a page listed on the collection's index, and no broken internal link.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$root/tests/release/tools.sh"
bin="$root/.build/release-venv/bin"
export PATH="$bin:$PATH"
site="$root/.build/docsite"
rm -rf "$site"; mkdir -p "$site/collections"
export ANSIBLE_COLLECTIONS_PATH="$site/collections"
# The site documents the collection as it ships: the tarball installed into .build/docsite/collections. The guides'
# RST pages and the extra-docs.yml that lists them are written into that copy only (tests/release/docs_guides.py):
# the Markdown in docs/ stays the one source, and the repository's extra-docs.yml keeps `sections: []`.
ansible-galaxy collection build --force --output-path "$site" "$root" >/dev/null
ansible-galaxy collection install --offline -p "$site/collections" "$site"/hybrid-identity-*.tar.gz >/dev/null
copy="$site/collections/ansible_collections/hybrid/identity"
python "$root/tests/release/docs_guides.py" "$root" "$copy"
# antsibull-docs' own rules for extra docs (labels, extra-docs.yml, rstcheck, :ansplugin: targets), on the copy. The
# ceiling: .build is inside the repository's work tree, where the linter would copy only the files Git tracks (none).
if ! (cd "$copy" && GIT_CEILING_DIRECTORIES="$site" antsibull-docs lint-collection-docs --check-extra-docs-refs .) \
    >"$site/lint.log" 2>&1; then
  cat "$site/lint.log"; exit 1
fi
mkdir -p "$site/src" && chmod 755 "$site/src"
antsibull-docs sphinx-init --use-current --dest-dir "$site/src" --fail-on-error hybrid.identity >/dev/null
# Offline, Sphinx cannot fetch the intersphinx inventories (docs.ansible.com, docs.python.org, Jinja), so the labels
# they define (common_return_values, action_plugins, other collections' modules) stay undefined and build.sh's
# warnings-as-errors fails. Any other warning fails make docs.
log="$site/build.log"
if ! (cd "$site/src" && ./build.sh) >"$log" 2>&1; then
  other="$(grep -E "WARNING|ERROR" "$log" | grep -v -e "failed to reach any of the inventories" \
      -e "undefined label: '\(common_return_values\|action_plugins\|ansible_configuration_settings\|ansible_collections\.microsoft\.[a-z_.]*\|ansible_collections\.azure\.[a-z_.]*\|ansible_collections\.ansible\.[a-z_.]*\)'" \
      -e "build finished with problems" || true)"
  if [ -n "$other" ] || [ ! -f "$site/src/build/html/index.html" ]; then
    echo "$other"; tail -20 "$log"; exit 1
  fi
  echo "docs: only offline intersphinx warnings ($(grep -c "WARNING" "$log"))"
fi
html="$site/src/build/html"
# Every guide has a page, and the collection's index links to it.
index="$html/collections/hybrid/identity/index.html"
guides=0
for md in "$copy"/docs/*.md; do
  name="$(basename "$md" .md)"
  if [ ! -f "$html/collections/hybrid/identity/docsite/$name.html" ]; then
    echo "docs: docs/$name.md has no page in the site"; exit 1
  fi
  if ! grep -q "href=\"docsite/$name.html\"" "$index"; then
    echo "docs: the collection's index does not list docs/$name.md"; exit 1
  fi
  guides=$((guides + 1))
done
echo "docs: $guides guide pages, each listed on the collection's index"
python "$root/tests/release/docs_links.py" "$html"
echo "docs: $html/index.html"
