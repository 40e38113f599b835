# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The password sync agent: on-premises password changes (Samba AD DC) to the cloud.

    hybrid-identity-pwsync run     supervise syncpasswords and send passwords (the service)
    hybrid-identity-pwsync init    initialise syncpasswords' cache (idempotent; the role runs it)
    hybrid-identity-pwsync status  last sync per user, failures, whether Graph answers

`run` starts `samba-tool user syncpasswords` (follow mode: DirSync + change notification) as
its own child, restarts it when it exits (a Samba restart, a fatal script error) and listens
on a root-only Unix socket. syncpasswords calls the hook (templates/pwsync-hook.j2) once per
changed object; the hook passes the object's LDIF to this agent and prints the agent's answer.
The answer is "DONE-EXIT: ..." only once the cloud accepted the password or the change was
judged not to be sent; while Graph cannot be reached the change is held (retried with
backoff) and syncpasswords waits, so a restart of anything replays the change instead of
losing it. The cleartext is never written anywhere: not in a log, not in the state file.

Graph calls go through the collection's client (_graph_client / _graph_auth), imported when
the agent runs (requests and msal are needed then, not to import this file).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import time

from ansible_collections.hybrid.identity.plugins.module_utils._pwsync_logic import (
    Backoff, LdifError, attributes_for, change_from_ldif, classify_error, decide, dirsync_filter, format_status,
    immutable_id, redact, DEFAULT_LINK_ATTRIBUTE)
from ansible_collections.hybrid.identity.plugins.module_utils._pwsync_state import StateStore, utc_now

LOG = logging.getLogger("hybrid-identity-pwsync")
MAX_LDIF = 1024 * 1024
FILETIME_EPOCH = 11644473600  # seconds between 1601-01-01 and 1970-01-01

DEFAULTS = {
    "link_attribute": DEFAULT_LINK_ATTRIBUTE,
    "only_linked": True,
    "samba_tool": "samba-tool",
    "smb_conf": "/etc/samba/smb.conf",
    "cache_ldb": "/var/lib/samba/private/hybrid-identity-pwsync-cache.ldb",
    "gnupghome": "/var/lib/hybrid-identity-pwsync/gnupg",
    "state_db": "/var/lib/hybrid-identity-pwsync/state.db",
    "socket": "/run/hybrid-identity-pwsync/agent.sock",
    "log_file": "/var/log/hybrid-identity-pwsync/agent.log",
    "syncpasswords_log": "/var/log/hybrid-identity-pwsync/syncpasswords.log",
    "hook": "/usr/local/lib/hybrid-identity-pwsync/pwsync-hook",
    "retry_base": 1.0,
    "retry_cap": 60.0,
    "graph_budget": 20.0,
}


class ConfigError(Exception):
    pass


class PermanentError(Exception):
    """A password that cannot be set for this user however often it is retried."""


class AgentStop(Exception):
    """SIGTERM / SIGINT: leave now, without acknowledging the change in hand."""


# --- configuration -----------------------------------------------------------------------------

def load_config(path, check_mode=True):
    """The agent's JSON configuration (holds the app credential: must be root-only)."""
    try:
        info = os.stat(path)
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        raise ConfigError("cannot read the configuration %s: %s" % (path, exc.strerror or exc))
    except ValueError as exc:
        raise ConfigError("the configuration %s is not JSON: %s" % (path, exc))
    if check_mode and (info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)):
        raise ConfigError("the configuration %s holds a credential and must not be readable by group or others "
                          "(chmod 600)" % path)
    config = dict(DEFAULTS)
    config.update(dict((k, v) for k, v in data.items() if v is not None))
    return config


# --- sending a password --------------------------------------------------------------------------

