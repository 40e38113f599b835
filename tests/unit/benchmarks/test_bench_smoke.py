"""Smoke checks of the benchmark scripts (tests/benchmarks): they import, their generated input passes the
role's own input check, and the report renders. No servers, no timing: `make test` never runs benchmarks."""
import json
import os
import subprocess
import sys


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BENCH = os.path.join(ROOT, "tests", "benchmarks")
sys.path.insert(0, BENCH)

import benchlib  # noqa: E402
import report  # noqa: E402
import throttled  # noqa: E402

from ansible_collections.hybrid.identity.plugins.module_utils._role_input import (  # noqa: E402
    read_csv, validate_new_users)


def test_every_script_imports():
    import floors, method1, offboard, peruser  # noqa: F401  (the import is the check)
    assert callable(floors.run_floors) and callable(method1.run_method1) and callable(peruser.run_peruser)
    assert callable(offboard.run_offboard)


def test_generated_users_pass_the_roles_input_check(tmp_path):
    rows = benchlib.generate_users(10, "abc123", "OU=bench-abc123,DC=corp,DC=example,DC=local")
    path = benchlib.write_csv(rows, str(tmp_path / "users.csv"))
    with open(path) as handle:
        parsed = read_csv(handle.read(), "new_users")
    users, errors = validate_new_users(parsed, ["corp.example.com"], [benchlib.SKU], upn_suffix="corp.example.com",
                                       source="csv")
    assert errors == []
    assert len(users) == 10 and len(set(u["sam_account_name"] for u in users)) == 10
    assert all(len(u["sam_account_name"]) <= 20 for u in users)
    assert users[0]["licenses"] and users[0]["usage_location"] == "US"


def test_ten_thousand_usernames_fit_sam_account_name():
    rows = benchlib.generate_users(10000, "abc123", None)
    assert max(len(r["username"]) for r in rows) <= 20
    assert len(set(r["username"] for r in rows)) == 10000


def _sample():
    run = {"rc": 0, "recap": "", "wall_s": 40.0, "users_per_s": 25.0,
           "phases_s": {"startup": 1.0, "ad_user": 30.0, "cloud_user": 3.0, "role glue": 2.0}, "phase_tasks": {},
           "graph_per_user": {"http_requests": 0.12, "graph_http_requests": 0.11, "writes": 2.0, "resource_units": 2.1},
           "ldap_per_user": {"operations": 2.01, "writes": 2.0}, "graph_client": {"requests": 120},
           "max_module_rss_mb": 50.0, "controller_peak_rss_mb": 120.0, "module_peak_rss_mb": {"ad_user": 50.0}}
    sizes = {"1000": {
        "floors": {"count": 1000, "directory": {"seconds": 32.0, "per_s": 31.2},
                   "simulator": {"seconds": 4.0, "per_s": 250.0}, "graph_budget": {"seconds": 100.0, "per_s": 10.0}},
        "method1": {"count": 1000, "runs": {"check": dict(run), "create": dict(run), "noop": dict(run, wall_s=10.0)},
                    "verify": {"expected": 1000, "ad_linked": 1000, "cloud_users": 1000, "cloud_licensed": 1000,
                               "cloud_linked": 1000}},
        "measured": {"date": "2026-01-01T00:00:00+00:00", "load_avg": [0.1, 0.2, 0.3]}}}
    return {"machine": {"cpu": "Test CPU", "cores": 2, "ram_gb": 4.0, "python": "3.11", "samba": "4.17",
                        "ansible_core": "2.18", "date": "2026-01-01", "load_avg": [0.1, 0.2, 0.3]},
            "sizes": sizes, "peruser": {"count": 100, "users_per_s": 0.5, "module_loop_s": 190.0, "run": dict(run)},
            "throttled": {"count": 2000, "failed_users": 0, "run": dict(run),
                          "profile": throttled.write_profile(SAMPLES, [{"start_s": 1.0, "used": 2000},
                                                                       {"start_s": 151.0, "used": 2000}])}}


def test_report_renders_and_judges_the_targets(tmp_path):
    data = _sample()
    verdicts = dict((v["target"], v) for v in report.figures(data)["verdicts"])
    assert verdicts["method 1 wall time vs the directory floor"]["met"] is True    # 40 s / 32 s = 1.25x
    assert verdicts["rate vs the per-user loop"]["met"] is True                    # 25 / 0.5 = 50x
    assert verdicts["Graph write budget sustained, no failed user"]["met"] is False   # 2,000 of 3,000
    assert verdicts["no-op rerun of 10,000 users"]["met"] is None                  # not measured at 10,000
    path = str(tmp_path / "performance.md")
    with open(path, "w") as handle:
        handle.write("# Performance\n\nprose kept\n\n%s\nold\n%s\n\nmore prose\n" % (report.BEGIN, report.END))
    report.write_markdown(data, path)
    with open(path) as handle:
        text = handle.read()
    assert "prose kept" in text and "more prose" in text and "old" not in text.split(report.BEGIN)[1]
    assert "Machine: Test CPU, 2 cores" in text and "### Targets" in text and "Per-user loop" in text


