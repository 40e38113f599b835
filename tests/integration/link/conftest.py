"""Fixtures of the linking tests: the lab's Samba DC (a throw-away OU per test, read with ldap3
directly) and a Graph tenant simulator read through its admin API.

The simulator is a private one started for this session from the lab's seed and certificates
(other suites reset the shared lab simulator at the start of each of their modules, which would
wipe users under a running linking test). LINK_TESTS_SHARED_SIMULATOR=1 uses the lab's instead.
"""
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile

import ldap3
import pytest
import requests
import yaml

from integration.ansible_runner import COLLECTIONS, ROOT

SEED = os.path.join(ROOT, "tests", "lab", "tenant.yml")
PKI = os.path.join(ROOT, ".lab", "pki")
TREE_DELETE = "1.2.840.113556.1.4.805"
LINK_ATTR = "msDS-cloudExtensionAttribute1"


@pytest.fixture(scope="session")
def graph_url(lab, tmp_path_factory):
    if os.environ.get("LINK_TESTS_SHARED_SIMULATOR"):
        yield lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"]
        return
    from graph_simulator.testpki import free_port, wait_tls
    port = free_port()
    folder = str(tmp_path_factory.mktemp("linksim"))
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests"))
    proc = subprocess.Popen([sys.executable, "-m", "graph_simulator", "--host", "127.0.0.1", "--port", str(port),
                             "--cert", os.path.join(PKI, "server.pem"), "--key", os.path.join(PKI, "server.key"),
                             "--seed", SEED, "--pidfile", os.path.join(folder, "sim.pid"),
                             "--log", os.path.join(folder, "sim.log")], env=env)
    try:
        wait_tls(port, os.path.join(PKI, "ca.pem"), proc=proc)
        yield "https://127.0.0.1:%d" % port
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def link_env(lab, graph_url):
    """Every connection variable a user who sourced .lab/lab.env has, pointed at our simulator."""
    keys = ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME", "HYBRID_IDENTITY_DOMAIN_PASSWORD",
            "HYBRID_IDENTITY_CA_PATH", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
    env = dict((k, lab[k]) for k in keys)
    env.update({"AZURE_AUTHORITY_HOST": graph_url, "HYBRID_IDENTITY_GRAPH_ENDPOINT": graph_url,
                "LAB_SIMULATOR_ADMIN_URL": graph_url + "/_admin"})
    return env


class Sim(object):
    """The simulator from outside the modules: admin API, and seeding users in bulk."""

    def __init__(self, env):
        self.admin = env["LAB_SIMULATOR_ADMIN_URL"]
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = env["HYBRID_IDENTITY_CA_PATH"]
        with open(SEED) as handle:
            self.seed = yaml.safe_load(handle)
        # certificate_file is relative to the seed file: make it absolute for JSON seeds
        for app in self.seed.get("apps") or []:
            if app.get("certificate_file"):
                app["certificate_file"] = os.path.normpath(os.path.join(os.path.dirname(SEED), app["certificate_file"]))

    def post(self, path, body=None):
        resp = self.http.post(self.admin + path, json=body if body is not None else {}, timeout=120)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def reset(self, extra_users=(), **settings):
        """Back to the lab seed, plus extra users (seeded: no validation, any property)."""
        seed = json.loads(json.dumps(self.seed))
        seed["users"] = list(seed.get("users") or []) + list(extra_users)
        if settings:
            seed.setdefault("settings", {}).update(settings)
        return self.post("/reset", {"seed": seed})

    def state(self):
        return self.http.get(self.admin + "/state", timeout=120).json()

    def users(self):
        return dict((u["userPrincipalName"].lower(), u) for u in self.state()["users"])

    def counters(self):
        return self.http.get(self.admin + "/counters", timeout=60).json()

    def reset_counters(self):
        return self.post("/counters/reset")


@pytest.fixture(scope="session")
def sim_session(link_env):
    return Sim(link_env)


