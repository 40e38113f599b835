"""What every benchmark script shares: the lab's variables, a private Graph simulator, a throw-away
OU, the generated users, ansible-playbook runs with timing and memory probes, the machine line.

Nothing here asserts anything: benchmarks measure and report (tests/benchmarks/README.md).
"""
import csv
import datetime
import json
import os
import platform
import re
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TESTS = os.path.join(ROOT, "tests")
LAB_DIR = os.path.join(ROOT, ".lab")
PKI = os.path.join(LAB_DIR, "pki")
LAB_SEED = os.path.join(TESTS, "lab", "tenant.yml")
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
WORK = os.path.join(ROOT, ".build", "bench")
RESULTS = os.path.join(HERE, "results")
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
if TESTS not in sys.path:
    sys.path.append(TESTS)   # graph_simulator (the private simulator's helpers)

SKU = "O365_BUSINESS_PREMIUM"
SKU_ID = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
CLOUD_DOMAIN = "corp.example.com"
TREE_DELETE = "1.2.840.113556.1.4.805"

# Graph's published identity-and-access write limit per app and tenant (FIELD_NOTES.md).
GRAPH_WRITE_BUDGET = 3000
GRAPH_WRITE_WINDOW_S = 150.0


# --------------------------------------------------------------------------------- lab

def bench_parser(doc, default_count):
    """The command line every benchmark script shares: --count and --out (scripts add their own)."""
    import argparse
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=default_count)
    parser.add_argument("--out", help="write the result JSON here")
    return parser


def finish(result, started, out):
    """Stamp a script's result with when it was measured, write it to out (if given), return it."""
    result["measured"] = stamp(started)
    if out:
        write_json(out, result)
    return result


def remove_password_files(workdir):
    """The runs' generated-password files: the users are deleted afterwards, their passwords must not stay."""
    import glob
    for path in glob.glob(os.path.join(workdir, "*passwords*.csv")) + glob.glob(
            os.path.join(workdir, "hybrid_identity_reports", "*passwords*.csv")):
        os.remove(path)


def read_env_file(path):
    """`export NAME='value'` lines (.lab/lab.env) -> dict."""
    env = {}
    with open(path) as handle:
        for line in handle:
            match = re.match(r"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.rstrip("\n"))
            if not match:
                continue
            value = match.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1].replace("'\\''", "'")
            env[match.group(1)] = value
    return env


def lab_up():
    """The lab's variables. The benchmarks need its DC (they run their own simulator): when lab.env
    exists and the DC answers a bind, that is enough; otherwise `tests/lab/lab.py up` (idempotent)."""
    path = os.path.join(LAB_DIR, "lab.env")
    if os.path.exists(path):
        lab = read_env_file(path)
        try:
            conn = ldap_connection(lab, receive_timeout=30)
            bound = conn.bound
            conn.unbind()
            if bound:
                return lab
        except Exception:  # pylint: disable=broad-except
            pass
    subprocess.run([sys.executable, os.path.join(TESTS, "lab", "lab.py"), "up"], check=True,
                   stdout=subprocess.DEVNULL)
    return read_env_file(path)


def site_lab(lab, site):
    """The lab's variables as seen from one site: site1 is the lab itself; site2 (BRANCH.EXAMPLE.LOCAL,
    `make lab SITES="site1 site2"`) gets its own DC, account and domain DN under the same keys."""
    if site == "site1":
        return lab
    prefix = "LAB_%s_" % site.upper()
    if prefix + "DOMAIN_SERVER" not in lab:
        raise RuntimeError("%s is not in the lab: make lab SITES=\"site1 %s\"" % (site, site))
    out = dict(lab)
    out.update({"HYBRID_IDENTITY_DOMAIN_SERVER": lab[prefix + "DOMAIN_SERVER"],
                "HYBRID_IDENTITY_DOMAIN_USERNAME": lab[prefix + "DOMAIN_USERNAME"],
                "HYBRID_IDENTITY_DOMAIN_PASSWORD": lab[prefix + "DOMAIN_PASSWORD"],
                "LAB_DOMAIN_DN": lab[prefix + "DOMAIN_DN"]})
    return out


