"""The lab is a real, TLS-only domain controller: prove it from outside the collection."""
import os
import ssl
import subprocess
import sys

import ldap3
import pytest
from ldap3.core.exceptions import LDAPSocketOpenError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _server(lab, port=636, ca=None, **kw):
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca or lab["HYBRID_IDENTITY_CA_PATH"])
    return ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=port, use_ssl=port == 636, tls=tls,
                        get_info=ldap3.NONE, **kw)


def test_ldaps_bind_validates_against_lab_ca(lab):
    conn = ldap3.Connection(_server(lab), lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                            lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    assert conn.bind(), conn.result
    assert conn.search(lab["LAB_DOMAIN_DN"], "(sAMAccountName=Administrator)", attributes=["objectGUID"])
    assert len(conn.entries) == 1
    conn.unbind()


def test_ldaps_rejects_a_certificate_from_another_ca(lab, tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
    import pki
    other_ca, _ = pki.make_ca(str(tmp_path), "some other CA")
    conn = ldap3.Connection(_server(lab, ca=str(tmp_path / "ca.pem")), lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                            lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    with pytest.raises(LDAPSocketOpenError):
        conn.open()


def test_simple_bind_without_tls_is_refused(lab):
    conn = ldap3.Connection(_server(lab, port=389), lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                            lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    assert not conn.bind()
    assert conn.result["description"] == "strongerAuthRequired"


def test_starttls_bind_works(lab):
    conn = ldap3.Connection(_server(lab, port=389), lab["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                            lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    conn.open()
    assert conn.start_tls()
    assert conn.bind(), conn.result


def test_kinit_with_lab_password(lab, tmp_path):
    env = dict(os.environ, KRB5_CONFIG=lab["KRB5_CONFIG"], KRB5CCNAME="FILE:%s" % (tmp_path / "cc"))
    res = subprocess.run(["kinit", "Administrator@" + lab["LAB_REALM"]], input=lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"] + "\n",
                         env=env, capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    klist = subprocess.run(["klist"], env=env, capture_output=True, text=True)
    assert "krbtgt/%s@%s" % (lab["LAB_REALM"], lab["LAB_REALM"]) in klist.stdout


def test_kinit_with_wrong_password_fails(lab, tmp_path):
    env = dict(os.environ, KRB5_CONFIG=lab["KRB5_CONFIG"], KRB5CCNAME="FILE:%s" % (tmp_path / "cc"))
    res = subprocess.run(["kinit", "Administrator@" + lab["LAB_REALM"]], input="not-the-password\n",
                         env=env, capture_output=True, text=True, timeout=30)
    assert res.returncode != 0


def test_lab_up_is_idempotent(lab):
    pidfile = os.path.join(ROOT, ".lab", "site1", "lab-samba.pid")
    before = open(pidfile).read()
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up"], check=True,
                         capture_output=True, text=True).stdout
    assert open(pidfile).read() == before
    assert "starting" not in out and "provisioning" not in out


def test_lab_env_holds_the_contract_variables(lab):
    for name in ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME", "HYBRID_IDENTITY_DOMAIN_PASSWORD",
                 "HYBRID_IDENTITY_CA_PATH", "LAB_REALM"):
        assert lab.get(name), name
    mode = os.stat(os.path.join(ROOT, ".lab", "lab.env")).st_mode & 0o777
    assert mode == 0o600


def test_simulator_in_lab_env_issues_tokens_to_msal(lab):
    import msal
    import requests
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                 "AZURE_AUTHORITY_HOST", "HYBRID_IDENTITY_GRAPH_ENDPOINT", "LAB_SIMULATOR_ADMIN_URL"):
        assert lab.get(name), name
    session = requests.Session()
    session.trust_env = False
    session.verify = lab["HYBRID_IDENTITY_CA_PATH"]
    app = msal.ConfidentialClientApplication(
        lab["AZURE_CLIENT_ID"], client_credential=lab["AZURE_CLIENT_SECRET"],
        authority="%s/%s" % (lab["AZURE_AUTHORITY_HOST"], lab["AZURE_TENANT_ID"]),
        instance_discovery=False, http_client=session)
    token = app.acquire_token_for_client(scopes=[lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/.default"])
    assert "access_token" in token, token.get("error_description")
    resp = session.get(lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/v1.0/domains",
                       headers={"Authorization": "Bearer " + token["access_token"]})
    assert resp.status_code == 200
    assert any(d["id"] == "corp.example.com" and d["isVerified"] for d in resp.json()["value"])
