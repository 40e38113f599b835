"""azure.azcollection's azure_rm_aduser and azure_rm_aduser_info, as installed from PyPI (the `ansible` package
bundles the collection) with the collection's own requirements in .build/azure-venv
(tests/conformance/azure_venv.sh), create and read a user in a private simulator, unchanged: the collection
always talks to https://graph.microsoft.com and https://login.microsoftonline.com, so HTTPS_PROXY points it at
a loopback CONNECT proxy that tunnels exactly those two names to the simulator (connect_proxy.py), and
SSL_CERT_FILE / REQUESTS_CA_BUNDLE make it trust the simulator's test CA."""
import json
import os
import subprocess

import pytest

from connect_proxy import ConnectProxy
from sim_helpers import FULL_APP, FULL_SECRET, TENANT_ID, TESTS

ROOT = os.path.dirname(TESTS)
VENV = os.path.join(ROOT, ".build", "azure-venv", "bin")
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: create
      azure.azcollection.azure_rm_aduser:
        user_principal_name: az.user@corp.example.com
        display_name: Az User
        mail_nickname: az.user
        password_profile: Az-Passw0rd!x
        account_enabled: true
        usage_location: GB
        given_name: Az
        on_premises_extension_attributes:
          extension_attribute1: cost-centre-7
      register: created
    - name: read
      azure.azcollection.azure_rm_aduser_info:
        user_principal_name: az.user@corp.example.com
      register: read
    - name: again (no change)
      azure.azcollection.azure_rm_aduser:
        user_principal_name: az.user@corp.example.com
        display_name: Az User
        usage_location: GB
      register: again
    - name: results
      ansible.builtin.copy:
        content: "{{ {'created': created, 'read': read, 'again': again} | to_json }}"
        dest: "{{ out }}"
"""


@pytest.fixture(scope="module")
def azure_run(sim, tmp_path_factory):
    if not os.path.exists(os.path.join(VENV, "ansible-playbook")):
        pytest.fail("no .build/azure-venv: run tests/conformance/azure_venv.sh (make test does)")
    sim.reset()
    work = tmp_path_factory.mktemp("azure")
    (work / "play.yml").write_text(PLAYBOOK)
    out = str(work / "out.json")
    proxy = ConnectProxy(sim.port)
    env = {"PATH": VENV + ":/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8",
           "ANSIBLE_LOCAL_TEMP": str(work / "tmp"), "ANSIBLE_NOCOLOR": "1",
           "AZURE_CLIENT_ID": FULL_APP, "AZURE_SECRET": FULL_SECRET, "AZURE_TENANT": TENANT_ID,
           "AZURE_DISABLE_INSTANCE_DISCOVERY": "true",
           "HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "NO_PROXY": "", "no_proxy": "",
           "SSL_CERT_FILE": sim.pki["ca"], "REQUESTS_CA_BUNDLE": sim.pki["ca"]}
    try:
        proc = subprocess.run([os.path.join(VENV, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                               "-e", "ansible_python_interpreter=" + os.path.join(VENV, "python"), "-e", "out=" + out,
                               str(work / "play.yml")], capture_output=True, text=True, timeout=300, env=env,
                              cwd=str(work))
    finally:
        proxy.close()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    with open(out) as handle:
        return json.load(handle), proxy


def test_azure_rm_aduser_creates_the_user(azure_run, sim):
    results, _proxy = azure_run
    assert results["created"]["changed"] is True
    assert results["created"]["ad_user"]["user_principal_name"] == "az.user@corp.example.com"
    state = sim.admin("GET", "/state")
    user = [u for u in state["users"] if u["userPrincipalName"] == "az.user@corp.example.com"][0]
    assert user["displayName"] == "Az User" and user["usageLocation"] == "GB" and user["accountEnabled"] is True
    assert user["onPremisesExtensionAttributes"]["extensionAttribute1"] == "cost-centre-7"
    assert user["_hasPassword"] is True


def test_azure_rm_aduser_info_reads_it(azure_run):
    results, _proxy = azure_run
    users = results["read"]["ad_users"]
    assert [u["user_principal_name"] for u in users] == ["az.user@corp.example.com"]
    assert users[0]["given_name"] == "Az" and users[0]["account_enabled"] is True


def test_a_rerun_changes_nothing_and_everything_went_to_the_simulator(azure_run):
    results, proxy = azure_run
    assert results["again"]["changed"] is False
    assert set(proxy.tunnels) == {"graph.microsoft.com:443", "login.microsoftonline.com:443"}
    assert proxy.refused == []
