"""Password sync end to end, in the lab: a real Samba AD DC (site2), the password_sync role
applied through ansible-playbook, the agent as a process this test owns, and the simulator's
ROPC grant proving which password the cloud account accepts.

Site2 (127.0.0.2) is used so that restarting Samba and GPG-encrypting every password set do not
touch site1, which every other suite and the benchmarks use.
"""
import base64
import json
import os
import re
import secrets
import signal
import ssl
import string
import subprocess
import sys
import time
import uuid

import ldap3
import pytest
import requests

from ansible_runner import run_playbook
from integration.lab_env import read_env_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAB = os.path.join(ROOT, ".lab")
SITE = "site2"
BASE = os.path.join(LAB, SITE, "pwsync")
SESSION_START = time.time()
PASSWORDS = []          # every password this module set, for the leak search at the end
LATENCIES = []          # seconds from the LDAP change returning to the cloud accepting the password
LINK_ATTRIBUTE = "msDS-cloudExtensionAttribute1"


def new_password():
    alphabet = string.ascii_letters + string.digits
    value = "Pw" + "".join(secrets.choice(alphabet) for _ in range(14)) + "5#x"
    PASSWORDS.append(value)
    return value


def role_vars():
    return {
        "password_sync_smb_conf": os.path.join(LAB, SITE, "etc", "smb.conf"),
        "password_sync_samba_restart_command": [sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"),
                                                "restart", "--site", SITE],
        "password_sync_samba_env_file": os.path.join(LAB, SITE, "samba.env"),
        "password_sync_samba_systemd_dropin": "",
        "password_sync_install_dir": os.path.join(BASE, "lib"),
        "password_sync_config_dir": os.path.join(BASE, "etc"),
        "password_sync_state_dir": os.path.join(BASE, "state"),
        "password_sync_gnupghome": os.path.join(BASE, "gnupg"),
        "password_sync_log_dir": os.path.join(BASE, "log"),
        "password_sync_run_dir": os.path.join(BASE, "run"),
        "password_sync_python": sys.executable,
        "password_sync_hook_python": "/usr/bin/python3",
        "password_sync_manage_service": False,
        "password_sync_retry_cap": 3,
    }


def apply_role(env):
    # The default callback (ansible-core 2.18 has no built-in json callback any more): the play
    # recap says what changed and what failed.
    return run_playbook([{"name": "password sync", "ansible.builtin.include_role": {
        "name": "hybrid.identity.password_sync"}}], env=env, extra_vars=role_vars(), raw_output=True)


def recap(run):
    match = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", run.stdout)
    assert match, run.stdout[-3000:] + run.stderr[-2000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), (int(g) for g in match.groups())))