def write_inventory(path, hosts):
    """A YAML inventory (mode 0600: it holds the sites' lab passwords) of local hosts with their vars."""
    import yaml
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump({"all": {"hosts": dict((name, dict(v, ansible_connection="local",
                                                          ansible_python_interpreter=sys.executable))
                                              for name, v in hosts.items())}}, handle)
    return path


def run_dir(name):
    """A fresh working directory under .build/bench for one script run."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(WORK, "%s-%s-%s" % (stamp, name, secrets.token_hex(2)))
    os.makedirs(path, mode=0o700)
    return path


def write_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)


def load_avg():
    return [round(x, 2) for x in os.getloadavg()]


def stamp(started=None):
    """When a part was measured and the load average (1, 5, 15 min) at its start and end."""
    now = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "load_avg": load_avg()}
    if started is None:
        return now
    return {"date": started["date"], "load_start": started["load_avg"], "load_end": now["load_avg"]}


# --------------------------------------------------------------------------------- private Graph simulator

class Simulator(object):
    """A private Graph tenant simulator owned by one benchmark: started here, stopped by its pid.

    Seeded from the lab tenant with enough license units for the run (the lab seed has 25)."""

    def __init__(self, workdir, units=100000, throttle="off"):
        self.workdir = workdir
        self.units = units
        self.throttle_preset = throttle
        self.proc = None
        self.port = None
        self.url = None
        self.ca = os.path.join(PKI, "ca.pem")
        self.pidfile = os.path.join(workdir, "simulator.pid")

    def seed(self):
        import yaml
        with open(LAB_SEED) as handle:
            data = yaml.safe_load(handle)
        for sku in data.get("skus") or []:
            sku["enabled"] = max(int(sku.get("enabled") or 0), self.units)
        for app in data.get("apps") or []:
            if app.get("certificate_file") and not os.path.isabs(app["certificate_file"]):
                app["certificate_file"] = os.path.normpath(os.path.join(os.path.dirname(LAB_SEED),
                                                                        app["certificate_file"]))
        data.setdefault("settings", {})["throttling"] = self.throttle_preset
        path = os.path.join(self.workdir, "tenant.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
        return path

    def start(self):
        from graph_simulator.testpki import free_port, wait_tls
        self.port = free_port()
        self.url = "https://127.0.0.1:%d" % self.port
        log = os.path.join(self.workdir, "simulator.log")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graph_simulator", "--host", "127.0.0.1", "--port", str(self.port),
             "--cert", os.path.join(PKI, "server.pem"), "--key", os.path.join(PKI, "server.key"),
             "--seed", self.seed(), "--pidfile", self.pidfile, "--log", log, "--log-level", "WARNING"],
            env=dict(os.environ, PYTHONPATH=TESTS), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_tls(self.port, self.ca, timeout=30, proc=self.proc)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def admin(self, path, body=None):
        context = ssl.create_default_context(cafile=self.ca)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/_admin" + path, data=data, method="POST" if data else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=60) as response:
            return json.load(response)

    def counters(self):
        return self.admin("/counters")

    def reset_counters(self):
        return self.admin("/counters/reset", {})

    def throttle(self, **config):
        return self.admin("/throttle", config)

    def bare_session(self, lab):
        """A requests session with an app token of this simulator: the bare client the floors are measured with."""
        import requests
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca
        token = session.post("%s/%s/oauth2/v2.0/token" % (self.url, lab["AZURE_TENANT_ID"]), data={
            "grant_type": "client_credentials", "client_id": lab["AZURE_CLIENT_ID"],
            "client_secret": lab["AZURE_CLIENT_SECRET"], "scope": self.url + "/.default"}).json()["access_token"]
        session.headers["Authorization"] = "Bearer " + token
        return session

    def env(self, lab):
        """The connection variables of lab.env, pointed at this simulator."""
        env = dict((k, v) for k, v in lab.items() if k.startswith(("HYBRID_IDENTITY_", "AZURE_", "LAB_")))
        env.update({"AZURE_AUTHORITY_HOST": self.url, "HYBRID_IDENTITY_GRAPH_ENDPOINT": self.url,
                    "LAB_SIMULATOR_ADMIN_URL": self.url + "/_admin"})
        env.pop("AZURE_CLIENT_CERTIFICATE_PATH", None)   # the secret is enough; one credential, one code path
        return env


def graph_figures(counters):
    """Simulator counters -> the figures the report uses (identity endpoints counted apart)."""
    http = counters.get("http") or {}
    totals = counters.get("totals") or {}
    graph_http = sum(n for key, n in http.items() if " /v1.0/" in key)
    identity_http = sum(n for key, n in http.items() if " /v1.0/" not in key)
    return {"http_requests": totals.get("http_requests", 0), "graph_http_requests": graph_http,
            "identity_http_requests": identity_http, "subrequests": totals.get("subrequests", 0),
            "writes": totals.get("writes", 0), "write_units": totals.get("write_units", 0),
            "resource_units": totals.get("resource_units", 0), "throttled_429": totals.get("throttled_429", 0),
            "tokens_issued": totals.get("tokens_issued", 0),
            "by_route": dict(sorted(list(http.items()) + [("$batch " + k, v) for k, v in
                                                          (counters.get("subrequests") or {}).items()]))}


# --------------------------------------------------------------------------------- AD

def ldap_connection(lab, receive_timeout=900):
    import ldap3
    # tests/conftest.py links the collection and imports _ldap_client, whose matcher validates the DC's IP
    # address against the certificate's IP SANs (Python 3.12+ has no ssl.match_hostname; ldap3's fallback
    # knows DNS names only).
    import conftest  # noqa: F401  pylint: disable=unused-import
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    server = ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls,
                          get_info=ldap3.NONE)
    return ldap3.Connection(server, lab["HYBRID_IDENTITY_DOMAIN_USERNAME"], lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"],
                            auto_bind=True, raise_exceptions=False, receive_timeout=receive_timeout)


class BenchOU(object):
    """A throw-away OU (OU=bench-<tag>,<domain>) deleted with everything in it (tree delete) at the end."""

    def __init__(self, lab, tag):
        self.lab = lab
        self.dn = "OU=bench-%s,%s" % (tag, lab["LAB_DOMAIN_DN"])
        self.delete_seconds = None

    def __enter__(self):
        conn = ldap_connection(self.lab)
        try:
            if not conn.add(self.dn, ["top", "organizationalUnit"]):
                raise RuntimeError("cannot create %s: %s" % (self.dn, conn.result))
        finally:
            conn.unbind()
        return self

    def child(self, name):
        return "OU=%s,%s" % (name, self.dn)

    def add_child(self, name):
        conn = ldap_connection(self.lab)
        try:
            if not conn.add(self.child(name), ["top", "organizationalUnit"]):
                raise RuntimeError("cannot create %s: %s" % (self.child(name), conn.result))
        finally:
            conn.unbind()
        return self.child(name)

    def __exit__(self, *exc):
        start = time.monotonic()
        conn = ldap_connection(self.lab)
        try:
            conn.delete(self.dn, controls=[(TREE_DELETE, True, None)])
            if conn.result.get("result") not in (0, 32):
                print("warning: tree delete of %s: %s" % (self.dn, conn.result), file=sys.stderr)
        finally:
            conn.unbind()
        self.delete_seconds = round(time.monotonic() - start, 1)


# --------------------------------------------------------------------------------- users

CSV_COLUMNS = ("given_name", "surname", "username", "display_name", "department", "job_title", "usage_location",
               "licenses", "ou")


def generate_users(count, tag, ou, licenses=(SKU,), usage_location="US"):
    """count new-user rows (the onboard_new_users input): unique usernames b<tag><n> (<= 20 characters)."""
    rows = []
    width = max(5, len(str(count)))
    for i in range(count):
        number = str(i).zfill(width)
        rows.append({
            "given_name": "Bench",
            "surname": "User %s %s" % (tag, number),
            "username": "b%s%s" % (tag, number),
            "display_name": "Bench User %s %s" % (tag, number),
            "department": "Benchmark",
            "job_title": "Tester",
            "usage_location": usage_location,
            "licenses": ";".join(licenses),
            "ou": ou,
        })
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(dict((k, row.get(k, "")) for k in CSV_COLUMNS))
    return path


def new_tag():
    """Six lower-case hex characters: short enough for sAMAccountNames of b<tag><5 digits>."""
    return secrets.token_hex(3)


# --------------------------------------------------------------------------------- ansible-playbook runs

def playbook_env(connection, workdir, label):
    """Environment of one ansible-playbook run: the connection variables, the collection from this
    working tree, the timing callback and the per-process probe (peak RSS, client counters)."""
    probe_dir = os.path.join(workdir, "probe-" + label)
    os.makedirs(probe_dir, exist_ok=True)
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("HYBRID_IDENTITY_", "AZURE_", "ANSIBLE_")):
            del env[key]
    env.update(connection)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "hybrid_bench_timer",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PYTHONPATH": os.path.join(HERE, "probe"),
        "HYBRID_BENCH_PROBE_DIR": probe_dir,
        "HYBRID_BENCH_TIMINGS": os.path.join(workdir, "timings-%s.json" % label),
    })
    return env


def ensure_collection_link():
    """ansible-playbook finds hybrid.identity at .build/collections (a symlink to this tree)."""
    parent = os.path.join(COLLECTIONS, "ansible_collections", "hybrid")
    link = os.path.join(parent, "identity")
    os.makedirs(parent, exist_ok=True)
    if not os.path.islink(link) and not os.path.exists(link):
        os.symlink(ROOT, link)


def run_playbook(playbook, workdir, label, connection, extra_args=(), timeout=3600, wrap=(), extra_env=None,
                 inventory=None):
    """One ansible-playbook run as a user types it; returns the measured run.

    wrap: a command to run it under (a profiler: ["py-spy", "record", "--subprocesses", ...]).
    inventory: an inventory file (sites as hosts) instead of localhost."""
    ensure_collection_link()
    env = playbook_env(connection, workdir, label)
    env.update(extra_env or {})
    where = ["-i", inventory] if inventory else ["-i", "localhost,", "-c", "local"]
    cmd = list(wrap) + [PLAYBOOK] + where + [playbook] + list(extra_args)
    log_path = os.path.join(workdir, "ansible-%s.log" % label)
    load_before = load_avg()
    launched = time.time()
    start = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
    wall = time.monotonic() - start
    with open(log_path) as handle:
        output = handle.read()
    lines = output.splitlines()
    after = lines[max(i for i, line in enumerate(lines) if line.startswith("PLAY RECAP")) + 1:] \
        if any(line.startswith("PLAY RECAP") for line in lines) else []
    recap = [line for line in after if "ok=" in line]
    return {
        "label": label, "rc": proc.returncode, "wall_s": round(wall, 2), "launched": launched,
        "recap": " | ".join(" ".join(line.split()) for line in recap),
        "log": os.path.relpath(log_path, ROOT), "load_before": load_before, "load_after": load_avg(),
        "timings": read_timings(env["HYBRID_BENCH_TIMINGS"]), "probe": read_probe(env["HYBRID_BENCH_PROBE_DIR"]),
        "tail": output[-2500:] if proc.returncode else "",
    }


def read_timings(path):
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def read_probe(probe_dir):
    records = []
    for name in sorted(os.listdir(probe_dir)):
        with open(os.path.join(probe_dir, name)) as handle:
            for line in handle:
                if line.strip():
                    records.append(json.loads(line))
    return records


# --------------------------------------------------------------------------------- digest of one run

# task action -> phase; anything else (set_fact, include_tasks, debug, assert) is role glue.
PHASES = {
    "hybrid.identity.cloud_tenant_info": "tenant read",
    "hybrid.identity.user_input": "input check",
    "hybrid.identity.ad_user": "ad_user",
    "hybrid.identity.cloud_user": "cloud_user",
    "hybrid.identity.cloud_license": "cloud_license",
    "hybrid.identity.account_link": "account_link",
    "hybrid.identity.password_file": "password file",
    "hybrid.identity.run_report": "report",
    "hybrid.identity.method_run": "onboard_run controller",
}
PHASE_ORDER = ["startup", "tenant read", "input check", "ad_user", "cloud_user", "cloud_license", "account_link",
               "onboard_run controller", "password file", "report", "role glue", "shutdown"]
# Modules that onboard_run runs inside its one task: their phases come from the probe's process times.
DRIVEN_MODULES = ("ad_user", "cloud_user", "cloud_license", "account_link")


def phases(run):
    """Seconds per phase: module tasks by their action, the rest as role glue, plus ansible-playbook's
    own start (process start to the first task) and end (last result to process exit)."""
    timings = run.get("timings") or {}
    tasks = timings.get("tasks") or []
    out = dict((name, 0.0) for name in PHASE_ORDER)
    counts = dict((name, 0) for name in PHASE_ORDER)
    if not tasks:
        return {"seconds": {}, "tasks": {}}
    previous_end = None
    for task in tasks:
        phase = PHASES.get(task.get("action"), "role glue")
        out[phase] += task["end"] - task["start"]
        counts[phase] += 1
        if previous_end is not None and task["start"] > previous_end:
            out["role glue"] += task["start"] - previous_end
        previous_end = max(previous_end or 0, task["end"])
    if counts["onboard_run controller"]:
        # One task ran the modules: each module's phase is its processes' lifetime (probe), the rest of
        # the task is the controller's own work (input checks, chunk loop, password file, report).
        # Modules that ran at once (the plan's two reads) overlap: the controller loses their union.
        spans = []
        for record in run.get("probe") or []:
            if record.get("module") in DRIVEN_MODULES:
                seconds = record.get("seconds") or 0.0
                out[record["module"]] += seconds
                counts[record["module"]] += 1
                if record.get("started") is None:   # an older probe record: no overlap known
                    out["onboard_run controller"] -= seconds
                else:
                    spans.append((record["started"], seconds))
        out["onboard_run controller"] -= _union_seconds(spans)
    launched = run.get("launched", tasks[0]["start"])
    out["startup"] = max(0.0, tasks[0]["start"] - launched)
    out["shutdown"] = max(0.0, launched + run["wall_s"] - previous_end)
    return {"seconds": dict((k, round(v, 2)) for k, v in out.items() if v or counts[k]),
            "tasks": dict((k, v) for k, v in counts.items() if v)}


def _union_seconds(spans):
    """Seconds covered by the (start, seconds) spans together."""
    total, last_end = 0.0, None
    for start, seconds in sorted(spans):
        end = start + seconds
        if last_end is None or start >= last_end:
            total += end - start
            last_end = end
        elif end > last_end:
            total += end - last_end
            last_end = end
    return total


def probe_summary(run):
    """Peak RSS per module (MB) and the LDAP / Graph client counters summed over module processes."""
    peak = {}
    busy = 0.0
    ldap = {"connections": 0, "searches": 0, "pages": 0, "writes": 0}
    graph = {}
    controller = None
    for record in run.get("probe") or []:
        name = record.get("module")
        rss = record.get("maxrss_kb", 0) / 1024.0
        if name == "ansible-playbook":
            controller = max(controller or 0, rss)
            continue
        peak[name] = max(peak.get(name, 0), rss)
        busy += record.get("seconds") or 0.0
        for client in record.get("clients") or []:
            stats = client.get("stats") or {}
            if client["kind"] == "ldap":
                ldap["connections"] += 1
                for key in ("searches", "pages", "writes"):
                    ldap[key] += int(stats.get(key, 0))
            else:
                for key, value in stats.items():
                    graph[key] = graph.get(key, 0) + int(value)
    # operations on the wire: a bind per connection, a request per result page, one per write
    ldap["operations"] = ldap["connections"] + ldap["pages"] + ldap["writes"]
    modules = dict((k, round(v, 1)) for k, v in sorted(peak.items()))
    return {"module_peak_rss_mb": modules, "max_module_rss_mb": round(max(peak.values()), 1) if peak else None,
            "controller_peak_rss_mb": round(controller, 1) if controller else None,
            "module_process_s": round(busy, 2), "ldap": ldap, "graph_client": graph}


# --------------------------------------------------------------------------------- machine line

def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gb = None
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    ram_gb = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    samba = "unknown"
    try:
        samba = subprocess.run(["samba", "-V"], capture_output=True, text=True, timeout=10).stdout.strip()
        samba = samba.replace("Version ", "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import ansible.release
        ansible_version = ansible.release.__version__
    except ImportError:
        ansible_version = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "python": platform.python_version(),
            "samba": samba, "ansible_core": ansible_version, "os": platform.platform(terse=True),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "load_avg": load_avg()}
