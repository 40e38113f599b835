"""The lab: real Samba AD domain controllers and the Graph tenant simulator on loopback.

    python tests/lab/lab.py up [--site site1 --site site2]   start (provision on first use)
    python tests/lab/lab.py down                             stop what `up` started (pid files)
    python tests/lab/lab.py status                           what runs, one line each
    python tests/lab/lab.py restart --site site2             restart a site's samba (roles that change smb.conf)

A site's samba starts with the KEY=VALUE lines of .lab/<site>/samba.env in its environment
when that file exists (the password_sync role writes GNUPGHOME there).

State lives under .lab/ in the repository (never in system paths). `up` is idempotent:
with everything up it only checks the pid files and the TLS ports. It writes
.lab/lab.env (site1 + simulator, plus site2's variables as LAB_SITE2_* once site2 is
provisioned) and .lab/<site>.env for every other site.
"""
import argparse
import os
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.environ.get("HYBRID_IDENTITY_LAB_DIR", os.path.join(ROOT, ".lab"))
PKI = os.path.join(LAB, "pki")

SITES = {
    # A deliberately non-routable .local forest, as on most Essentials servers.
    "site1": {"addr": "127.0.0.1", "realm": "CORP.EXAMPLE.LOCAL", "netbios": "CORP", "host": "dc1"},
    "site2": {"addr": "127.0.0.2", "realm": "BRANCH.EXAMPLE.LOCAL", "netbios": "BRANCH", "host": "dc2"},
}
SIMULATOR = {"addr": "127.0.0.1", "port": 8443}
# Only what the lab needs: LDAP(S) for the modules, the KDC for kinit and password changes.
SAMBA_SERVICES = "-s3fs -rpc -nbt -wrepl -dns -winbindd -ntp_signd -dnsupdate"


def _log(msg):
    print("lab: " + msg, flush=True)


def _pid_alive(pidfile):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _tls_ready(addr, port, server_hostname=None):
    """True when addr:port completes a TLS handshake that validates against the lab CA."""
    ctx = ssl.create_default_context(cafile=os.path.join(PKI, "ca.pem"))
    try:
        with socket.create_connection((addr, port), timeout=5) as sock:
            with ctx.wrap_socket(sock, server_hostname=server_hostname or addr):
                return True
    except (OSError, ssl.SSLError):
        return False


