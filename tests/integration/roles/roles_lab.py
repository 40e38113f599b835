"""Helpers for the role/playbook tests: run a playbook by FQCN as a user would, and look at the results from
outside the collection (ldap3 against the lab's DCs, the simulator's /_admin API, the report files)."""
import base64
import csv
import glob
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import ldap3

from integration.lab_env import read_env_file  # noqa: F401 (re-exported for the tests)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAY = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
LINK_ATTRIBUTE = "msDS-cloudExtensionAttribute1"


def env(lab, extra=None):
    out = dict(os.environ)
    out.update(lab)
    out.update({"ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".build", "collections"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
                "ANSIBLE_RETRY_FILES_ENABLED": "false"})
    out.update(extra or {})
    return out


def play(lab, name, cwd, *args, check=False, diff=False):
    """Run hybrid.identity.<name>; -> (CompletedProcess, {host: recap line})."""
    cmd = [PLAY, "hybrid.identity." + name] + list(args) + (["--check"] if check else []) + (["--diff"] if diff else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(lab), cwd=str(cwd), timeout=900)
    recap = {}
    seen = False
    for line in proc.stdout.splitlines():
        if line.startswith("PLAY RECAP"):
            seen = True
        elif seen and ":" in line and "ok=" in line:
            recap[line.split(":", 1)[0].strip()] = line
    return proc, recap


def admin(lab, path, body=None):
    ctx = ssl.create_default_context(cafile=lab["HYBRID_IDENTITY_CA_PATH"])
    req = urllib.request.Request(lab["LAB_SIMULATOR_ADMIN_URL"] + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, context=ctx))


def writes(lab):
    return admin(lab, "/counters")["totals"]["writes"]


def cloud_user(lab, upn):
    return next((u for u in admin(lab, "/state")["users"] if u["userPrincipalName"].lower() == upn.lower()), None)


def kinit(lab, principal, password):
    """MIT kinit against the lab's KDC: (exit code, its output). Proves a password really works in AD
    (and answers "Password has expired" for an account that must change it)."""
    proc = subprocess.run(["kinit", "-c", "MEMORY:", principal], input=password + "\n", capture_output=True,
                          text=True, env=dict(os.environ, KRB5_CONFIG=lab["KRB5_CONFIG"]), timeout=60)
    return proc.returncode, (proc.stderr + proc.stdout).strip()


def cloud_password_works(lab, upn, password):
    ctx = ssl.create_default_context(cafile=lab["HYBRID_IDENTITY_CA_PATH"])
    data = urllib.parse.urlencode({"grant_type": "password", "username": upn, "password": password,
                                   "client_id": lab["AZURE_CLIENT_ID"], "client_secret": lab["AZURE_CLIENT_SECRET"],
                                   "scope": lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/.default"}).encode()
    url = "%s/%s/oauth2/v2.0/token" % (lab["AZURE_AUTHORITY_HOST"], lab["AZURE_TENANT_ID"])
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=data), context=ctx)
        return "ok"
    except urllib.error.HTTPError as exc:
        return json.load(exc).get("error_description", "")[:12] or "refused"


# --- the directory, read with ldap3 (not with the collection) ---------------------------------

def site(lab, name="site1"):
    """(server, username, password, base DN) of a lab site; site2 from lab.env's LAB_SITE2_* variables."""
    if name == "site1":
        return (lab["HYBRID_IDENTITY_DOMAIN_SERVER"], lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], lab["LAB_DOMAIN_DN"])
    return (lab["LAB_SITE2_DOMAIN_SERVER"], lab["LAB_SITE2_DOMAIN_USERNAME"], lab["LAB_SITE2_DOMAIN_PASSWORD"],
            lab["LAB_SITE2_DOMAIN_DN"])


def ldap_connect(lab, name="site1"):
    server, user, password, _base = site(lab, name)
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    conn = ldap3.Connection(ldap3.Server(server, port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE), user, password)
    assert conn.bind(), conn.result
    return conn


AD_ATTRIBUTES = ["objectGUID", "pwdLastSet", "uSNChanged", "userPrincipalName", "sAMAccountName", LINK_ATTRIBUTE,
                 "department"]


def ad_users(lab, ldap_filter, name="site1"):
    """{sAMAccountName: {attribute: first raw value (bytes)} + dn} for the users the filter selects."""
    conn = ldap_connect(lab, name)
    try:
        conn.search(site(lab, name)[3], "(&(objectCategory=person)(objectClass=user)%s)" % ldap_filter,
                    attributes=AD_ATTRIBUTES)
        out = {}
        for item in conn.response:
            if item.get("type") != "searchResEntry":
                continue
            raw = item["raw_attributes"]
            entry = dict((k, v[0]) for k, v in raw.items() if v)
            entry["dn"] = item["dn"]
            out[raw["sAMAccountName"][0].decode()] = entry
        return out
    finally:
        conn.unbind()


def immutable_id(entry):
    return base64.b64encode(entry["objectGUID"]).decode()


def text(entry, attribute):
    value = entry.get(attribute)
    return value.decode() if isinstance(value, bytes) else value


def delete_ad_users(lab, ldap_filter, name="site1"):
    conn = ldap_connect(lab, name)
    try:
        conn.search(site(lab, name)[3], "(&(objectCategory=person)(objectClass=user)%s)" % ldap_filter,
                    attributes=["cn"])
        for dn in [i["dn"] for i in conn.response if i.get("type") == "searchResEntry"]:
            conn.delete(dn)
    finally:
        conn.unbind()


def add_ad_user(lab, sam, given, surname, password, upn=None, department=None, name="site1", **extra):
    """Create an enabled AD user directly over LDAPS (setup from outside the collection)."""
    conn = ldap_connect(lab, name)
    realm = (lab["LAB_REALM"] if name == "site1" else lab["LAB_SITE2_REALM"]).lower()
    dn = "CN=%s %s,CN=Users,%s" % (given, surname, site(lab, name)[3])
    attributes = {"objectClass": ["top", "person", "organizationalPerson", "user"], "sAMAccountName": sam,
                  "givenName": given, "sn": surname, "displayName": "%s %s" % (given, surname),
                  "userPrincipalName": upn or "%s@%s" % (sam, realm),
                  "unicodePwd": ('"%s"' % password).encode("utf-16-le"), "userAccountControl": "512"}
    if department:
        attributes["department"] = department
    attributes.update(extra)
    try:
        assert conn.add(dn, attributes=attributes), conn.result
    finally:
        conn.unbind()
    return dn


def report_rows(cwd, name, host="localhost", check=False):
    """Rows of the newest CSV report <name>-<host>-<time>[-check].csv in cwd/hybrid_identity_reports."""
    pattern = os.path.join(str(cwd), "hybrid_identity_reports", "%s-%s-*.csv" % (name, host))
    paths = sorted(p for p in glob.glob(pattern) if p.endswith("-check.csv") == check)
    assert paths, "no report %s" % pattern
    with open(paths[-1], newline="") as handle:
        return list(csv.DictReader(handle))
