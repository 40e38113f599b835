"""The collection under AWX's engine: ansible-runner (the library AWX and Automation Platform run every job with)
runs hybrid.identity.onboard_new_users from a private data dir laid out as AWX lays it out (inventory,
env/envvars, env/extravars, project) against the lab, and its artifacts and job events are checked:
status successful, the engine's progress lines arrive as job events, and no secret (the domain password, the
app's private key, the new users' passwords) is in any event or any artifact.

As with an AWX credential type whose injector sets extra_vars, the domain password reaches the play through
env/extravars (ansible-runner passes that file as -e @file); env/envvars holds only what is not secret.
ansible-runner copies env/envvars into artifacts/<ident>/command, so a secret given there would be on disk
in the artifacts: the test proves the layout it uses keeps every artifact clean.
"""
import csv
import glob
import json
import os
import subprocess
import sys
import uuid

import yaml

from integration.roles.roles_lab import admin, ad_users, kinit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TAG = uuid.uuid4().hex[:5]

DRIVER = r"""
import json, sys
import ansible_runner
args = json.loads(sys.argv[1])
r = ansible_runner.run(private_data_dir=args["pdd"], playbook="site.yml", ident="job1", quiet=True,
                       settings={"suppress_ansible_output": False})
print(json.dumps({"status": r.status, "rc": r.rc}))
"""


def _lay_out(pdd, lab, users):
    os.makedirs(os.path.join(pdd, "inventory"))
    os.makedirs(os.path.join(pdd, "env"))
    os.makedirs(os.path.join(pdd, "project"))
    with open(os.path.join(pdd, "inventory", "hosts.yml"), "w") as handle:
        yaml.safe_dump({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}, handle)
    # What a job template's credentials and execution environment set, less the secrets.
    envvars = {key: lab[key] for key in ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME",
                                         "HYBRID_IDENTITY_CA_PATH", "AZURE_TENANT_ID", "AZURE_CLIENT_ID",
                                         "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_AUTHORITY_HOST",
                                         "HYBRID_IDENTITY_GRAPH_ENDPOINT")}
    envvars.update({"ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".build", "collections"),
                    "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_NOCOLOR": "1"})
    with open(os.path.join(pdd, "env", "envvars"), "w") as handle:
        yaml.safe_dump(envvars, handle)
    with open(os.path.join(pdd, "env", "extravars"), "w") as handle:
        yaml.safe_dump({"domain_password": lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], "users": users,
                        "chunk_size": 1}, handle)
    # The job template's project: a playbook of the project that runs the collection's playbook.
    with open(os.path.join(pdd, "project", "site.yml"), "w") as handle:
        handle.write("---\n- name: Onboard\n  ansible.builtin.import_playbook: hybrid.identity.onboard_new_users\n")


def _all_files(folder):
    for path in glob.glob(os.path.join(folder, "**"), recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                yield path, handle.read()


def test_onboarding_runs_under_ansible_runner_with_clean_events_and_artifacts(lab, release_bin, tmp_path):
    users = [{"given_name": "Run", "surname": "Ner%s" % TAG, "username": "run%s" % TAG,
              "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"},
             {"given_name": "Awx", "surname": "Job%s" % TAG, "username": "awx%s" % TAG}]
    pdd = str(tmp_path / "pdd")
    _lay_out(pdd, lab, users)
    # ansible-runner starts ansible-playbook from PATH: the project's ansible-core, as an EE has its own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "HYBRID_IDENTITY_", "ANSIBLE_"))}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([os.path.join(release_bin, "python"), "-c", DRIVER, json.dumps({"pdd": pdd})],
                          capture_output=True, text=True, env=env, timeout=900)
    artifacts = os.path.join(pdd, "artifacts", "job1")
    stdout = open(os.path.join(artifacts, "stdout")).read() if os.path.exists(os.path.join(artifacts, "stdout")) else ""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"status": "successful", "rc": 0}, stdout[-4000:]
    with open(os.path.join(artifacts, "status")) as handle:
        assert handle.read().strip() == "successful"

    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, "job_events", "*.json"))):
        with open(path) as handle:
            events.append(json.load(handle))
    kinds = {e["event"] for e in events}
    assert {"playbook_on_start", "runner_on_ok", "playbook_on_stats"} <= kinds, kinds
    texts = [e.get("stdout", "") for e in events]
    # The engine's plan line and a progress line per write chunk (chunk_size 1: two chunks), as events.
    assert any("plan: 2 of 2 users to create or change" in t for t in texts), stdout[-4000:]
    for label in ("users 1 of 2: ad created=1", "users 2 of 2: ad created=1"):
        line = [e for e in events if "Onboard new users [localhost] " + label in e.get("stdout", "")]
        assert len(line) == 1, (label, stdout[-4000:])
        assert line[0]["event"] == "verbose"  # a line of its own, as AWX shows it while the task runs
    stats = next(e for e in events if e["event"] == "playbook_on_stats")["event_data"]
    assert stats["failures"] == {} and stats["ok"].get("localhost")

    # The users exist and their passwords work, so the secrets looked for below are the real ones.
    rows = list(csv.DictReader(open(os.path.join(pdd, "project", "hybrid_identity_reports",
                                                 "onboard_new_users-passwords.csv"))))
    passwords = {r["sam_account_name"]: r["password"] for r in rows}
    assert set(passwords) == {"run%s" % TAG, "awx%s" % TAG}
    rc, said = kinit(lab, "run%s@%s" % (TAG, lab["LAB_REALM"]), passwords["run%s" % TAG])
    assert rc == 0, said
    assert len(ad_users(lab, "(sAMAccountName=awx%s)" % TAG)) == 1
    assert admin(lab, "/state") is not None

    with open(lab["AZURE_CLIENT_CERTIFICATE_PATH"]) as handle:
        pem = handle.read()
    key_line = next(line for line in pem.splitlines() if line and "-----" not in line)
    secrets = {"domain password": lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], "app private key": key_line}
    secrets.update({"password of %s" % sam: pw for sam, pw in passwords.items()})
    seen = 0
    for path, data in _all_files(os.path.join(pdd, "artifacts")):
        seen += 1
        for what, secret in secrets.items():
            assert secret.encode() not in data, "%s in %s" % (what, os.path.relpath(path, pdd))
    assert seen >= len(events) + 3  # every event file, stdout, status, rc, command were searched
    for what, secret in secrets.items():
        assert secret not in proc.stdout + proc.stderr, what