def _wait(what, check, timeout=90, on_fail=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    if on_fail:
        on_fail()
    raise SystemExit("lab: %s did not come up within %d s" % (what, timeout))


def _password():
    # Meets AD complexity and Entra's strong-password rule: all four classes, 20 characters.
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return "Lab" + body + "7!"


def _ensure_pki():
    import pki  # cryptography is only needed when certificates must be made
    ca = pki.make_ca(PKI)
    if not os.path.exists(os.path.join(PKI, "server.pem")):
        names = ["localhost"] + ["%s.%s" % (s["host"], s["realm"].lower()) for s in SITES.values()] \
            + [s["realm"].lower() for s in SITES.values()]
        addrs = sorted({s["addr"] for s in SITES.values()} | {SIMULATOR["addr"]})
        pki.make_server_cert(PKI, "server", ca, names, addrs)
    if not os.path.exists(os.path.join(PKI, "app.pem")):
        pki.make_client_cert(PKI, "app", "hybrid.identity lab app")


def _site_dir(name):
    return os.path.join(LAB, name)


def _provision(name, site):
    folder = _site_dir(name)
    secret_file = os.path.join(folder, "admin.secret")
    if os.path.exists(os.path.join(folder, "private", "sam.ldb")):
        return
    _log("provisioning %s (%s) on %s" % (site["realm"], name, site["addr"]))
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, mode=0o700)
    password = _password()
    subprocess.run(
        ["samba-tool", "domain", "provision", "--realm=" + site["realm"], "--domain=" + site["netbios"],
         "--server-role=dc", "--dns-backend=SAMBA_INTERNAL", "--host-name=" + site["host"],
         "--host-ip=" + site["addr"], "--targetdir=" + folder, "--adminpass=" + password,
         "--option=interfaces=" + site["addr"], "--option=bind interfaces only=yes"],
        check=True, stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "provision.log"), "w"))
    conf = os.path.join(folder, "etc", "smb.conf")
    # A lab kept for weeks must not lock itself out when the Administrator password ages.
    subprocess.run(["samba-tool", "user", "setexpiry", "Administrator", "--noexpiry", "-s", conf],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(conf) as handle:
        text = handle.read()
    extra = "\n".join([
        "\tpid directory = %s/run" % folder,
        "\tncalrpc dir = %s/run/ncalrpc" % folder,
        "\twinbindd socket directory = %s/run/winbindd" % folder,
        "\tlog file = %s/log/samba.log" % folder,
        "\tlog level = 1",
        "\tserver services = %s" % SAMBA_SERVICES,
        "\ttls enabled = yes",
        "\ttls keyfile = %s/server.key" % PKI,
        "\ttls certfile = %s/server.pem" % PKI,
        "\ttls cafile = %s/ca.pem" % PKI,
        # The lab makes many users quickly; keep the default complexity rules of AD.
    ])
    text = text.replace("\tlog file = /var/log/samba/log.%m\n", "")
    text = text.replace("\tdns forwarder = ", "\t# dns forwarder = ")
    text = text.replace("[global]\n", "[global]\n" + extra + "\n", 1)
    with open(conf, "w") as handle:
        handle.write(text)
    for sub in ("run", "log"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    with open(os.path.join(folder, "krb5.conf"), "w") as handle:
        handle.write("[libdefaults]\n\tdefault_realm = {r}\n\tdns_lookup_kdc = false\n\tdns_lookup_realm = false\n"
                     "\trdns = false\n[realms]\n\t{r} = {{\n\t\tkdc = {a}\n\t\tkpasswd_server = {a}\n\t}}\n"
                     .format(r=site["realm"], a=site["addr"]))
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)


def _ensure_loopback_address(addr):
    """Samba binds only to addresses an interface holds; 127.0.0.2 is not on lo by default."""
    out = subprocess.run(["ip", "-o", "addr", "show", "dev", "lo"], capture_output=True, text=True).stdout
    if " %s/" % addr not in out:
        subprocess.run(["ip", "addr", "add", addr + "/8", "dev", "lo"], check=True)


def _samba_env(folder):
    """os.environ plus the KEY=VALUE lines of <site>/samba.env (written by roles, e.g. GNUPGHOME)."""
    env = dict(os.environ)
    path = os.path.join(folder, "samba.env")
    if os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                key, sep, value = line.strip().partition("=")
                if sep and key and not key.startswith("#"):
                    env[key.strip()] = value.strip()
    return env


def _running(pidfile, addr, port):
    """True when the process in pidfile lives and its TLS port answers. A live process that is
    slow to answer (single-process Samba busy with a bulk run) is waited for, never replaced:
    a second server would fail on its own pid file and leave the lab without a known pid."""
    if not _pid_alive(pidfile):
        return False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _tls_ready(addr, port):
            return True
        if not _pid_alive(pidfile):
            return False
        time.sleep(0.5)
    raise SystemExit("lab: pid %s in %s lives but %s:%d does not answer TLS; `make lab-down` and retry"
                     % (_pid_alive(pidfile), pidfile, addr, port))


def _adopt_samba(folder, pidfile):
    """Samba writes its own pid file; if that process lives (our pid file was lost), adopt it."""
    pid = _pid_alive(os.path.join(folder, "run", "samba.pid"))
    if pid:
        with open(pidfile, "w") as handle:
            handle.write(str(pid))
    return pid


def _start_site(name, site):
    folder = _site_dir(name)
    pidfile = os.path.join(folder, "lab-samba.pid")
    if _running(pidfile, site["addr"], 636):
        return False
    if _adopt_samba(folder, pidfile) and _running(pidfile, site["addr"], 636):
        return False
    _ensure_loopback_address(site["addr"])
    _log("starting samba for %s" % name)
    logfile = open(os.path.join(folder, "log", "samba.stdout"), "ab")
    # -F: stay in the foreground (we own the pid); stdin detached so it is not tied to a terminal.
    proc = subprocess.Popen(["samba", "-s", os.path.join(folder, "etc", "smb.conf"), "-F", "-M", "single"],
                            stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True, env=_samba_env(folder))
    with open(pidfile, "w") as handle:
        handle.write(str(proc.pid))
    _wait("LDAPS on %s:636" % site["addr"], lambda: proc.poll() is None and _tls_ready(site["addr"], 636),
          on_fail=lambda: _stop("samba " + name, pidfile))
    return True


def _simulator_paths():
    folder = os.path.join(LAB, "simulator")
    return folder, os.path.join(folder, "simulator.pid")


def _start_simulator():
    folder, pidfile = _simulator_paths()
    if _running(pidfile, SIMULATOR["addr"], SIMULATOR["port"]):
        return False
    os.makedirs(folder, exist_ok=True)
    _log("starting the Graph tenant simulator")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests"))
    logfile = open(os.path.join(folder, "simulator.stdout"), "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_simulator", "--host", SIMULATOR["addr"], "--port", str(SIMULATOR["port"]),
         "--cert", os.path.join(PKI, "server.pem"), "--key", os.path.join(PKI, "server.key"),
         "--seed", os.path.join(ROOT, "tests", "lab", "tenant.yml"), "--log", os.path.join(folder, "simulator.log")],
        stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    with open(pidfile, "w") as handle:
        handle.write(str(proc.pid))
    _wait("the simulator on %s:%d" % (SIMULATOR["addr"], SIMULATOR["port"]),
          lambda: proc.poll() is None and _tls_ready(SIMULATOR["addr"], SIMULATOR["port"]),
          on_fail=lambda: _stop("simulator", pidfile))
    return True


def _tenant_seed():
    import yaml
    with open(os.path.join(ROOT, "tests", "lab", "tenant.yml")) as handle:
        return yaml.safe_load(handle)


def _env_lines(name, site):
    folder = _site_dir(name)
    with open(os.path.join(folder, "admin.secret")) as handle:
        password = handle.read().strip()
    realm = site["realm"]
    base = ",".join("DC=" + part for part in realm.lower().split("."))
    values = [
        ("LAB_SITE", name),
        ("LAB_REALM", realm),
        ("LAB_DOMAIN_DN", base),
        ("LAB_NETBIOS", site["netbios"]),
        ("KRB5_CONFIG", os.path.join(folder, "krb5.conf")),
        ("HYBRID_IDENTITY_DOMAIN_SERVER", site["addr"]),
        ("HYBRID_IDENTITY_DOMAIN_USERNAME", "Administrator@" + realm),
        ("HYBRID_IDENTITY_DOMAIN_PASSWORD", password),
        ("HYBRID_IDENTITY_CA_PATH", os.path.join(PKI, "ca.pem")),
        ("LAB_SAMBA_SMB_CONF", os.path.join(folder, "etc", "smb.conf")),
    ]
    # Every site shares the one simulated tenant, as sites of one company share one Microsoft 365 tenant.
    seed = _tenant_seed()
    app = seed["apps"][0]
    url = "https://%s:%d" % (SIMULATOR["addr"], SIMULATOR["port"])
    values += [
        ("AZURE_TENANT_ID", seed["tenant_id"]),
        ("AZURE_CLIENT_ID", app["client_id"]),
        ("AZURE_CLIENT_SECRET", app["client_secret"]),
        ("AZURE_CLIENT_CERTIFICATE_PATH", os.path.join(PKI, "app.pem")),
        ("AZURE_AUTHORITY_HOST", url),
        ("HYBRID_IDENTITY_GRAPH_ENDPOINT", url),
        ("LAB_SIMULATOR_ADMIN_URL", url + "/_admin"),
    ]
    return "".join("export %s='%s'\n" % (k, v) for k, v in values)


def _site2_lines():
    """site2's connection variables under prefixed names (LAB_SITE2_*), for lab.env when site2 is
    provisioned: a multi-site inventory reads both sites from one sourced file."""
    folder = _site_dir("site2")
    secret = os.path.join(folder, "admin.secret")
    if not os.path.exists(secret):
        return ""
    with open(secret) as handle:
        password = handle.read().strip()
    site = SITES["site2"]
    realm = site["realm"]
    values = [
        ("LAB_SITE2_REALM", realm),
        ("LAB_SITE2_DOMAIN_DN", ",".join("DC=" + part for part in realm.lower().split("."))),
        ("LAB_SITE2_NETBIOS", site["netbios"]),
        ("LAB_SITE2_KRB5_CONFIG", os.path.join(folder, "krb5.conf")),
        ("LAB_SITE2_DOMAIN_SERVER", site["addr"]),
        ("LAB_SITE2_DOMAIN_USERNAME", "Administrator@" + realm),
        ("LAB_SITE2_DOMAIN_PASSWORD", password),
    ]
    return "# site2 (BRANCH.EXAMPLE.LOCAL on 127.0.0.2), for multi-site runs\n" + "".join(
        "export %s='%s'\n" % (k, v) for k, v in values)


def _write_env(name, site):
    path = os.path.join(LAB, "lab.env" if name == "site1" else name + ".env")
    text = "# written by tests/lab/lab.py; source it: . %s\n" % path + _env_lines(name, site)
    if name == "site1":
        text += _site2_lines()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def up(sites):
    os.makedirs(LAB, mode=0o700, exist_ok=True)
    if not os.path.exists(os.path.join(PKI, "server.pem")) or not os.path.exists(os.path.join(PKI, "app.pem")):
        _ensure_pki()
    for name in sites:
        _provision(name, SITES[name])
        _start_site(name, SITES[name])
    _start_simulator()
    for name in sites:
        _write_env(name, SITES[name])
    if "site1" not in sites and "site2" in sites and os.path.exists(os.path.join(_site_dir("site1"), "admin.secret")):
        _write_env("site1", SITES["site1"])  # lab.env also carries site2's LAB_SITE2_* variables
    _log("up: %s + simulator; source %s" % (", ".join(sites), os.path.join(LAB, "lab.env")))


def _stop(label, pidfile):
    pid = _pid_alive(pidfile)
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _pid_alive(pidfile):
            time.sleep(0.1)
        if _pid_alive(pidfile):
            os.kill(pid, signal.SIGKILL)
        _log("stopped %s (pid %d)" % (label, pid))
    if os.path.exists(pidfile):
        os.unlink(pidfile)


def restart(sites):
    """Stop and start the given sites' samba (provisioned sites only), e.g. after smb.conf changed."""
    for name in sites:
        _stop("samba " + name, os.path.join(_site_dir(name), "lab-samba.pid"))
        _provision(name, SITES[name])
        _start_site(name, SITES[name])


def down():
    for name in SITES:
        _stop("samba " + name, os.path.join(_site_dir(name), "lab-samba.pid"))
    _stop("simulator", _simulator_paths()[1])


def status():
    for name, site in SITES.items():
        pid = _pid_alive(os.path.join(_site_dir(name), "lab-samba.pid"))
        print("%s: %s" % (name, "up (pid %d, LDAPS %s)" % (pid, "ok" if _tls_ready(site["addr"], 636) else "down")
                          if pid else "down"))
    pid = _pid_alive(_simulator_paths()[1])
    print("simulator: %s" % ("up (pid %d)" % pid if pid else "down"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "restart"])
    parser.add_argument("--site", action="append", choices=sorted(SITES), help="sites to start (default: site1)")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.command == "up":
        up(args.site or ["site1"])
    elif args.command == "restart":
        restart(args.site or ["site1"])
    elif args.command == "down":
        down()
    else:
        status()


if __name__ == "__main__":
    main()
