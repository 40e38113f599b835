"""Benchmark: offboarding N users (hybrid.identity.offboard_users) against the bare-client floor of the same writes.

    .venv/bin/python tests/benchmarks/offboard.py [--count 1000] [--out FILE]

2N users are onboarded first (onboard_new_users, licensed; not measured) in a throw-away OU of the lab DC and
a private Graph simulator (throttling off). Then, on the same servers:
- the floor, on the first N: the writes offboarding makes, with bare clients at once (one ldap3 connection
  in one thread: one modify per user disabling it and writing the marker; one requests session in another:
  $batch of 20 PATCH accountEnabled=false, then of 20 revokeSignInSessions, then of 20 assignLicense removals);
  its wall time is the slower of the two threads, as the method runs AD beside the cloud;
- offboard_users on the other N, as users run it (-e csv=<N identities>): check mode, the real run, the
  no-op rerun. For each: wall time, Graph requests and writes, LDAP operations, peak RSS.
"""
import csv
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
from method1 import digest  # noqa: E402

MARKER = "msDS-cloudExtensionAttribute2"


def _batches(session, url, subs):
    failed = 0
    for first in range(0, len(subs), 20):
        part = [dict(s, id=str(i + 1)) for i, s in enumerate(subs[first:first + 20])]
        answer = session.post(url + "/v1.0/$batch", json={"requests": part}).json()
        failed += sum(1 for sub in answer["responses"] if sub["status"] >= 300)
    return failed


def floor(lab, sim, ou, users):
    """users: [(dn, cloud id, sku id)]. Both clients at once; {ad_s, graph_s, seconds, writes, failed}."""
    out = {}

    def ad():
        conn = B.ldap_connection(lab)
        start = time.monotonic()
        failed = 0
        for dn, _cid, _sku in users:
            failed += not conn.modify(dn, {"userAccountControl": [("MODIFY_REPLACE", ["514"])],
                                           MARKER: [("MODIFY_REPLACE", ["hybrid.identity offboarded 2026-12-01T00:00:00Z"])]})
        out["ad_s"] = round(time.monotonic() - start, 2)
        out["ad_failed"] = failed
        conn.unbind()

    def graph():
        session = sim.bare_session(lab)
        json_type = {"Content-Type": "application/json"}
        start = time.monotonic()
        failed = _batches(session, sim.url, [{"method": "PATCH", "url": "/users/%s" % c, "headers": json_type,
                                              "body": {"accountEnabled": False}} for _d, c, _s in users])
        failed += _batches(session, sim.url, [{"method": "POST", "url": "/users/%s/revokeSignInSessions" % c}
                                              for _d, c, _s in users])
        failed += _batches(session, sim.url, [{"method": "POST", "url": "/users/%s/assignLicense" % c,
                                               "headers": json_type, "body": {"addLicenses": [], "removeLicenses": [s]}}
                                              for _d, c, s in users])
        out["graph_s"] = round(time.monotonic() - start, 2)
        out["graph_failed"] = failed

    sim.reset_counters()
    start = time.monotonic()
    threads = [threading.Thread(target=ad), threading.Thread(target=graph)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["seconds"] = round(time.monotonic() - start, 2)
    out["graph_writes"] = B.graph_figures(sim.counters())["writes"]
    out["ldap_writes"] = len(users)
    out["count"] = len(users)
    return out


def run_offboard(count, out=None):
    started = B.stamp()
    lab = B.lab_up()
    workdir = B.run_dir("offboard-%d" % count)
    tag = B.new_tag()
    result = {"count": count, "tag": tag, "workdir": os.path.relpath(workdir, B.ROOT), "runs": {}}
    with B.Simulator(workdir, units=2 * count + 1000, throttle="off") as sim, B.BenchOU(lab, tag) as ou:
        connection = sim.env(lab)
        rows = B.generate_users(2 * count, tag, ou.dn)
        csv_path = B.write_csv(rows, os.path.join(workdir, "users.csv"))
        setup = B.run_playbook("hybrid.identity.onboard_new_users", workdir, "setup", connection,
                               ["-e", "users_csv=%s" % csv_path])
        result["setup_s"] = setup["wall_s"]
        print("setup   N=%d onboarded in %.1f s rc=%d" % (2 * count, setup["wall_s"], setup["rc"]), flush=True)
        state = dict((u["userPrincipalName"].split("@")[0].lower(), u) for u in sim.admin("/state")["users"])
        conn = B.ldap_connection(lab)
        dns = {}
        conn.search(ou.dn, "(objectClass=user)", attributes=["sAMAccountName"], paged_size=5000)
        for entry in conn.entries:
            dns[str(entry.sAMAccountName.value).lower()] = entry.entry_dn
        conn.unbind()
        names = [r["username"].lower() for r in rows]
        floor_users = [(dns[n], state[n]["id"], state[n]["assignedLicenses"][0]["skuId"]) for n in names[:count]]
        result["floor"] = floor(lab, sim, ou, floor_users)
        print("floor   N=%d: %.1f s (AD %.1f s, Graph %.1f s)" % (
            count, result["floor"]["seconds"], result["floor"]["ad_s"], result["floor"]["graph_s"]), flush=True)
        leavers = os.path.join(workdir, "leavers.csv")
        with open(leavers, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["identity"])
            writer.writerows([n] for n in names[count:])
        for label, args in (("check", ["--check"]), ("offboard", []), ("noop", [])):
            sim.reset_counters()
            run = B.run_playbook("hybrid.identity.offboard_users", workdir, label, connection,
                                 ["-e", "csv=%s" % leavers] + args)
            result["runs"][label] = digest(run, sim.counters(), count)
            print("%-8s N=%d: %.1f s rc=%d %s" % (label, count, run["wall_s"], run["rc"], run["recap"]), flush=True)
            if run["rc"] != 0:
                print(run["tail"], file=sys.stderr)
        done = sim.admin("/state")["users"]
        mine = [u for u in done if u["userPrincipalName"].split("@")[0].lower() in set(names[count:])]
        result["verify"] = {"expected": count, "blocked": sum(1 for u in mine if u["accountEnabled"] is False),
                            "unlicensed": sum(1 for u in mine if not u["assignedLicenses"]),
                            "revoked": sum(1 for u in mine if u.get("signInSessionsValidFromDateTime"))}
        print("   verify: %s" % json.dumps(result["verify"]), flush=True)
        B.remove_password_files(workdir)
    real = result["runs"]["offboard"]["wall_s"]
    result["floor_ratio"] = round(real / result["floor"]["seconds"], 2) if result["floor"]["seconds"] else None
    result["ou_delete_s"] = ou.delete_seconds
    return B.finish(result, started, out)


def main():
    parser = B.bench_parser(__doc__, int(os.environ.get("BENCH_N", "1000")))
    args = parser.parse_args()
    started = time.monotonic()
    result = run_offboard(args.count, out=args.out)
    print("floor ratio %.2fx; offboard %s" % (result["floor_ratio"] or 0, json.dumps(dict(
        (k, result["runs"]["offboard"][k]) for k in ("wall_s", "graph_per_user", "ldap_per_user", "max_module_rss_mb",
                                                     "controller_peak_rss_mb")))))
    print("total %.0f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
