"""ad_user when the DC goes away mid-run: the users written before are reported as written, the one in
flight and the rest as failed with a connection error naming the DC and saying a rerun converges."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_engine import UserEngine  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import (  # noqa: E402
    CONNECTION_LOST, LdapClient)

from test_ad_user_engine import SECRET, FakeClient, user  # noqa: E402


class DyingClient(FakeClient):
    """A DC that dies during its (after+1)-th write: that write raises like a lost connection, and so
    does everything after it (searches included)."""
    server = "dc2.branch.example.local:636"

    def __init__(self, entries=(), after=2):
        FakeClient.__init__(self, entries)
        self.after = after
        self.dead = False

    def _lost(self, when):
        return ADError("the connection to the domain controller %s was lost %s; a rerun converges" % (self.server, when),
                       code=CONNECTION_LOST)

    def _write(self, kind, dn, payload):
        if self.dead:
            raise self._lost("before this write: nothing was sent")
        if len(self.writes) >= self.after:
            self.dead = True
            raise self._lost("during this write, which may or may not have been applied")
        return FakeClient._write(self, kind, dn, payload)

    def search(self, base, search_filter, attributes, scope="subtree", page_size=500):
        if self.dead:
            raise self._lost("before searching %s" % base)
        return FakeClient.search(self, base, search_filter, attributes, scope, page_size)


def run(users, client):
    warnings = []
    engine = UserEngine(client, [dict({"state": "present", "update_password": "on_create"}, **u) for u in users],
                        warn=warnings.append)
    engine.run()
    return [o for o in engine.outcomes()], warnings


def test_users_written_before_the_loss_are_created_the_rest_failed():
    users = [{"name": "Kill User%d" % i, "password": SECRET} for i in range(6)]
    client = DyingClient(after=2)
    out, warnings = run(users, client)
    assert [o["action"] if not o["error"] else "failed" for o in out] == ["created", "created"] + ["failed"] * 4
    assert [w[0] for w in client.writes] == ["add", "add"]
    in_flight, rest = out[2]["error"], out[3]["error"]
    assert "dc2.branch.example.local:636" in in_flight and "may or may not" in in_flight and "rerun" in in_flight
    assert rest.startswith("not written:") and "dc2.branch.example.local" in rest and "Kill User2" in rest
    assert "rerun converges" in rest
    # the read-back of the created users failed too: a warning, not a failure of the created users
    assert warnings and "objectGUID" in warnings[0]
    assert out[0]["extra"]["object_guid"] is None


def test_unchanged_users_stay_unchanged_when_the_dc_dies():
    existing = user("Old One", "old.one", upn="old.one@corp.example.local")
    client = DyingClient([existing], after=0)
    out, _warnings = run([{"name": "Old One", "sam_account_name": "old.one", "upn": "old.one@corp.example.local"},
                          {"name": "New One", "password": SECRET}], client)
    assert (out[0]["action"], out[0]["error"]) == ("unchanged", None)
    assert out[1]["error"] and "may or may not" in out[1]["error"]


def test_a_refused_write_is_not_a_lost_connection():
    client = DyingClient(after=100)
    client.fail_on["CN=Bad One,CN=Users,DC=corp,DC=example,DC=local"] = {
        "result": 19, "description": "constraintViolation", "message": "0000052D: password too short"}
    out, _ = run([{"name": "Bad One", "password": SECRET}, {"name": "Good One", "password": SECRET}], client)
    assert out[0]["error"] and "not written" not in out[0]["error"]
    assert out[1]["error"] is None and out[1]["action"] == "created"


def test_the_client_names_a_lost_connection_and_never_calls_it_unencrypted():
    client = LdapClient(["dc2.branch.example.local"], "u", "p")
    client.server = "dc2.branch.example.local:636"
    with pytest.raises(ADError) as info:
        client._write(lambda *a: True, "dn", secret=True)   # no connection (any more)
    assert info.value.code == CONNECTION_LOST and "not encrypted" not in info.value.message
    assert "dc2.branch.example.local:636" in info.value.message and "nothing was sent" in info.value.message
    with pytest.raises(ADError) as info:
        client.search("DC=x", "(objectClass=*)", ["cn"])
    assert info.value.code == CONNECTION_LOST


def test_a_write_that_raises_is_reported_as_maybe_applied():
    from ldap3.core.exceptions import LDAPSessionTerminatedByServerError

    class Conn(object):
        closed = False

    client = LdapClient(["dc2"], "u", "p")
    client.server, client.conn = "dc2:636", Conn()

    def boom(*args, **kwargs):
        raise LDAPSessionTerminatedByServerError("session terminated by server")
    with pytest.raises(ADError) as info:
        client._write(boom, "dn")
    assert info.value.code == CONNECTION_LOST and "may or may not have been applied" in info.value.message
    assert "LDAPSessionTerminatedByServerError" in info.value.message
