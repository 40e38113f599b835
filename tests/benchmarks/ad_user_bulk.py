"""Benchmark: ad_user creating N users with passwords in one task, then the no-op rerun.

    .venv/bin/python tests/benchmarks/ad_user_bulk.py [--count 500]

Runs through ansible-playbook against the lab DC (like a user would), in a throw-away OU that
is deleted afterwards. Prints wall time per run and the module's own LDAP operation counts.
"""
import argparse
import os
import secrets
import ssl
import sys
import time

import ldap3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

import conftest  # noqa: E402,F401  (links the collection into .build/collections)
from integration.ansible_runner import run_module  # noqa: E402
from integration.lab_env import read_env_file  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    lab = read_env_file(os.path.join(ROOT, ".lab", "lab.env"))
    env = dict((k, v) for k, v in lab.items() if k.startswith("HYBRID_IDENTITY_"))
    try:
        import ansible_collections.ansible.posix  # noqa: F401
    except ImportError:
        env["ANSIBLE_CALLBACK_PLUGINS"] = os.path.join(ROOT, "tests", "integration", "ad", "callback_plugins")
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    conn = ldap3.Connection(ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls,
                                         get_info=ldap3.NONE),
                            lab["HYBRID_IDENTITY_DOMAIN_USERNAME"], lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], auto_bind=True)
    uid = secrets.token_hex(3)
    ou = "OU=bench-%s,%s" % (uid, lab["LAB_DOMAIN_DN"])
    assert conn.add(ou, ["top", "organizationalUnit"]), conn.result
    password = "Bench!" + secrets.token_hex(8) + "Aa1"
    users = [{"name": "Bench User %04d" % i, "given_name": "Bench", "surname": "User%04d%s" % (i, uid),
              "display_name": "Bench User %04d" % i, "department": "Bench", "path": ou, "password": password}
             for i in range(args.count)]
    try:
        for label in ("create", "rerun (no-op)"):
            start = time.monotonic()
            result = run_module("hybrid.identity.ad_user", {"users": users}, env=env)
            elapsed = time.monotonic() - start
            print("%-14s %4d users: %6.2f s  changed=%s summary=%s ldap=%s" % (
                label, args.count, elapsed, result["changed"],
                dict((k, v) for k, v in result["summary"].items() if v), result["ldap_operations"]))
    finally:
        conn.delete(ou, controls=[("1.2.840.113556.1.4.805", True, None)])
        conn.unbind()


if __name__ == "__main__":
    main()