@pytest.fixture
def sim(sim_session):
    sim_session.reset()
    return sim_session


@pytest.fixture
def uid():
    return secrets.token_hex(3)


@pytest.fixture
def ou(ldap, uid):
    dn = "OU=link-%s,%s" % (uid, ldap.base)
    assert ldap.add(dn, ["top", "organizationalUnit"]), ldap.result
    yield dn
    ldap.delete(dn, controls=[(TREE_DELETE, True, None)])


def add_ad_user(ldap, ou, sam, upn=None, **attrs):
    """An AD user straight through ldap3 (no password: fast; disabled is fine for linking)."""
    dn = "CN=%s,%s" % (sam, ou)
    values = {"sAMAccountName": sam, "userAccountControl": "514"}
    if upn:
        values["userPrincipalName"] = upn
    values.update(dict((k, v) for k, v in attrs.items() if v is not None))
    assert ldap.add(dn, ["top", "person", "organizationalPerson", "user"], values), ldap.result
    return dn


def read_ad(ldap, dn, attributes=("objectGUID", LINK_ATTR, "pwdLastSet", "userAccountControl")):
    """Raw values straight from the directory: {attr: [bytes...]}, keys lower-case."""
    assert ldap.search(dn, "(objectClass=user)", ldap3.BASE, attributes=list(attributes)), ldap.result
    raw = ldap.response[0]["raw_attributes"]
    return dict((k.lower(), list(v)) for k, v in raw.items())


def anchor_of(ldap, dn):
    """base64 of the objectGUID bytes as AD stores them (= uuid bytes_le)."""
    return base64.b64encode(read_ad(ldap, dn)["objectguid"][0]).decode()


def link_of(ldap, dn):
    values = read_ad(ldap, dn).get(LINK_ATTR.lower()) or []
    return values[0].decode() if values else None


def pwd_last_set(ldap, dn):
    return int(read_ad(ldap, dn)["pwdlastset"][0])


def set_ad(ldap, dn, **attrs):
    changes = dict((k, [(ldap3.MODIFY_REPLACE, [] if v is None else [v])]) for k, v in attrs.items())
    assert ldap.modify(dn, changes), ldap.result


class Runner(object):
    def __init__(self, env):
        self.env = env

    def __call__(self, module, args, check=False, diff=False, expect_failure=False):
        """Run one task through ansible-playbook; the registered result is written to a file."""
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "result.json")
            play = [{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": [
                {"name": "under test", "hybrid.identity." + module: args, "register": "under_test",
                 "ignore_errors": True},
                {"name": "save", "ansible.builtin.copy": {"content": "{{ under_test | to_json }}", "dest": out},
                 "check_mode": False, "diff": False, "no_log": True}]}]
            path = os.path.join(tmp, "play.yml")
            with open(path, "w") as handle:
                yaml.safe_dump(play, handle)
            env = dict((k, v) for k, v in os.environ.items()
                       if not k.startswith("AZURE_") and not k.startswith("HYBRID_IDENTITY_"))
            env.update(self.env)
            env.update({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "ANSIBLE_LOCALHOST_WARNING": "false",
                        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false", "ANSIBLE_NOCOLOR": "1",
                        "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_RETRY_FILES_ENABLED": "false"})
            cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", path]
            cmd += ["--check"] if check else []
            cmd += ["--diff"] if diff else []
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp, timeout=1800)
            assert os.path.exists(out), "no result:\n%s\n%s" % (proc.stdout[-4000:], proc.stderr[-4000:])
            with open(out) as handle:
                result = json.load(handle)
        if expect_failure:
            assert result.get("failed"), json.dumps(result, indent=1)[:6000]
        else:
            assert not result.get("failed"), json.dumps(result, indent=1)[:6000]
        return result


@pytest.fixture(scope="session")
def run(link_env):
    return Runner(link_env)


def by_name(result):
    return dict((item["name"].lower(), item) for item in result["links"])