def test_directory_floor_is_the_mean_around_method_1_and_the_lowest_reachable_ratio(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    before = {"count": 1000, "seconds": 30.0, "link_modify_s": 8.0, "with_link_modify_s": 38.0, "per_s": 33.3}
    after = {"count": 1000, "seconds": 34.0, "link_modify_s": 6.0, "with_link_modify_s": 40.0, "per_s": 29.4}
    data = _sample()
    (run_dir / "floors-1000.json").write_text(json.dumps(dict(data["sizes"]["1000"]["floors"], directory=before)))
    (run_dir / "floors-1000-after.json").write_text(json.dumps({"count": 1000, "position": "after",
                                                                "directory": after}))
    method1 = data["sizes"]["1000"]["method1"]
    method1["runs"]["create"] = dict(method1["runs"]["create"], wall_s=48.0,
                                     phases_s={"startup": 0.8, "tenant read": 0.8, "ad_user": 40.0})
    (run_dir / "method1-1000.json").write_text(json.dumps(method1))
    collected = report.collect(str(run_dir))
    floors = collected["sizes"]["1000"]["floors"]
    assert floors["directory_mean"]["seconds"] == 32.0 and floors["directory_mean"]["with_link_modify_s"] == 39.0
    row = report.figures(collected)["sizes"]["1000"]
    assert row["vs_directory"] == 1.5 and row["vs_directory_and_link"] == 1.23    # 48 / 32, 48 / 39
    assert row["link_share"] == 0.22 and row["lowest_vs_directory"] == 1.27      # 7 / 32, (39 + 1.6) / 32
    text = report.render(collected)
    assert "before method 1 (adds 30.0 s, with the link modifies 38.0 s) and after it (34.0 s, 40.0 s)" in text
    assert "method 1 cannot get much below 1.27x the add floor here" in text


SAMPLES = [(0, 0, 0), (1, 10, 0), (100, 3000, 5), (160, 3500, 9), (250, 4000, 9)]
WINDOWS = [{"start_s": 1.0, "used": 3000}, {"start_s": 151.5, "used": 1000}]


def test_write_profile_counts_used_up_or_finished_windows():
    profile = throttled.write_profile(SAMPLES, WINDOWS)
    assert profile["writes"] == 4000 and profile["counted_windows"] == 1     # the second ran out of work
    assert profile["budget_used"] == 1.0 and profile["gaps_s"] == [0.5]
    slow = throttled.write_profile(SAMPLES, [{"start_s": 1.0, "used": 2400}, {"start_s": 200.0, "used": 1600}])
    assert slow["counted_windows"] == 1 and slow["budget_used"] == 0.8


def test_recorded_results_render(tmp_path):
    # The committed results of the last `make bench` must keep rendering as the report evolves.
    latest = os.path.join(BENCH, "results", "latest.json")
    with open(latest) as handle:
        report.write_markdown(json.load(handle), str(tmp_path / "performance.md"))
    text = (tmp_path / "performance.md").read_text()
    assert "Machine:" in text and "### Targets" in text


def test_probe_records_peak_rss(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(BENCH, "probe"), HYBRID_BENCH_PROBE_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", "x = bytearray(20 * 1024 * 1024)"], env=env, check=True, timeout=60)
    records = [json.loads(line) for name in os.listdir(str(tmp_path)) for line in open(str(tmp_path / name))]
    assert len(records) == 1 and records[0]["maxrss_kb"] > 20 * 1024


def test_timing_callback_parses():
    with open(os.path.join(BENCH, "callback_plugins", "hybrid_bench_timer.py")) as handle:
        compile(handle.read(), "hybrid_bench_timer.py", "exec")


def test_controller_phase_loses_the_union_of_modules_that_ran_at_once():
    """The plan's two reads run at once: the controller's share of the task is what no module covered."""
    tasks = [{"action": "hybrid.identity.method_run", "start": 100.0, "end": 120.0}]
    probe = [{"module": "ad_user", "started": 101.0, "seconds": 10.0},
             {"module": "cloud_user", "started": 102.0, "seconds": 3.0},     # inside ad_user's run
             {"module": "cloud_license", "started": 112.0, "seconds": 2.0}]
    seconds = benchlib.phases({"timings": {"tasks": tasks}, "probe": probe, "launched": 99.0, "wall_s": 22.0})["seconds"]
    assert (seconds["ad_user"], seconds["cloud_user"], seconds["cloud_license"]) == (10.0, 3.0, 2.0)
    assert seconds["onboard_run controller"] == 8.0      # 20 s task - 12 s covered by modules


def test_offboarding_section_renders_against_its_floor(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run = {"wall_s": 40.0, "graph_per_user": {"writes": 3.0, "http_requests": 0.19}, "ldap_per_user": {"writes": 1.0,
           "operations": 1.02}, "max_module_rss_mb": 50.0, "controller_peak_rss_mb": 70.0}
    (run_dir / "offboard.json").write_text(json.dumps({
        "count": 1000, "floor": {"seconds": 20.0, "ad_s": 20.0, "graph_s": 1.0}, "runs": {"offboard": run},
        "verify": {"expected": 1000, "blocked": 1000, "unlicensed": 1000, "revoked": 1000}}))
    text = report.render(report.collect(str(run_dir)))
    assert "### Offboarding, N = 1,000" in text
    assert "| offboard | 40.0 | 2.00x | 3.00 | 0.190 | 1.00 | 1.020 | 50.0 | 70.0 |" in text
    assert "1000 of 1000 blocked, 1000 unlicensed, 1000 with sessions revoked" in text