class GraphPasswordSetter(object):
    """set_password(change): verify the link on the cloud side, then set the password (no forced
    change) through the collection's Graph client. Raises PermanentError or GraphError."""

    def __init__(self, config):
        import requests
        import msal
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry
        from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import (
            make_credential, resolve_settings)
        from ansible_collections.hybrid.identity.plugins.module_utils._graph_client import GraphClient, build_session
        from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import RetryPolicy
        params = dict((k, config.get(k)) for k in ("tenant_id", "client_id", "client_secret",
                                                   "client_certificate_path", "cloud", "authority_host",
                                                   "graph_endpoint", "ca_path", "validate_certs"))
        settings = resolve_settings(params, {})
        session = build_session(settings, {}, requests, Retry, HTTPAdapter)
        credential = make_credential(settings, session, msal)
        budget = float(config.get("graph_budget") or 20.0)
        self.client = GraphClient(settings, credential, session,
                                  policy=RetryPolicy(budget=budget, cap=min(10.0, budget), not_found_budget=0,
                                                     max_attempts=5),
                                  connection_errors=(requests.exceptions.ConnectionError,
                                                     requests.exceptions.Timeout))

    def set_password(self, change):
        cloud_id = change.link
        user = self.client.request(
            "GET", "/users/%s?$select=id,userPrincipalName,onPremisesImmutableId,onPremisesSyncEnabled" % cloud_id,
            target=change.name) or {}
        if user.get("onPremisesSyncEnabled"):
            raise PermanentError("the cloud user %s is mastered by a directory sync engine (Entra Connect / Cloud "
                                 "Sync): it syncs the password itself; do not run both" % user.get("userPrincipalName"))
        expected = immutable_id(change.guid)
        if user.get("onPremisesImmutableId") != expected:
            raise PermanentError("broken link: the cloud user %s has onPremisesImmutableId %s, not %s (this AD user's "
                                 "objectGUID); relink with account_link" % (
                                     user.get("userPrincipalName") or cloud_id,
                                     user.get("onPremisesImmutableId"), expected))
        self.client.request("PATCH", "/users/%s" % cloud_id,
                            body={"passwordProfile": {"password": change.password,
                                                      "forceChangePasswordNextSignIn": False}},
                            target=user.get("userPrincipalName") or change.name)


def _error_kind(exc):
    if isinstance(exc, PermanentError):
        return "fail"
    status = getattr(exc, "status", 0)
    return classify_error(status, getattr(exc, "code", None))


def filetime_to_epoch(value):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    if value <= 0:
        return None
    return value / 1e7 - FILETIME_EPOCH


# --- the agent -----------------------------------------------------------------------------------

class _Redactor(logging.Filter):
    """Last line of defence: a log record never carries the password being handled."""

    def __init__(self):
        logging.Filter.__init__(self)
        self.secrets = set()

    def filter(self, record):
        if self.secrets:
            record.msg = redact(record.getMessage(), self.secrets)
            record.args = ()
        return True


REDACTOR = _Redactor()


