"""Benchmark: method 1 against Graph's real throttling numbers (opt-in: BENCH_THROTTLED=1; ~4-8 minutes).

    .venv/bin/python tests/benchmarks/throttled.py [--count 2000] [--sites 1|2] [--out FILE]

The private simulator runs the published identity-and-access limits ("preset": "real": 3,000 writes
per 150 s per app and tenant, 18,000 per 300 s per tenant, resource units by tenant size) while
hybrid.identity.onboard_new_users onboards N users: enough writes to run into the write limit and
past it. A poller reads the simulator's counters once a second (bounded by the run). Reported:
Graph writes, 429s answered (all retried by the client: a user that still failed shows in the
recap and the verification), the simulator's write windows (read from its admin API) and the write
rate sustained over them as a fraction of 20 writes/s (see write_profile).
"""
import contextlib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
from method1 import digest, verify  # noqa: E402


class Poller(threading.Thread):
    """(seconds since start, writes, 429s) once a second until stopped (or max_s)."""

    def __init__(self, sim, interval=1.0, max_s=1200):
        super(Poller, self).__init__(daemon=True)
        self.sim = sim
        self.interval = interval
        self.max_s = max_s
        self.samples = []
        self.windows = []      # the simulator's own write windows: start (s since start) and writes used
        self.stopping = threading.Event()
        self.start_time = time.monotonic()

    def run(self):
        while not self.stopping.is_set() and time.monotonic() - self.start_time < self.max_s:
            try:
                totals = self.sim.counters()["totals"]
                now = time.monotonic() - self.start_time
                self.samples.append((round(now, 2), totals.get("writes", 0), totals.get("throttled_429", 0)))
                for key, window in (self.sim.admin("/throttle").get("windows") or {}).items():
                    if key.startswith("w/"):   # the per-app write window
                        start = round(now - window["age_s"], 1)
                        known = self.windows[-1] if self.windows else None
                        if known is None or abs(known["start_s"] - start) > 2.0:
                            self.windows.append({"start_s": start, "used": window["used"]})
                        else:
                            known["used"] = max(known["used"], window["used"])
            except Exception:  # pylint: disable=broad-except
                pass
            self.stopping.wait(self.interval)

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)


def write_profile(samples, windows=None, budget=B.GRAPH_WRITE_BUDGET, window=B.GRAPH_WRITE_WINDOW_S):
    """Writes over time, judged against the write budget.

    samples: (seconds, writes so far, 429s so far) once a second; windows: the simulator's write windows
    ({start_s, used}, fixed windows opened by the first write after the previous one ended).
    sustained: the writes of every window that counts (ended before the last write, or used up) over the
    time those windows and the gaps between them took, as a fraction of 20 writes/s. The last window is
    left out when the run ended inside it without using it up (the work ran out, not the budget).
    The plain rate over the first..last write span is reported too; with fixed windows it can exceed
    20 writes/s (two full windows fit in a little over one window's time)."""
    if not samples or samples[-1][1] == 0:
        return {}
    total = samples[-1][1]
    first = next(t for t, w, _ in samples if w > 0)
    last = next(t for t, w, _ in samples if w >= total)
    span = max(last - first, 1.0)
    out = {"writes": total, "first_write_s": first, "last_write_s": last, "span_s": round(span, 1),
           "writes_per_s": round(total / span, 2), "throttled_429": samples[-1][2]}
    windows = list(windows or [])
    if windows:
        counted = [w for w in windows if w["start_s"] + window <= last or w["used"] >= budget]
        out["windows"] = [dict(w, counted=w in counted) for w in windows]
        out["writes_per_window"] = [w["used"] for w in windows]
        if counted:
            begin = counted[0]["start_s"]
            end = counted[-1]["start_s"] + window
            used = sum(w["used"] for w in counted)
            rate = used / (end - begin)
            out.update({"counted_windows": len(counted), "gaps_s": [round(b["start_s"] - (a["start_s"] + window), 1)
                                                                   for a, b in zip(windows, windows[1:])],
                        "sustained_writes_per_s": round(rate, 2),
                        "budget_used": round(rate / (budget / window), 3)})
    return out


