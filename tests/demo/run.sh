#!/bin/bash
# `make demo` (after `make lab`): enable_integration and the four methods on sample data in the lab,
# then the audit. Rerunnable: the simulator is reset to the lab seed and the demo's AD users are
# recreated. Prints each run's summary and where the reports and the password files are.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck disable=SC1091
. .lab/lab.env
if [ -n "${DEMO_SIMULATOR_URL:-}" ]; then  # development: a private simulator instead of the lab's
  export AZURE_AUTHORITY_HOST="$DEMO_SIMULATOR_URL" HYBRID_IDENTITY_GRAPH_ENDPOINT="$DEMO_SIMULATOR_URL" \
         LAB_SIMULATOR_ADMIN_URL="$DEMO_SIMULATOR_URL/_admin"
fi
export ANSIBLE_COLLECTIONS_PATH="$root/.build/collections"
link="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/hybrid/identity"
if [ ! -e "$link" ]; then mkdir -p "$(dirname "$link")" && ln -s "$root" "$link"; fi
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
play="$root/.venv/bin/ansible-playbook"
work="$root/.build/demo"
mkdir -p "$work"
cd "$work"

echo "== reset the tenant simulator to the lab seed"
"$root/.venv/bin/python" - <<PY
import json, os, ssl, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["HYBRID_IDENTITY_CA_PATH"])
req = urllib.request.Request(os.environ["LAB_SIMULATOR_ADMIN_URL"] + "/reset", data=b"", method="POST")
print(json.load(urllib.request.urlopen(req, context=ctx)))
PY
demo_password="$(PYTHONPATH="$ANSIBLE_COLLECTIONS_PATH" "$root/.venv/bin/python" -c 'from ansible_collections.hybrid.identity.plugins.module_utils._passwords import generate_password; print(generate_password())')"
"$play" -i localhost, -c local -e ansible_python_interpreter="$root/.venv/bin/python" \
  -e "{\"demo_password\": \"$demo_password\"}" "$root/tests/demo/setup.yml" >/dev/null

summary() { sed -n '/TASK \[.*\(Summary\|Readiness\)\]/,/^$/p' | grep -v '^TASK' | grep -v '^ok:' | sed 's/^ *"//; s/",\?$//' | grep -v '^[]}{]' ; }
run() {
  local name="$1"; shift
  echo; echo "== hybrid.identity.$name $*"
  "$play" "hybrid.identity.$name" "$@" > "$work/$name.log" 2>&1 || { tail -30 "$work/$name.log"; echo "FAILED: see $work/$name.log"; exit 1; }
  summary < "$work/$name.log"
}
run enable_integration -e add_upn_suffix=true -e '{"licenses": ["O365_BUSINESS_PREMIUM"]}'
run onboard_new_users -e users_csv="$root/examples/data/new_users.csv"
run onboard_new_users -e @"$root/examples/data/new_users.yml"
run add_cloud_accounts -e @"$root/examples/data/add_cloud_accounts.yml"
run link_accounts -e @"$root/examples/data/link_accounts.yml" -e ad_filter='(department=Sales)'
run import_cloud_accounts -e @"$root/examples/data/import_cloud_accounts.yml"
run audit
if [ -n "${LAB_SITE2_DOMAIN_SERVER:-}" ]; then  # site2 provisioned (make lab SITES="site1 site2")
  echo; echo "== two sites, one tenant, in parallel: examples/inventories/multisite (-f 2)"
  "$play" -i "$root/examples/inventories/multisite" hybrid.identity.enable_integration -e target=sites -f 2 \
    -e add_upn_suffix=true > "$work/multisite.log" 2>&1 || { tail -30 "$work/multisite.log"; echo "FAILED: see $work/multisite.log"; exit 1; }
  grep -E '^site[0-9]' "$work/multisite.log"
fi
echo
echo "== check mode of a rerun writes nothing and plans no change"
"$play" hybrid.identity.onboard_new_users -e users_csv="$root/examples/data/new_users.csv" --check | grep -E '^localhost'
echo
echo "Reports and password files (mode 0600) are in $work/hybrid_identity_reports"
ls -l "$work/hybrid_identity_reports" | grep -E 'passwords|html' | tail -12