class Agent(object):
    def __init__(self, config, setter=None, store=None, sleep=None, now=None):
        self.config = config
        self.link_attribute = config.get("link_attribute") or DEFAULT_LINK_ATTRIBUTE
        self._setter = setter
        self.store = store or StateStore(config["state_db"])
        self.sleep = sleep or time.sleep
        self.now = now or time.time
        self.child = None

    @property
    def setter(self):
        if self._setter is None:
            self._setter = GraphPasswordSetter(self.config)
        return self._setter

    # one object from syncpasswords -> the hook's answer
    def handle(self, data):
        try:
            change = change_from_ldif(data, self.link_attribute)
        except (LdifError, UnicodeError) as exc:
            # Our parser's fault, not a change to hold forever: say so loudly and go on.
            LOG.error("cannot read an object from syncpasswords (%s); acknowledged without sending", exc)
            self.store.set_agent(last_error="unreadable object at %s: %s" % (utc_now(), exc))
            return "DONE-EXIT: unreadable object, not sent"
        try:
            if change.password:
                REDACTOR.secrets.add(change.password)
            return self._handle(change)
        finally:
            REDACTOR.secrets.discard(change.password)
            change.password = None

    def _handle(self, change):
        verdict = decide(change, self.store.user(change.guid))
        if not verdict.send:
            self.store.record_skip(change, verdict.reason)
            LOG.info("skip %s (%s): %s", change.name, change.guid, verdict.reason)
            return "DONE-EXIT: skipped %s" % verdict.reason
        backoff = Backoff(float(self.config.get("retry_base") or 1.0), float(self.config.get("retry_cap") or 60.0))
        held_since = None
        while True:
            try:
                self.setter.set_password(change)
            except Exception as exc:  # GraphError, PermanentError, anything from requests/msal
                kind = _error_kind(exc)
                message = redact(str(exc) or type(exc).__name__, [change.password])
                if kind == "fail":
                    self.store.record_failure(change, message)
                    self.store.set_agent(graph_status="ok", graph_error=None, held=None, graph_since=None)
                    LOG.error("password of %s NOT synced to cloud user %s: %s", change.name, change.link, message)
                    return "DONE-EXIT: failed, recorded"
                wait = backoff.next()
                if held_since is None:
                    held_since = utc_now()
                self.store.set_agent(graph_status="unreachable", graph_since=held_since, graph_error=message[:300],
                                     held=change.name)
                LOG.warning("Graph unreachable or refusing the agent (%s): the password change of %s is held "
                            "(not acknowledged) and retried in %.1f s (attempt %d)", message, change.name, wait,
                            backoff.attempt)
                self.sleep(wait)
                continue
            latency_ms = None
            changed_at = filetime_to_epoch(change.pwd_last_set)
            if changed_at is not None:
                latency_ms = int(max(0.0, self.now() - changed_at) * 1000)
            self.store.record_success(change, latency_ms=latency_ms)
            self.store.set_agent(graph_status="ok", graph_error=None, held=None, graph_since=None,
                                 last_sync=utc_now())
            if held_since:
                LOG.warning("Graph answers again; the held change of %s is synced", change.name)
            LOG.info("synced the password of %s to cloud user %s (%s ms after the change)", change.name, change.link,
                     latency_ms if latency_ms is not None else "?")
            return "DONE-EXIT: synced"

    # --- syncpasswords, supervised -------------------------------------------------------------
    def child_command(self):
        return [self.config["samba_tool"], "user", "syncpasswords", "--cache-ldb=" + self.config["cache_ldb"],
                "--logfile=" + self.config["syncpasswords_log"], "-s", self.config["smb_conf"]]

    def child_env(self):
        env = dict(os.environ)
        env["GNUPGHOME"] = self.config["gnupghome"]
        for name in ("PYTHONPATH", "PYTHONHOME"):  # samba-tool runs Samba's own Python
            env.pop(name, None)
        return env

    def start_child(self):
        _ensure_dir(os.path.dirname(self.config["syncpasswords_log"]))
        # The agent is a daemon, not a module: there is no AnsibleModule.run_command here.
        # pylint: disable-next=ansible-bad-function
        self.child = subprocess.Popen(self.child_command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=self.child_env(), preexec_fn=_die_with_parent,
                                      close_fds=True)
        LOG.info("started syncpasswords (pid %d)", self.child.pid)
        self.store.set_agent(child_pid=self.child.pid)

    def stop_child(self):
        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()
        try:
            self.child.wait(10)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        LOG.info("stopped syncpasswords (pid %d)", self.child.pid)

    def serve(self):
        path = self.config["socket"]
        _ensure_dir(os.path.dirname(path))
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(path)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        listener.listen(4)
        listener.settimeout(1.0)
        self.store.set_agent(state="running", pid=os.getpid(), started=utc_now(), heartbeat=utc_now())
        LOG.info("agent started (pid %d), socket %s", os.getpid(), path)
        restart = Backoff(1.0, 60.0)
        next_start = 0.0
        child_started = beat = time.time()
        try:
            while True:
                if self.child is not None and self.child.poll() is not None:
                    wait = restart.next()
                    LOG.warning("syncpasswords exited with status %s; restarting it in %.1f s (its cache replays "
                                "every change not acknowledged)", self.child.returncode, wait)
                    self.child = None
                    next_start = time.time() + wait
                if self.child is None and time.time() >= next_start:
                    self.start_child()
                    child_started = time.time()
                elif self.child is not None and restart.attempt and time.time() - child_started > 120:
                    restart.reset()
                if time.time() - beat > 30:
                    beat = time.time()
                    self.store.set_agent(heartbeat=utc_now())
                try:
                    conn, _addr = listener.accept()
                except socket.timeout:
                    continue
                with conn:
                    conn.settimeout(60)
                    data = _read_all(conn)
                    conn.settimeout(None)
                    answer = self.handle(data) if data is not None else "ERROR: no input"
                    conn.sendall((answer + "\n").encode("utf-8"))
        except AgentStop:
            LOG.info("agent stopping (signal); a change in hand is not acknowledged and will be replayed")
        finally:
            if signal.getsignal(signal.SIGTERM) is _signal_stop:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)  # clean up without a second interruption
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.stop_child()
            listener.close()
            if os.path.exists(path):
                os.unlink(path)
            self.store.set_agent(state="stopped", stopped=utc_now(), held=None)


def _read_all(conn):
    chunks, size = [], 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_LDIF:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _ensure_dir(path):
    if path and not os.path.isdir(path):
        os.makedirs(path, 0o700)


def _die_with_parent():
    """In the child: get SIGTERM when the agent dies, even by SIGKILL (Linux prctl)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # pragma: no cover - not Linux: systemd's KillMode covers it
        pass
    os.setpgid(0, 0)


def _signal_stop(signum, frame):
    raise AgentStop()


# --- init: syncpasswords' cache ------------------------------------------------------------------

def cache_settings(config):
    """What the cache is initialised with; a change of any of these needs a new cache."""
    return {"attributes": attributes_for(config.get("link_attribute") or DEFAULT_LINK_ATTRIBUTE),
            "filter": dirsync_filter(config.get("link_attribute") or DEFAULT_LINK_ATTRIBUTE,
                                     config.get("only_linked", True)),
            "script": config["hook"], "decrypt_samba_gpg": True}


def cache_current(config):
    """True when the syncpasswords cache exists and was initialised with today's settings."""
    cache = config["cache_ldb"]
    marker = cache + ".hybrid-identity.json"
    if os.path.exists(cache) and os.path.exists(marker):
        try:
            with open(marker) as handle:
                return json.load(handle) == cache_settings(config)
        except (IOError, OSError, ValueError):
            return False
    return False