def run_throttled(count, out=None, sites=1):
    """count users per site; sites > 1 runs the sites in parallel (one inventory host per lab DC) with
    one app registration, as an MSP onboarding several sites does: the app's write budget is shared."""
    started = B.stamp()
    lab = B.lab_up()
    names = ["site%d" % (i + 1) for i in range(sites)]
    labs = dict((name, B.site_lab(lab, name)) for name in names)
    workdir = B.run_dir("throttled-%d" % count)
    tags = dict((name, B.new_tag()) for name in names)
    total = count * sites
    result = {"count": total, "per_site": count, "sites": sites, "tags": tags,
              "workdir": os.path.relpath(workdir, B.ROOT)}
    with B.Simulator(workdir, units=total + 1000, throttle="real") as sim, contextlib.ExitStack() as stack:
        ous = dict((name, stack.enter_context(B.BenchOU(labs[name], tags[name]))) for name in names)
        config = sim.throttle(preset="real")["config"]
        result["throttle"] = config
        csvs = dict((name, B.write_csv(B.generate_users(count, tags[name], ous[name].dn),
                                       os.path.join(workdir, "users-%s.csv" % name))) for name in names)
        inventory = None
        extra = ["-e", "users_csv=%s" % csvs["site1"]]
        if sites > 1:
            inventory = B.write_inventory(os.path.join(workdir, "inventory.yml"), dict(
                (name, {"users_csv": csvs[name], "domain_server": labs[name]["HYBRID_IDENTITY_DOMAIN_SERVER"],
                        "domain_username": labs[name]["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                        "domain_password": labs[name]["HYBRID_IDENTITY_DOMAIN_PASSWORD"],
                        "ca_path": labs[name]["HYBRID_IDENTITY_CA_PATH"],
                        "report_dir": os.path.join(workdir, "reports-" + name),
                        "password_file": os.path.join(workdir, "passwords-%s.csv" % name)}) for name in names))
            extra = ["-e", "target=all"]
        sim.reset_counters()
        poller = Poller(sim)
        poller.start()
        try:
            run = B.run_playbook("hybrid.identity.onboard_new_users", workdir, "throttled", sim.env(lab), extra,
                                 timeout=2400, inventory=inventory)
        finally:
            poller.stop()
        result["run"] = digest(run, sim.counters(), total)
        result["profile"] = write_profile(poller.samples, poller.windows)
        result["samples"] = poller.samples
        checks = dict((name, verify(sim, labs[name], ous[name].dn, tags[name], count)) for name in names)
        result["verify"] = checks["site1"] if sites == 1 else checks
        result["failed_users"] = sum(count - min(c["cloud_licensed"], c["cloud_linked"], c["ad_linked"])
                                     for c in checks.values())
        profile = result["profile"]
        print("throttled N=%d (%d site%s): %.0f s rc=%d %s" % (total, sites, "s" if sites > 1 else "", run["wall_s"],
                                                              run["rc"], run["recap"]), flush=True)
        print("   %s" % dict((k, v) for k, v in profile.items()), flush=True)
        print("   client: %s; verify: %s" % (result["run"]["graph_client"], result["verify"]), flush=True)
        if run["rc"]:
            print(run["tail"], file=sys.stderr)
        B.remove_password_files(workdir)
    return B.finish(result, started, out)


def main():
    parser = B.bench_parser(__doc__, int(os.environ.get("BENCH_THROTTLED_N", "2000")))
    parser.add_argument("--sites", type=int, default=int(os.environ.get("BENCH_THROTTLED_SITES", "1")), choices=[1, 2],
                        help="2: both lab DCs in parallel with one app registration (make lab SITES=\"site1 site2\"); "
                             "--count users each")
    args = parser.parse_args()
    run_throttled(args.count, args.out, args.sites)


if __name__ == "__main__":
    main()
