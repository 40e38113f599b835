"""The agent's decisions with a fake Graph: acknowledge only after the cloud took the password,
hold (retry with backoff) while Graph fails, record permanent failures, never keep a password."""
import json
import logging
import os

from ansible_collections.hybrid.identity.plugins.module_utils import _pwsync_agent as agent_mod
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._pwsync_state import StateStore

from test_pwsync_logic import CLOUD, GUID, ldif

SECRET = "Unit-Secret-Pass7"


class FakeSetter(object):
    def __init__(self, failures=()):
        self.failures = list(failures)
        self.sent = []

    def set_password(self, change):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((change.link, change.password))


def make_agent(tmp_path, setter):
    config = dict(agent_mod.DEFAULTS, state_db=str(tmp_path / "state.db"))
    sleeps = []
    agent = agent_mod.Agent(config, setter=setter, sleep=sleeps.append)
    return agent, sleeps


def test_sends_once_and_acknowledges(tmp_path):
    setter = FakeSetter()
    agent, _ = make_agent(tmp_path, setter)
    assert agent.handle(ldif(password=SECRET).encode()) == "DONE-EXIT: synced"
    assert setter.sent == [(CLOUD, SECRET)]
    # replay of the same version (restart before DONE-EXIT reached syncpasswords): not sent again
    assert agent.handle(ldif(password=SECRET).encode()).startswith("DONE-EXIT: skipped already-synced")
    assert len(setter.sent) == 1
    user = agent.store.user(GUID)
    assert user["last_result"] == "synced" and user["kvno"] == 2 and user["synced"] == 1
    assert user["latency_ms"] is not None


def test_holds_while_graph_is_down_then_syncs(tmp_path, caplog):
    down = [GraphError("connection to https://graph failed: ConnectionError", code="ConnectionError"),
            GraphError("Service is unavailable.", status=503, code="serviceNotAvailable"),
            GraphError("throttled", status=429)]
    setter = FakeSetter(down)
    agent, sleeps = make_agent(tmp_path, setter)
    with caplog.at_level(logging.WARNING, logger="hybrid-identity-pwsync"):
        assert agent.handle(ldif(password=SECRET).encode()) == "DONE-EXIT: synced"
    assert len(sleeps) == 3 and sleeps[0] <= sleeps[2]
    assert setter.sent == [(CLOUD, SECRET)]
    assert "is held" in caplog.text and "retried in" in caplog.text
    assert agent.store.agent()["graph_status"] == "ok"


def test_permanent_failure_is_recorded_and_acknowledged(tmp_path):
    setter = FakeSetter([GraphError("The specified password does not comply with password complexity requirements.",
                                    status=400, code="Request_BadRequest")])
    agent, sleeps = make_agent(tmp_path, setter)
    assert agent.handle(ldif(password=SECRET).encode()) == "DONE-EXIT: failed, recorded"
    assert not sleeps
    user = agent.store.user(GUID)
    assert user["last_result"] == "failed" and "complexity" in user["last_error"]


def test_broken_link_is_a_permanent_failure(tmp_path):
    setter = FakeSetter([agent_mod.PermanentError("broken link: ...")])
    agent, _ = make_agent(tmp_path, setter)
    assert agent.handle(ldif(password=SECRET).encode()) == "DONE-EXIT: failed, recorded"


def test_unlinked_and_unreadable_are_skipped_without_graph(tmp_path):
    setter = FakeSetter()
    agent, _ = make_agent(tmp_path, setter)
    assert agent.handle(ldif(password=SECRET, link=None).encode()) == "DONE-EXIT: skipped not-linked"
    assert agent.handle(b"garbage without colon\n").startswith("DONE-EXIT: unreadable")
    assert setter.sent == []


def test_an_error_quoting_the_password_is_redacted(tmp_path, caplog):
    setter = FakeSetter([GraphError("bad password %s" % SECRET, status=400, code="Request_BadRequest")])
    agent, _ = make_agent(tmp_path, setter)
    with caplog.at_level(logging.INFO, logger="hybrid-identity-pwsync"):
        agent.handle(ldif(password=SECRET).encode())
    assert SECRET not in caplog.text
    assert SECRET not in agent.store.user(GUID)["last_error"]


def test_state_file_holds_no_password(tmp_path):
    agent, _ = make_agent(tmp_path, FakeSetter())
    agent.handle(ldif(password=SECRET).encode())
    agent.store.close()
    raw = open(str(tmp_path / "state.db"), "rb").read()
    assert SECRET.encode() not in raw and os.stat(str(tmp_path / "state.db")).st_mode & 0o077 == 0


def test_status_exit_codes_and_json(tmp_path, capsys):
    config = dict(agent_mod.DEFAULTS, state_db=str(tmp_path / "state.db"))
    assert agent_mod.status(config) == 3
    agent, _ = make_agent(tmp_path, FakeSetter())
    agent.handle(ldif(password=SECRET).encode())
    capsys.readouterr()
    assert agent_mod.status(config) == 0
    assert "pwuser1" in capsys.readouterr().out
    agent_mod.status(config, as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["users"][0]["last_result"] == "synced"


def test_config_must_be_root_only(tmp_path):
    path = tmp_path / "agent.json"
    path.write_text(json.dumps({"tenant_id": "t"}))
    os.chmod(str(path), 0o644)
    try:
        agent_mod.load_config(str(path))
        raise AssertionError("a group/world-readable credential file was accepted")
    except agent_mod.ConfigError as exc:
        assert "chmod 600" in str(exc)
    os.chmod(str(path), 0o600)
    assert agent_mod.load_config(str(path))["tenant_id"] == "t"


class FakeRun(object):
    def __init__(self, cache):
        self.cache = cache
        self.calls = []

    def __call__(self, cmd, **kwargs):
        self.calls.append((cmd, kwargs["env"]))
        open(self.cache, "w").close()

        class Result(object):
            returncode = 0
            stdout = "Initialized cache_ldb"
        return Result()


def test_init_cache_is_idempotent_and_reinitialises_on_new_settings(tmp_path):
    cache = str(tmp_path / "cache.ldb")
    config = dict(agent_mod.DEFAULTS, cache_ldb=cache, gnupghome=str(tmp_path / "gnupg"), hook="/x/hook")
    run = FakeRun(cache)
    assert agent_mod.init_cache(config, run=run)[0] is True
    cmd, env = run.calls[0]
    assert "--cache-ldb-initialize" in cmd and "--decrypt-samba-gpg" in cmd and "--script=/x/hook" in cmd
    assert any(a.startswith("--filter=") and "msDS-cloudExtensionAttribute1=*" in a for a in cmd)
    assert env["GNUPGHOME"] == str(tmp_path / "gnupg")
    assert agent_mod.init_cache(config, run=run)[0] is False and len(run.calls) == 1
    config["link_attribute"] = "msDS-cloudExtensionAttribute2"
    assert agent_mod.cache_current(config) is False
    assert agent_mod.init_cache(config, run=run)[0] is True and len(run.calls) == 2


def test_filetime():
    assert agent_mod.filetime_to_epoch(116444736000000000) == 0
    assert agent_mod.filetime_to_epoch(0) is None
