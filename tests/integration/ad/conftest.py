"""Fixtures for the AD module tests: the lab's connection as environment, a direct ldap3
connection for checking from outside the modules, and a throw-away OU per test."""
import os
import secrets
import subprocess

import ldap3
import pytest

from integration.ansible_runner import run_module as _run_module

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTION_VARS = ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME",
                   "HYBRID_IDENTITY_DOMAIN_PASSWORD", "HYBRID_IDENTITY_CA_PATH")


@pytest.fixture(scope="session")
def ad_env(lab):
    """The connection variables exactly as a user who sourced .lab/lab.env has them."""
    return dict((k, lab[k]) for k in CONNECTION_VARS)


@pytest.fixture(scope="session")
def run(ad_env):
    def runner(module, args, **kw):
        env = dict(ad_env)
        env.update(kw.pop("env", None) or {})
        if not module.startswith("hybrid."):
            module = "hybrid.identity." + module
        return _run_module(module, args, env=env, **kw)
    return runner


def read_user(ldap, sam=None, dn=None, attributes=("*",)):
    """One user's raw attributes straight from the directory (not through the modules), or None."""
    if dn:
        ok = ldap.search(dn, "(objectClass=user)", ldap3.BASE, attributes=list(attributes))
    else:
        ok = ldap.search(ldap.base, "(sAMAccountName=%s)" % sam, attributes=list(attributes))
    entries = [e for e in ldap.response if e.get("type") == "searchResEntry"] if ok else []
    if not entries:
        return None
    raw = entries[0]["raw_attributes"]
    out = {"dn": entries[0]["dn"]}
    for key, values in raw.items():
        out[key] = [v.decode("utf-8", "replace") if key not in ("objectGUID", "objectSid") else v for v in values]
    return out


@pytest.fixture
def uid():
    return secrets.token_hex(3)


def _tree_delete(ldap, dn):
    ldap.delete(dn, controls=[("1.2.840.113556.1.4.805", True, None)])


@pytest.fixture
def ou(ldap, uid):
    """A fresh OU for one test, deleted with everything in it afterwards."""
    dn = "OU=t-%s,%s" % (uid, ldap.base)
    assert ldap.add(dn, ["top", "organizationalUnit"]), ldap.result
    yield dn
    _tree_delete(ldap, dn)


def kinit(lab, principal, password, tmp_path):
    env = dict(os.environ, KRB5_CONFIG=lab["KRB5_CONFIG"], KRB5CCNAME="FILE:%s" % (tmp_path / ("cc-" + secrets.token_hex(3))))
    return subprocess.run(["kinit", principal], input=password + "\n", env=env, capture_output=True, text=True,
                          timeout=30)
