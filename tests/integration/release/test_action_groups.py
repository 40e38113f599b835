"""The action groups work as documented: one module_defaults entry per connection reaches every module that
takes it, and no module gets an option it refuses.

account_link and account_link_info are in group/hybrid.identity.ad and in group/hybrid.identity.cloud;
group/hybrid.identity.hybrid holds them alone. Before, hybrid extended ad and cloud, and setting both
connections through it made every cloud module fail with "Unsupported parameters: domain_server".

The connection comes only from module_defaults here: the HYBRID_IDENTITY_* / AZURE_* fallbacks are removed
from the environment, so a task that did not get the defaults fails.
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
AD = {"domain_server": "{{ lookup('env', 'T_DOMAIN_SERVER') }}",
      "domain_username": "{{ lookup('env', 'T_DOMAIN_USERNAME') }}",
      "domain_password": "{{ lookup('env', 'T_DOMAIN_PASSWORD') }}",
      "ca_path": "{{ lookup('env', 'T_CA_PATH') }}"}
CLOUD = {"tenant_id": "{{ lookup('env', 'T_TENANT_ID') }}",
         "client_id": "{{ lookup('env', 'T_CLIENT_ID') }}",
         "client_certificate_path": "{{ lookup('env', 'T_CLIENT_CERTIFICATE_PATH') }}",
         "authority_host": "{{ lookup('env', 'T_AUTHORITY_HOST') }}",
         "graph_endpoint": "{{ lookup('env', 'T_GRAPH_ENDPOINT') }}",
         "ca_path": "{{ lookup('env', 'T_CA_PATH') }}"}
TASKS = [
    {"name": "ad", "hybrid.identity.ad_domain_info": {}},
    {"name": "cloud", "hybrid.identity.cloud_tenant_info": {}},
    {"name": "link", "hybrid.identity.account_link_info": {
        "ad_filter": "(sAMAccountName=no-such-user-action-groups)",
        "cloud_filter": "userPrincipalName eq 'no-such-user-action-groups@corp.example.com'"}},
]


def _run(lab, tmp_path, module_defaults):
    play = [{"hosts": "localhost", "gather_facts": False, "connection": "local",
             "module_defaults": module_defaults, "tasks": TASKS}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "HYBRID_IDENTITY_"))}
    env.update({
        "T_DOMAIN_SERVER": lab["HYBRID_IDENTITY_DOMAIN_SERVER"], "T_DOMAIN_USERNAME": lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
        "T_DOMAIN_PASSWORD": lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], "T_CA_PATH": lab["HYBRID_IDENTITY_CA_PATH"],
        "T_TENANT_ID": lab["AZURE_TENANT_ID"], "T_CLIENT_ID": lab["AZURE_CLIENT_ID"],
        "T_CLIENT_CERTIFICATE_PATH": lab["AZURE_CLIENT_CERTIFICATE_PATH"],
        "T_AUTHORITY_HOST": lab["AZURE_AUTHORITY_HOST"], "T_GRAPH_ENDPOINT": lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"],
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".build", "collections"),
        "ANSIBLE_STDOUT_CALLBACK": "results_json",
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(ROOT, "tests", "integration", "callback_plugins"), "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false", "ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=600)
    assert "{" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = json.loads(proc.stdout[proc.stdout.find("{"):])
    results = {t["task"]["name"]: t["hosts"]["localhost"] for t in out["plays"][0]["tasks"]}
    return proc, results


def _assert_all_ok(proc, results):
    assert proc.returncode == 0, {name: r.get("msg") for name, r in results.items()}
    assert set(results) == {"ad", "cloud", "link"}
    for name, result in results.items():
        assert not result.get("failed"), (name, result.get("msg"))
    assert results["ad"]["dns_domain"]
    assert results["cloud"]["verified_domains"]
    assert "counts" in results["link"]


def test_ad_and_cloud_groups_give_the_linking_modules_both_connections(lab, tmp_path):
    _assert_all_ok(*_run(lab, tmp_path, {"group/hybrid.identity.ad": AD, "group/hybrid.identity.cloud": CLOUD}))


def test_hybrid_group_sets_both_connections_for_the_linking_modules_only(lab, tmp_path):
    both = dict(AD, **CLOUD)
    proc, results = _run(lab, tmp_path, {"group/hybrid.identity.ad": AD, "group/hybrid.identity.cloud": CLOUD,
                                         "group/hybrid.identity.hybrid": both})
    _assert_all_ok(proc, results)


def test_runtime_groups_match_the_modules_documented_membership():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        groups = yaml.safe_load(handle)["action_groups"]
    assert groups["hybrid"] == ["account_link", "account_link_info"]
    for module in ("account_link", "account_link_info"):
        assert module in groups["ad"] and module in groups["cloud"]
    for entry in groups["hybrid"]:
        assert not isinstance(entry, dict), "hybrid must extend no group (its defaults would reach every module)"
