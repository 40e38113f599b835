"""Measure $batch throughput (Graph sub-requests per second) of the simulator.

    PYTHONPATH=tests python -m graph_simulator.bench_batch [--threads 2] [--seconds 10] [--mode read]

Without --base it starts its own simulator (throwaway PKI, the lab seed, throttling off) and
stops it afterwards; with --base/--ca/--admin-url it measures a running one (for example the
lab's; it switches throttling off there and back to real numbers when done).
Modes: read (GET /users/{id}), write (PATCH /users/{id}), mixed (half of each), create (POST /users).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import requests

from .testpki import free_port, make_pki, wait_tls

HERE = os.path.dirname(os.path.abspath(__file__))
LAB_SEED = os.path.join(os.path.dirname(HERE), "lab", "tenant.yml")
LAB_TENANT = "8f5c2b1e-3d4a-4e6f-9a7b-0c1d2e3f4a5b"
LAB_CLIENT = "3e0b7a52-9c1d-4f8e-a6b2-5d4c3b2a1f00"
LAB_SECRET = "lab-secret-3e0b7a52-hybrid-identity"


def session(ca):
    s = requests.Session()
    s.trust_env = False
    s.verify = ca
    return s


def get_token(base, ca, tenant, client_id, secret):
    response = session(ca).post("%s/%s/oauth2/v2.0/token" % (base, tenant), data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "scope": base + "/.default"})
    response.raise_for_status()
    return response.json()["access_token"]


RUN = "%x" % (int(time.time() * 1000) % 0xFFFFFF)


def make_batch(user_ids, mode, counter):
    requests_ = []
    for i in range(20):
        uid = user_ids[(counter + i) % len(user_ids)]
        write = mode == "write" or (mode == "mixed" and i % 2)
        if mode == "create":
            upn = "bench%s.%d.%d@corp.example.com" % (RUN, counter, i)
            requests_.append({"id": str(i + 1), "method": "POST", "url": "/users",
                              "headers": {"Content-Type": "application/json"},
                              "body": {"accountEnabled": True, "displayName": upn, "mailNickname": upn.split("@")[0],
                                       "userPrincipalName": upn, "usageLocation": "US",
                                       "passwordProfile": {"password": "Bench-Passw0rd!%d" % i,
                                                           "forceChangePasswordNextSignIn": True}}})
        elif write:
            requests_.append({"id": str(i + 1), "method": "PATCH", "url": "/users/" + uid,
                              "headers": {"Content-Type": "application/json"},
                              "body": {"jobTitle": "bench %d" % counter}})
        else:
            requests_.append({"id": str(i + 1), "method": "GET", "url": "/users/%s?$select=id,displayName" % uid})
    return {"requests": requests_}


def worker(base, ca, token, user_ids, mode, deadline, results, index):
    s = session(ca)
    s.headers["Authorization"] = "Bearer " + token
    done = failed = batches = 0
    counter = index + int(time.monotonic() * 1000) * len(results)
    while time.monotonic() < deadline:
        response = s.post(base + "/v1.0/$batch", json=make_batch(user_ids, mode, counter))
        counter += len(results)
        batches += 1
        for sub in response.json()["responses"]:
            if sub["status"] < 300:
                done += 1
            else:
                failed += 1
    results[index] = (done, failed, batches)


def measure(base, ca, admin_url, token, threads, seconds, mode):
    admin = session(ca)
    admin.post(admin_url + "/throttle", json={"preset": "off"}).raise_for_status()
    state = admin.get(admin_url + "/state").json()
    user_ids = [u["id"] for u in state["users"] if not u.get("onPremisesSyncEnabled") and not u["_roles"]]
    results = [None] * threads
    start = time.monotonic()
    deadline = start + seconds
    pool = [threading.Thread(target=worker, args=(base, ca, token, user_ids, mode, deadline, results, i))
            for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - start
    done = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    batches = sum(r[2] for r in results)
    admin.post(admin_url + "/throttle", json={"preset": "real"}).raise_for_status()
    return {"threads": threads, "mode": mode, "seconds": round(elapsed, 2), "batches": batches,
            "subrequests_ok": done, "subrequests_failed": failed, "per_second": round(done / elapsed, 1)}


def start_own():
    directory = tempfile.mkdtemp(prefix="graphsim-bench-")
    pki = make_pki(directory)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    proc = subprocess.Popen([sys.executable, "-m", "graph_simulator", "--port", str(port), "--cert", pki["server"],
                             "--key", pki["server-key"], "--seed", LAB_SEED, "--log-level", "WARNING",
                             "--log", os.path.join(directory, "sim.log")], env=env)
    wait_tls(port, pki["ca"], proc=proc)
    return proc, "https://127.0.0.1:%d" % port, pki["ca"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--mode", choices=["read", "write", "mixed", "create"], nargs="+", default=["read", "mixed"])
    parser.add_argument("--base", help="running simulator, e.g. https://127.0.0.1:8443")
    parser.add_argument("--ca", help="CA file for --base")
    parser.add_argument("--admin-url", help="default: BASE/_admin")
    parser.add_argument("--tenant", default=LAB_TENANT)
    parser.add_argument("--client-id", default=LAB_CLIENT)
    parser.add_argument("--client-secret", default=LAB_SECRET)
    args = parser.parse_args(argv)
    proc = None
    if args.base:
        base, ca = args.base.rstrip("/"), args.ca
    else:
        proc, base, ca = start_own()
    try:
        token = get_token(base, ca, args.tenant, args.client_id, args.client_secret)
        admin_url = args.admin_url or base + "/_admin"
        for mode in args.mode:
            for threads in args.threads:
                result = measure(base, ca, admin_url, token, threads, args.seconds, mode)
                print("$batch %(mode)-5s threads=%(threads)d: %(per_second).0f sub-requests/s "
                      "(%(subrequests_ok)d ok, %(subrequests_failed)d failed, %(batches)d batches in %(seconds)ss)"
                      % result, flush=True)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
