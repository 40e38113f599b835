"""Benchmark: method 1 (hybrid.identity.onboard_new_users) for N new users, as users run it.

    .venv/bin/python tests/benchmarks/method1.py [--count 1000] [--out FILE] [--chunk-size N]

ansible-playbook hybrid.identity.onboard_new_users -e users_csv=<N generated rows> against the lab DC
(a throw-away OU, tree-deleted at the end) and a private Graph simulator (started and stopped here,
throttling off: the simulator's own speed; tests/benchmarks/throttled.py runs Graph's real limits).
Three runs of the same N users: check mode first (plans N creates, writes nothing), the real run,
then the no-op rerun. For each: wall time per phase (the hybrid_bench_timer callback), Graph
requests / writes / resource units (simulator counters), LDAP operations (the modules' own
counters, read by the probe), peak RSS of every module process (the probe).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def digest(run, counters, count):
    """One run's figures, totals and per user."""
    graph = B.graph_figures(counters)
    probe = B.probe_summary(run)
    per_user = lambda value: round(value / float(count), 4) if count else None  # noqa: E731
    return {
        "rc": run["rc"], "recap": run["recap"], "wall_s": run["wall_s"],
        "users_per_s": round(count / run["wall_s"], 2) if run["wall_s"] else None,
        "phases_s": B.phases(run)["seconds"], "phase_tasks": B.phases(run)["tasks"],
        # module processes (AnsiballZ start to exit, all runs) vs the rest: ansible-playbook's own work
        "module_process_s": probe["module_process_s"],
        "controller_s": round(run["wall_s"] - probe["module_process_s"], 2),
        "graph": dict((k, v) for k, v in graph.items() if k != "by_route"), "graph_by_route": graph["by_route"],
        "graph_per_user": {"http_requests": per_user(graph["http_requests"]),
                           "graph_http_requests": per_user(graph["graph_http_requests"]),
                           "writes": per_user(graph["writes"]), "resource_units": per_user(graph["resource_units"])},
        "ldap": probe["ldap"], "ldap_per_user": {"operations": per_user(probe["ldap"]["operations"]),
                                                 "writes": per_user(probe["ldap"]["writes"])},
        "graph_client": probe["graph_client"],
        "module_peak_rss_mb": probe["module_peak_rss_mb"], "max_module_rss_mb": probe["max_module_rss_mb"],
        "controller_peak_rss_mb": probe["controller_peak_rss_mb"],
        "load_before": run["load_before"], "load_after": run["load_after"], "log": run["log"],
        "tail": run.get("tail", ""),
    }


def verify(sim, lab, ou, tag, count):
    """What the run left: users in the OU, cloud users with the tag, licensed, linked."""
    conn = B.ldap_connection(lab)
    try:
        conn.search(ou, "(&(objectClass=user)(msDS-cloudExtensionAttribute1=*))", attributes=["sAMAccountName"],
                    paged_size=1000)
        ad_linked = len(conn.entries)
        cookie = conn.result.get("controls", {}).get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
        while cookie:
            conn.search(ou, "(&(objectClass=user)(msDS-cloudExtensionAttribute1=*))", attributes=["sAMAccountName"],
                        paged_size=1000, paged_cookie=cookie)
            ad_linked += len(conn.entries)
            cookie = conn.result.get("controls", {}).get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
    finally:
        conn.unbind()
    state = sim.admin("/state")
    mine = [u for u in state["users"] if u["userPrincipalName"].lower().startswith("b%s" % tag)]
    return {"expected": count, "ad_linked": ad_linked, "cloud_users": len(mine),
            "cloud_licensed": sum(1 for u in mine if u.get("_licenses")),
            "cloud_linked": sum(1 for u in mine if u.get("onPremisesImmutableId"))}


def run_method1(count, chunk_size=None, label_prefix="", out=None, collections=None, extra_env=None):
    started = B.stamp()
    lab = B.lab_up()
    workdir = B.run_dir("method1-%d" % count)
    tag = B.new_tag()
    result = {"count": count, "tag": tag, "workdir": os.path.relpath(workdir, B.ROOT), "runs": {},
              "chunk_size": chunk_size or "role default"}
    env = dict(extra_env or {})
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.abspath(collections)
        result["collections"] = os.path.abspath(collections)
    with B.Simulator(workdir, units=count + 1000, throttle="off") as sim, B.BenchOU(lab, tag) as ou:
        rows = B.generate_users(count, tag, ou.dn)
        csv_path = B.write_csv(rows, os.path.join(workdir, "users.csv"))
        extra = ["-e", "users_csv=%s" % csv_path]
        if chunk_size:
            extra += ["-e", "chunk_size=%d" % chunk_size]
        connection = sim.env(lab)
        result["settings"] = env
        for label, args in (("check", extra + ["--check"]), ("create", extra), ("noop", extra)):
            sim.reset_counters()
            run = B.run_playbook("hybrid.identity.onboard_new_users", workdir, label_prefix + label, connection, args,
                                 extra_env=env)
            result["runs"][label] = digest(run, sim.counters(), count)
            print("%-7s N=%d: %.1f s rc=%d %s" % (label, count, run["wall_s"], run["rc"], run["recap"]), flush=True)
            if run["rc"] != 0:
                print(run["tail"], file=sys.stderr)
            if label == "create":
                result["verify"] = verify(sim, lab, ou.dn, tag, count)
                print("   verify: %s" % json.dumps(result["verify"]), flush=True)
        B.remove_password_files(workdir)
    result["ou_delete_s"] = ou.delete_seconds
    return B.finish(result, started, out)


def main():
    parser = B.bench_parser(__doc__, int(os.environ.get("BENCH_N", "1000")))
    parser.add_argument("--chunk-size", type=int, default=None, help="the role's chunk_size (default: the role's)")
    parser.add_argument("--collections", help="measure the hybrid.identity found under this collections path instead "
                                              "of this working tree (a variant of a role, say)")
    parser.add_argument("--jinja2-native", action="store_true",
                        help="run ansible-playbook with ANSIBLE_JINJA2_NATIVE=1")
    args = parser.parse_args()
    started = time.monotonic()
    result = run_method1(args.count, args.chunk_size, out=args.out, collections=args.collections,
                         extra_env={"ANSIBLE_JINJA2_NATIVE": "1"} if args.jinja2_native else None)
    for label, run in result["runs"].items():
        print("%s: %s" % (label, json.dumps(dict((k, run[k]) for k in (
            "wall_s", "phases_s", "graph", "graph_per_user", "ldap", "ldap_per_user", "module_peak_rss_mb",
            "controller_peak_rss_mb")))))
    print("total %.0f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
