"""Helpers for the cloud integration tests: run modules through ansible-playbook, read the
simulator directly (its /_admin API and Graph with requests, never through the modules)."""
import json
import os
import subprocess
import sys
import tempfile

import requests
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")

READONLY_APP = {"client_id": "7a1c9e44-2b3d-4c5e-8f60-1a2b3c4d5e6f", "client_secret": "lab-secret-readonly-7a1c9e44"}


def cloud_env(lab):
    """The cloud connection variables of the lab (AZURE_*, HYBRID_IDENTITY_*, LAB_SIMULATOR_ADMIN_URL)."""
    keys = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
            "AZURE_AUTHORITY_HOST", "HYBRID_IDENTITY_GRAPH_ENDPOINT", "LAB_SIMULATOR_ADMIN_URL",
            "HYBRID_IDENTITY_CA_PATH")
    return dict((k, lab[k]) for k in keys if k in lab)


class Sim(object):
    """The simulator seen from the test: admin API and raw Graph calls with requests."""

    def __init__(self, env):
        self.env = env
        self.admin = env["LAB_SIMULATOR_ADMIN_URL"].rstrip("/")
        self.base = env["HYBRID_IDENTITY_GRAPH_ENDPOINT"].rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = env["HYBRID_IDENTITY_CA_PATH"]
        self._token = None

    def post_admin(self, path, body=None):
        resp = self.http.post(self.admin + path, json=body or {}, timeout=60)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def reset(self):
        return self.post_admin("/reset")

    def state(self):
        return self.http.get(self.admin + "/state", timeout=60).json()

    def counters(self):
        return self.http.get(self.admin + "/counters", timeout=60).json()

    def reset_counters(self):
        return self.post_admin("/counters/reset")

    def throttle(self, **config):
        return self.post_admin("/throttle", config)

    def faults(self, **config):
        return self.post_admin("/faults", config)

    def users(self):
        return dict((u["userPrincipalName"].lower(), u) for u in self.state()["users"])

    def deleted(self):
        return dict((u["userPrincipalName"].lower(), u) for u in self.state()["deletedItems"])

    def skus(self):
        return dict((s["skuPartNumber"], s) for s in self.state()["skus"])

    def token_url(self):
        return "%s/%s/oauth2/v2.0/token" % (self.env["AZURE_AUTHORITY_HOST"].rstrip("/"), self.env["AZURE_TENANT_ID"])

    def password_works(self, upn, password):
        """ROPC password grant: (ok, error text)."""
        resp = self.http.post(self.token_url(), data={
            "grant_type": "password", "client_id": self.env["AZURE_CLIENT_ID"],
            "client_secret": self.env["AZURE_CLIENT_SECRET"], "scope": "https://graph.microsoft.com/.default",
            "username": upn, "password": password}, timeout=60)
        body = resp.json()
        return resp.status_code == 200 and "access_token" in body, body.get("error_description", "")


def _env(lab_env, extra):
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("AZURE_") or key.startswith("HYBRID_IDENTITY_"):
            del env[key]
    env.update(lab_env)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_STDOUT_CALLBACK": "default",
    })
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class Run(object):
    def __init__(self, rc, stdout, stderr, result):
        self.rc, self.stdout, self.stderr, self.result = rc, stdout, stderr, result


def run(module, args, lab_env, check=False, diff=False, verbosity=0, env=None):
    """Run one module task through ansible-playbook; the result comes back through a registered
    variable written to a file (works with any stdout callback)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        play = [{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": [
            {"name": "under test", module: args, "register": "under_test", "ignore_errors": True},
            {"name": "save result", "ansible.builtin.copy": {"content": "{{ under_test | to_json }}", "dest": out},
             "check_mode": False, "diff": False, "no_log": True},
        ]}]
        path = os.path.join(tmp, "play.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(play, handle)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", path]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(lab_env, env), cwd=tmp, timeout=1800)
        result = None
        if os.path.exists(out):
            with open(out) as handle:
                result = json.load(handle)
        assert result is not None, "no result; ansible-playbook said:\n%s\n%s" % (proc.stdout[-4000:], proc.stderr[-4000:])
        return Run(proc.returncode, proc.stdout, proc.stderr, result)


def run_ok(module, args, lab_env, **kwargs):
    res = run(module, args, lab_env, **kwargs).result
    assert not res.get("failed"), json.dumps(res, indent=1)[:6000]
    return res


def run_fail(module, args, lab_env, **kwargs):
    res = run(module, args, lab_env, **kwargs).result
    assert res.get("failed"), json.dumps(res, indent=1)[:6000]
    return res


def by_name(result):
    return dict((u["name"].lower(), u) for u in result.get("users") or [])
