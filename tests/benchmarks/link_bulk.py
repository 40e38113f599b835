"""Benchmark: account_link linking N pairs in one task (rules: upn), then the no-op rerun.

    .venv/bin/python tests/benchmarks/link_bulk.py [--count 1000]

Runs through ansible-playbook against the lab DC and a private Graph tenant simulator (started
here from the lab's seed and certificates, stopped at the end; the shared lab simulator is not
touched). The users are made directly (ldap3 adds in a throw-away OU, the simulator's seed), not
through the modules. Prints wall time, the module's LDAP operation counts and the simulator's
request counters for each run.
"""
import argparse
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys

import ldap3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

import conftest  # noqa: E402,F401  (links the collection into .build/collections)
from integration.lab_env import read_env_file  # noqa: E402
from integration.link.bulk import Timer, cloud_users, create_ad_users, graph_requests  # noqa: E402
from integration.link.conftest import PKI, SEED, Runner, Sim  # noqa: E402
from graph_simulator.testpki import free_port, wait_tls  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up"], check=True,
                   stdout=subprocess.DEVNULL)
    lab = read_env_file(os.path.join(ROOT, ".lab", "lab.env"))
    port = free_port()
    url = "https://127.0.0.1:%d" % port
    proc = subprocess.Popen([sys.executable, "-m", "graph_simulator", "--host", "127.0.0.1", "--port", str(port),
                             "--cert", os.path.join(PKI, "server.pem"), "--key", os.path.join(PKI, "server.key"),
                             "--seed", SEED], env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    conn = ldap3.Connection(ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls,
                                         get_info=ldap3.NONE),
                            lab["HYBRID_IDENTITY_DOMAIN_USERNAME"], lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"], auto_bind=True)
    uid = secrets.token_hex(3)
    ou = "OU=linkbench-%s,%s" % (uid, lab["LAB_DOMAIN_DN"])
    try:
        wait_tls(port, os.path.join(PKI, "ca.pem"), proc=proc)
        env = dict((k, lab[k]) for k in ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME",
                                         "HYBRID_IDENTITY_DOMAIN_PASSWORD", "HYBRID_IDENTITY_CA_PATH",
                                         "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"))
        env.update({"AZURE_AUTHORITY_HOST": url, "HYBRID_IDENTITY_GRAPH_ENDPOINT": url,
                    "LAB_SIMULATOR_ADMIN_URL": url + "/_admin"})
        sim, run = Sim(env), Runner(env)
        prefix = "lb%s" % uid
        assert conn.add(ou, ["top", "organizationalUnit"]), conn.result
        with Timer() as setup:
            create_ad_users(conn, ou, prefix, args.count)
            sim.reset(cloud_users(prefix, args.count))
        print("setup: %d AD users (ldap3) + %d cloud users (seed) in %.1f s" % (args.count, args.count, setup.elapsed))
        task = {"ad_search_base": ou, "cloud_filter": "startswith(userPrincipalName,'%s')" % prefix, "rules": ["upn"]}
        for label in ("link", "rerun (no-op)"):
            sim.reset_counters()
            with Timer() as timer:
                result = run("account_link", task)
            counts = graph_requests(sim.counters())
            by_route = counts.pop("by_route")
            print("%-14s %5d pairs: %6.2f s  changed=%s summary=%s" % (
                label, args.count, timer.elapsed, result["changed"],
                dict((k, v) for k, v in result["summary"].items() if v and not isinstance(v, dict))))
            print("   LDAP (module count, plus 1 bind): %s" % json.dumps(result["ldap_operations"]))
            print("   Graph (simulator counters): %s" % json.dumps(counts))
            print("   Graph by route: %s" % json.dumps(by_route))
    finally:
        conn.delete(ou, controls=[("1.2.840.113556.1.4.805", True, None)])
        conn.unbind()
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