def init_cache(config, run=subprocess.run):
    """Initialise the syncpasswords cache unless it exists with the same settings. Returns
    (changed, message). A new cache replays every (linked) user once; the state file keeps
    passwords that were already sent from being sent again."""
    cache = config["cache_ldb"]
    marker = cache + ".hybrid-identity.json"
    wanted = cache_settings(config)
    if cache_current(config):
        return False, "the syncpasswords cache %s is initialised" % cache
    lock = cache + ".pid"
    if os.path.exists(lock):
        try:
            with open(lock) as handle:
                pid = int(handle.read().strip() or 0)
            if pid:
                os.kill(pid, 0)
                raise ConfigError("syncpasswords runs (pid %d) on the cache %s: stop the agent first" % (pid, cache))
        except (ValueError, OSError):
            pass
    for path in (cache, lock, marker):
        if os.path.exists(path):
            os.unlink(path)
    env = dict(os.environ, GNUPGHOME=config["gnupghome"])
    for name in ("PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    cmd = [config["samba_tool"], "user", "syncpasswords", "--cache-ldb-initialize", "--cache-ldb=" + cache,
           "--attributes=" + wanted["attributes"], "--filter=" + wanted["filter"], "--decrypt-samba-gpg",
           "--script=" + wanted["script"], "-s", config["smb_conf"]]
    # pylint: disable-next=ansible-bad-function
    result = run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, universal_newlines=True, check=False)
    if result.returncode != 0:
        raise ConfigError("samba-tool user syncpasswords --cache-ldb-initialize failed (%s): %s" % (
            result.returncode, (result.stdout or "")[-2000:]))
    os.chmod(cache, 0o600)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(wanted, handle)
    return True, "initialised the syncpasswords cache %s" % cache


# --- command line --------------------------------------------------------------------------------

def _setup_logging(config, to_file=True):
    LOG.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    handlers = [logging.StreamHandler(sys.stderr)]
    if to_file and config.get("log_file"):
        _ensure_dir(os.path.dirname(config["log_file"]))
        if not os.path.exists(config["log_file"]):
            os.close(os.open(config["log_file"], os.O_WRONLY | os.O_CREAT, 0o600))
        handlers.append(logging.FileHandler(config["log_file"]))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(REDACTOR)
        LOG.addHandler(handler)


def _pid_alive(pid):
    try:
        os.kill(int(pid), 0)
        return True
    except (TypeError, ValueError, OSError):
        return False


def status(config, as_json=False, out=None):
    out = out or sys.stdout
    if not os.path.exists(config["state_db"]):
        out.write("agent: never ran (no state at %s)\n" % config["state_db"])
        return 3
    store = StateStore(config["state_db"], readonly=True)
    agent = store.agent()
    users = store.users()
    store.close()
    if agent.get("state") == "running" and not _pid_alive(agent.get("pid")):
        agent["state"] = "dead (pid %s gone)" % agent.get("pid")
    if as_json:
        json.dump({"agent": agent, "users": users}, out, indent=1, sort_keys=True)
        out.write("\n")
    else:
        out.write(format_status(agent, users) + "\n")
    if any(u.get("last_result") == "failed" for u in users) or agent.get("graph_status") == "unreachable":
        return 1
    return 0


def main(argv=None, default_config=None):
    parser = argparse.ArgumentParser(prog="hybrid-identity-pwsync",
                                     description="hybrid.identity password sync agent (Samba AD DC -> cloud)")
    parser.add_argument("command", choices=["run", "init", "status"])
    parser.add_argument("--config", default=default_config or "/etc/hybrid-identity-pwsync/agent.json")
    parser.add_argument("--json", action="store_true", help="status as JSON")
    parser.add_argument("--check", action="store_true", help="init: only say whether the cache needs it")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, check_mode=args.command != "status")
        if args.command == "status":
            return status(config, as_json=args.json)
        if args.command == "init" and args.check:
            sys.stdout.write(json.dumps({"changed": not cache_current(config)}) + "\n")
            return 0
        if args.command == "init":
            changed, message = init_cache(config)
            sys.stdout.write(json.dumps({"changed": changed, "msg": message}) + "\n")
            return 0
        _setup_logging(config)
        signal.signal(signal.SIGTERM, _signal_stop)
        signal.signal(signal.SIGINT, _signal_stop)
        Agent(config).serve()
        return 0
    except ConfigError as exc:
        sys.stderr.write("hybrid-identity-pwsync: %s\n" % exc)
        return 2