class Lab(object):
    """site2's directory, the simulator's Graph (plain requests: test scaffolding) and the agent."""

    def __init__(self, env):
        self.env = env
        self.base_dn = env["LAB_DOMAIN_DN"]
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=env["HYBRID_IDENTITY_CA_PATH"])
        self.server = ldap3.Server(env["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls,
                                   get_info=ldap3.NONE)
        self.graph = env["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/v1.0"
        self.token_url = "%s/%s/oauth2/v2.0/token" % (env["AZURE_AUTHORITY_HOST"], env["AZURE_TENANT_ID"])
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = env["HYBRID_IDENTITY_CA_PATH"]
        self.agent = None
        self.bin = os.path.join(BASE, "lib", "hybrid-identity-pwsync")

    # --- directory ---
    def ad(self):
        return ldap3.Connection(self.server, self.env["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                                self.env["HYBRID_IDENTITY_DOMAIN_PASSWORD"], auto_bind=True)

    @staticmethod
    def pwd(value):
        return ('"%s"' % value).encode("utf-16-le")

    def add_ad_user(self, sam, password):
        dn = "CN=%s,CN=Users,%s" % (sam, self.base_dn)
        conn = self.ad()
        conn.delete(dn)
        assert conn.add(dn, ["top", "person", "organizationalPerson", "user"], {
            "sAMAccountName": sam, "userPrincipalName": "%s@corp.example.com" % sam,
            "unicodePwd": self.pwd(password), "userAccountControl": 512}), conn.result
        conn.search(dn, "(objectClass=user)", search_scope=ldap3.BASE, attributes=["objectGUID"])
        raw = conn.entries[0].entry_raw_attributes["objectGUID"][0]
        conn.unbind()
        return dn, str(uuid.UUID(bytes_le=raw))

    def change_password_at_logon(self, dn, old, new):
        """What a user does at the next logon: the admin set 'must change', the user changes it
        (an LDAP password change: delete the old value, add the new one)."""
        conn = self.ad()
        assert conn.modify(dn, {"pwdLastSet": [(ldap3.MODIFY_REPLACE, ["0"])]}), conn.result
        ok = conn.modify(dn, {"unicodePwd": [(ldap3.MODIFY_DELETE, [self.pwd(old)]),
                                             (ldap3.MODIFY_ADD, [self.pwd(new)])]})
        result = dict(conn.result)
        conn.unbind()
        assert ok, result
        return time.monotonic()

    # --- cloud ---
    def token(self):
        body = self.session.post(self.token_url, data={
            "grant_type": "client_credentials", "client_id": self.env["AZURE_CLIENT_ID"],
            "client_secret": self.env["AZURE_CLIENT_SECRET"],
            "scope": self.env["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/.default"}).json()
        return body["access_token"]

    def cloud(self, method, path, body=None):
        response = self.session.request(method, self.graph + path, json=body,
                                        headers={"Authorization": "Bearer " + self.token()})
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def add_cloud_user(self, sam, password):
        return self.cloud("POST", "/users", {
            "accountEnabled": True, "displayName": sam, "mailNickname": sam,
            "userPrincipalName": "%s@corp.example.com" % sam,
            "passwordProfile": {"password": password, "forceChangePasswordNextSignIn": False}})["id"]

    def ropc(self, upn, password):
        response = self.session.post(self.token_url, data={
            "grant_type": "password", "client_id": self.env["AZURE_CLIENT_ID"], "username": upn,
            "password": password, "scope": "User.Read openid"})
        return response.status_code == 200

    def admin(self, path, body=None):
        response = self.session.post(self.env["LAB_SIMULATOR_ADMIN_URL"] + path, json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    def linked_user(self, sam, link=True):
        ad_password, cloud_password = new_password(), new_password()
        dn, guid = self.add_ad_user(sam, ad_password)
        cloud_id = self.add_cloud_user(sam, cloud_password)
        if link:
            immutable = base64.b64encode(uuid.UUID(guid).bytes_le).decode()
            self.cloud("PATCH", "/users/" + cloud_id, {"onPremisesImmutableId": immutable})
            conn = self.ad()
            assert conn.modify(dn, {LINK_ATTRIBUTE: [(ldap3.MODIFY_REPLACE, [cloud_id])]}), conn.result
            conn.unbind()
        return {"sam": sam, "dn": dn, "guid": guid, "cloud_id": cloud_id, "upn": "%s@corp.example.com" % sam,
                "ad_password": ad_password, "cloud_password": cloud_password}

    # --- the agent ---
    def start_agent(self):
        assert self.agent is None
        out = open(os.path.join(BASE, "log", "agent.stdout"), "ab")
        self.agent = subprocess.Popen([self.bin, "run"], stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT)
        sock = os.path.join(BASE, "run", "agent.sock")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not os.path.exists(sock):
            assert self.agent.poll() is None, "the agent exited: %s" % self.agent.returncode
            time.sleep(0.05)
        assert os.path.exists(sock)

    def stop_agent(self, sig=signal.SIGTERM):
        if self.agent is None:
            return
        if self.agent.poll() is None:
            self.agent.send_signal(sig)
            try:
                self.agent.wait(30)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait()
        self.agent = None

    def status(self):
        out = subprocess.run([self.bin, "status", "--json"], capture_output=True, text=True)
        return json.loads(out.stdout)

    def agent_log(self):
        with open(os.path.join(BASE, "log", "agent.log")) as handle:
            return handle.read()


def wait_for(check, timeout=30.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(step)
    return None


@pytest.fixture(scope="module")
def pw(lab):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up", "--site", "site1",
                    "--site", SITE], check=True, stdout=subprocess.DEVNULL)
    env = read_env_file(os.path.join(LAB, SITE + ".env"))
    assert "LAB_SIMULATOR_ADMIN_URL" in env, "the lab has no Graph simulator"
    reset = Lab(env).admin("/reset")
    # the tenant the simulator serves (the same as lab.env's once the seed is read as documented)
    env["AZURE_TENANT_ID"] = reset.get("tenant_id") or env["AZURE_TENANT_ID"]
    the_lab = Lab(env)
    first = apply_role(env)
    assert first.rc == 0, first.stdout[-4000:] + first.stderr[-2000:]
    the_lab.first_run = first
    the_lab.start_agent()
    yield the_lab
    the_lab.stop_agent()
    the_lab.admin("/faults", {"clear": True})
    # gpgme started a gpg-agent for the lab GNUPGHOME (Samba encrypting, syncpasswords decrypting)
    subprocess.run(["gpgconf", "--homedir", os.path.join(BASE, "gnupg"), "--kill", "gpg-agent"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_role_sets_up_capture_and_is_idempotent(pw):
    with open(os.path.join(LAB, SITE, "etc", "smb.conf")) as handle:
        conf = handle.read()
    assert "password hash gpg key ids = " in conf
    assert "store plaintext" not in conf.lower()
    for path, mode in (("etc/agent.json", 0o600), ("gnupg", 0o700), ("state", 0o700)):
        assert os.stat(os.path.join(BASE, path)).st_mode & 0o777 == mode, path
    with open(os.path.join(LAB, SITE, "samba.env")) as handle:
        assert handle.read().strip().endswith("GNUPGHOME=" + os.path.join(BASE, "gnupg"))
    again = apply_role(pw.env)
    assert again.rc == 0, again.stdout[-3000:]
    assert recap(again)["changed"] == 0, again.stdout[-4000:]
    # the client secret went to the root-only file only, never to the play's output
    assert pw.env["AZURE_CLIENT_SECRET"] not in pw.first_run.stdout + again.stdout


def test_linked_user_change_reaches_the_cloud_within_seconds(pw):
    user = pw.linked_user("pwsync-alice")
    assert pw.ropc(user["upn"], user["cloud_password"])
    new = new_password()
    changed = pw.change_password_at_logon(user["dn"], user["ad_password"], new)
    accepted = wait_for(lambda: pw.ropc(user["upn"], new), timeout=30)
    assert accepted, "the cloud never accepted the new password; agent log:\n" + pw.agent_log()[-3000:]
    latency = accepted - changed
    LATENCIES.append(latency)
    print("\nchange-to-cloud latency: %.2f s" % latency)
    assert latency < 10
    assert not pw.ropc(user["upn"], user["cloud_password"])
    status = pw.status()
    row = [u for u in status["users"] if u["guid"] == user["guid"]][0]
    assert row["last_result"] == "synced" and row["cloud_id"] == user["cloud_id"]
    assert row["latency_ms"] is not None and row["latency_ms"] < 10000
    text = subprocess.run([pw.bin, "status"], capture_output=True, text=True).stdout
    assert "pwsync-alice" in text and "synced" in text


def test_no_forced_change_in_the_cloud(pw):
    user = pw.linked_user("pwsync-frank")
    new = new_password()
    changed = pw.change_password_at_logon(user["dn"], user["ad_password"], new)
    accepted = wait_for(lambda: pw.ropc(user["upn"], new))
    assert accepted, pw.agent_log()[-2000:]
    LATENCIES.append(accepted - changed)
    cloud = [u for u in pw.session.get(pw.env["LAB_SIMULATOR_ADMIN_URL"] + "/state").json()["users"]
             if u["id"] == user["cloud_id"]][0]
    assert cloud["_forceChangePasswordNextSignIn"] is False


def test_a_temporary_must_change_password_is_not_sent(pw):
    user = pw.linked_user("pwsync-gina")
    temporary = new_password()
    conn = pw.ad()
    assert conn.modify(user["dn"], {"unicodePwd": [(ldap3.MODIFY_REPLACE, [pw.pwd(temporary)])],
                                    "pwdLastSet": [(ldap3.MODIFY_REPLACE, ["0"])]}), conn.result
    conn.unbind()
    # the agent sees the reset (password and pwdLastSet are DirSync attributes) and keeps it local
    assert wait_for(lambda: "skip pwsync-gina" in pw.agent_log() and "must-change" in pw.agent_log(), timeout=15)
    assert pw.ropc(user["upn"], user["cloud_password"]) and not pw.ropc(user["upn"], temporary)
    chosen = new_password()
    pw.change_password_at_logon(user["dn"], temporary, chosen)
    assert wait_for(lambda: pw.ropc(user["upn"], chosen)), pw.agent_log()[-2000:]
    assert not pw.ropc(user["upn"], temporary)


def test_unlinked_user_change_is_not_sent(pw):
    loner = pw.linked_user("pwsync-bob", link=False)
    marker = pw.linked_user("pwsync-carol")
    pw.admin("/counters/reset")
    loner_new, marker_new = new_password(), new_password()
    pw.change_password_at_logon(loner["dn"], loner["ad_password"], loner_new)
    pw.change_password_at_logon(marker["dn"], marker["ad_password"], marker_new)
    # carol's change came after bob's: once it is in the cloud, bob's was handled
    accepted = wait_for(lambda: pw.ropc(marker["upn"], marker_new))
    assert accepted, pw.agent_log()[-2000:]
    time.sleep(1)
    assert not pw.ropc(loner["upn"], loner_new)
    assert pw.ropc(loner["upn"], loner["cloud_password"])
    counters = json.dumps(pw.session.get(pw.env["LAB_SIMULATOR_ADMIN_URL"] + "/counters").json())
    assert loner["cloud_id"] not in counters
    assert "pwsync-bob" not in pw.agent_log()


def test_agent_restart_mid_stream_loses_nothing(pw):
    users = [pw.linked_user("pwsync-mid%d" % i) for i in range(4)]
    # every password PATCH takes 1.5 s: the agent is killed while one is in flight
    pw.admin("/faults", {"slow": {"ms": 1500, "method": "PATCH", "path": "^/v1.0/users/", "count": 20}})
    news = [new_password() for _ in users]
    for user, new in zip(users, news):
        pw.change_password_at_logon(user["dn"], user["ad_password"], new)
    assert wait_for(lambda: pw.ropc(users[0]["upn"], news[0]), timeout=30), pw.agent_log()[-2000:]
    pw.stop_agent(signal.SIGKILL)     # the hardest stop: no clean-up at all
    time.sleep(0.5)
    pw.start_agent()
    for user, new in zip(users, news):
        assert wait_for(lambda: pw.ropc(user["upn"], new), timeout=60), \
            "%s lost its change; agent log:\n%s" % (user["sam"], pw.agent_log()[-3000:])
    pw.admin("/faults", {"clear": True})
    # and a graceful restart (SIGTERM) between changes
    pw.stop_agent()
    later = new_password()
    pw.change_password_at_logon(users[1]["dn"], news[1], later)
    pw.start_agent()
    assert wait_for(lambda: pw.ropc(users[1]["upn"], later), timeout=30), pw.agent_log()[-2000:]


def test_graph_faults_are_ridden_out(pw):
    user = pw.linked_user("pwsync-dave")
    pw.admin("/faults", {"error_burst": {"count": 8, "status": 503, "method": "PATCH", "path": "^/v1.0/users/"},
                         "drop_connection": {"count": 3, "method": "GET", "path": "^/v1.0/users/"}})
    new = new_password()
    pw.change_password_at_logon(user["dn"], user["ad_password"], new)
    assert wait_for(lambda: pw.ropc(user["upn"], new), timeout=90), pw.agent_log()[-3000:]
    # The agent logs the recovery just after Graph took the password: the sign-in can win that race.
    assert wait_for(lambda: "Graph answers again" in pw.agent_log(), timeout=15), pw.agent_log()[-3000:]
    assert "is held (not acknowledged) and retried" in pw.agent_log()
    pw.admin("/faults", {"clear": True})
    assert pw.status()["agent"]["graph_status"] == "ok"


def test_agent_survives_a_samba_restart(pw):
    user = pw.linked_user("pwsync-erin")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "restart", "--site", SITE],
                   check=True, stdout=subprocess.DEVNULL)
    new = new_password()
    pw.change_password_at_logon(user["dn"], user["ad_password"], new)
    assert wait_for(lambda: pw.ropc(user["upn"], new), timeout=60), pw.agent_log()[-3000:]
    assert pw.agent.poll() is None


def _files_to_search():
    roots = [os.path.join(LAB, SITE), os.path.join(LAB, "simulator")]
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                yield os.path.join(folder, name)
    tmp = "/tmp"
    for folder, _dirs, files in os.walk(tmp):
        for name in files:
            path = os.path.join(folder, name)
            try:
                if os.path.getmtime(path) >= SESSION_START - 1:
                    yield path
            except OSError:
                pass


def test_no_password_in_any_log_state_or_temporary_file(pw):
    assert len(PASSWORDS) > 10
    forms = []
    for value in PASSWORDS:
        forms += [value.encode("utf-8"), value.encode("utf-16-le"),
                  base64.b64encode(value.encode("utf-8"))[:-4], base64.b64encode(pw.pwd(value))[:-4]]
    searched, hits = 0, []
    for path in _files_to_search():
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 200 * 1024 * 1024:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        searched += 1
        hits += [path for form in forms if form in data]
    assert searched > 20
    assert not hits, "password found in: %s" % sorted(set(hits))
    if LATENCIES:
        with open(os.path.join(BASE, "latency.json"), "w") as handle:
            json.dump({"change_to_cloud_seconds": LATENCIES}, handle)
        print("\nchange-to-cloud latencies (s): %s" % ", ".join("%.2f" % v for v in LATENCIES))
