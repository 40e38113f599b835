"""Replication delay: a just-created user missing from lookups is read again with backoff, inside the
replication wait budget (HYBRID_IDENTITY_REPLICATION_WAIT), by account_link and cloud_license alike."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "link"))

from ansible_collections.hybrid.identity.plugins.module_utils._graph_client import GraphClient  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import (  # noqa: E402
    REPLICATION_WAIT, RetryPolicy, replication_wait)
from ansible_collections.hybrid.identity.plugins.module_utils._link_engine import LinkRun  # noqa: E402

from test_graph_client import SETTINGS, Cred, FakeSession, Resp  # noqa: E402
from test_link_engine import ATTR, FakeIO, ad, cloud, params  # noqa: E402


def test_replication_wait_from_the_environment():
    assert replication_wait({}) == REPLICATION_WAIT == 120.0
    assert replication_wait({"HYBRID_IDENTITY_REPLICATION_WAIT": "5"}) == 5.0
    assert replication_wait({"HYBRID_IDENTITY_REPLICATION_WAIT": "0"}) == 0.0
    assert replication_wait({"HYBRID_IDENTITY_REPLICATION_WAIT": "soon"}) == REPLICATION_WAIT
    assert replication_wait({"HYBRID_IDENTITY_REPLICATION_WAIT": "-3"}) == REPLICATION_WAIT


def test_client_without_a_policy_takes_the_environment(monkeypatch):
    monkeypatch.setenv("HYBRID_IDENTITY_REPLICATION_WAIT", "7")
    c = GraphClient(SETTINGS, Cred(), FakeSession(lambda *a: Resp(200, {})))
    assert c.policy.not_found_budget == 7.0
    monkeypatch.delenv("HYBRID_IDENTITY_REPLICATION_WAIT")
    assert GraphClient(SETTINGS, Cred(), FakeSession(lambda *a: Resp(200, {}))).policy.not_found_budget == 120.0


def _lagging_client(visible_after, not_found_budget=120.0):
    """A tenant where new@x.com shows up in filters only from the visible_after-th read on."""
    reads = []

    def handler(method, url, body, headers):
        reads.append(url)
        value = [{"id": "n1", "userPrincipalName": "new@x.com"}] if len(reads) >= visible_after else []
        return Resp(200, {"value": value})
    sleeps = []
    c = GraphClient(SETTINGS, Cred(), FakeSession(handler), sleep=sleeps.append,
                    policy=RetryPolicy(not_found_budget=not_found_budget, jitter=lambda: 0.0))
    return c, reads, sleeps


def test_wait_for_users_converges_inside_the_budget():
    c, reads, sleeps = _lagging_client(visible_after=3)
    found = c.wait_for_users(["new@x.com"], ["id"])
    assert found["new@x.com"]["id"] == "n1"
    assert len(reads) == 3 and len(sleeps) == 3 and sum(sleeps) < 10


def test_wait_for_users_never_exceeds_the_replication_wait():
    c, reads, sleeps = _lagging_client(visible_after=1000, not_found_budget=3.0)
    assert c.wait_for_users(["new@x.com"], ["id"], budget=60) == {}
    assert sum(sleeps) <= 3.0 and reads
    c, reads, sleeps = _lagging_client(visible_after=1000, not_found_budget=0.0)
    assert c.wait_for_users(["new@x.com"], ["id"]) == {} and reads == [] and sleeps == []


class LateIO(FakeIO):
    """A cloud user that lookups miss until it is waited for (created moments ago)."""

    def __init__(self, ads, clouds, late):
        FakeIO.__init__(self, ads, clouds)
        self.late = late

    def cloud_wait(self, keys):
        self.calls.append("cloud_wait")
        self.clouds.extend(self.late)
        self.late = []
        return self.cloud_lookup(keys)


def test_account_link_waits_for_a_just_created_cloud_user():
    io = LateIO([ad("ann"), ad("bo")], [cloud("c2", "bo@x")], late=[cloud("c1", "ann@x", anchor="ann==")])
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}, {"ad": "bo", "cloud": "bo@x"}])).link()
    # ann's cloud half was written on create (its anchor), so the link is completed ("updated")
    assert [p.action for p in pairs] == ["updated", "linked"]
    assert io.calls.count("cloud_wait") == 1
    # the anchor was set on create: only the AD half is written
    assert pairs[0].cloud_change is None and pairs[0].ad_changes[ATTR] == "c1"


def test_account_link_fails_the_late_user_alone_and_says_why():
    io = FakeIO([ad("ann"), ad("bo")], [cloud("c2", "bo@x")])
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}, {"ad": "bo", "cloud": "bo@x"}])).link()
    assert [p.action for p in pairs] == ["failed", "linked"]
    assert "replication" in pairs[0].message and "rerun" in pairs[0].message
    assert "cloud_wait" in io.calls


def test_account_link_does_not_wait_when_the_ad_user_is_missing_too():
    io = FakeIO([], [])
    pairs = LinkRun(io, params(pairs=[{"ad": "ghost", "cloud": "ghost@x"}])).link()
    assert pairs[0].action == "failed" and "cloud_wait" not in io.calls
