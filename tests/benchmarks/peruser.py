"""Benchmark: the same onboarding through a per-user loop of the same modules (the baseline that
set-oriented modules are measured against).

    .venv/bin/python tests/benchmarks/peruser.py [--count 100] [--out FILE]

tests/benchmarks/peruser.yml: the role's input check, then ad_user, cloud_user, cloud_license and
account_link each looped over the users with a list of one (one module run per user and step).
Same lab DC (throw-away OU), a private simulator (throttling off), the same generated users.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
from method1 import digest, verify  # noqa: E402


def run_peruser(count, out=None):
    started = B.stamp()
    lab = B.lab_up()
    workdir = B.run_dir("peruser-%d" % count)
    tag = B.new_tag()
    result = {"count": count, "tag": tag, "workdir": os.path.relpath(workdir, B.ROOT)}
    with B.Simulator(workdir, units=count + 1000, throttle="off") as sim, B.BenchOU(lab, tag) as ou:
        csv_path = B.write_csv(B.generate_users(count, tag, ou.dn), os.path.join(workdir, "users.csv"))
        sim.reset_counters()
        run = B.run_playbook(os.path.join(B.HERE, "peruser.yml"), workdir, "peruser", sim.env(lab),
                             ["-e", "users_csv=%s" % csv_path])
        result["run"] = digest(run, sim.counters(), count)
        result["verify"] = verify(sim, lab, ou.dn, tag, count)
        loop_s = sum(v for k, v in result["run"]["phases_s"].items() if k in ("ad_user", "cloud_user", "cloud_license",
                                                                             "account_link"))
        result["module_loop_s"] = round(loop_s, 2)
        result["users_per_s"] = round(count / run["wall_s"], 3)
        print("per-user loop N=%d: %.1f s (%.2f users/s; module loops %.1f s) rc=%d %s" % (
            count, run["wall_s"], result["users_per_s"], loop_s, run["rc"], run["recap"]), flush=True)
        print("   verify: %s" % result["verify"])
        if run["rc"]:
            print(run["tail"], file=sys.stderr)
    return B.finish(result, started, out)


def main():
    args = B.bench_parser(__doc__, 100).parse_args()
    run_peruser(args.count, args.out)


if __name__ == "__main__":
    main()
