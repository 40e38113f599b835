# -*- coding: utf-8 -*-
"""account_link's delete protection over unlinks: over a limit no pair is written, check mode included."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._link_engine import LinkRun

from test_link_engine import FakeIO, ad, cloud, params


class CountingIO(FakeIO):
    def __init__(self, ads, clouds, domain_users):
        FakeIO.__init__(self, ads, clouds)
        self.domain_users = domain_users

    def count_ad_users(self):
        self.calls.append("count_ad_users")
        return self.domain_users


def _linked(count):
    return ([ad("u%d" % i, link="c%d" % i) for i in range(count)],
            [cloud("c%d" % i, "u%d@x" % i, anchor="u%d==" % i) for i in range(count)])


@pytest.mark.parametrize("check", [True, False])
def test_scope_unlink_over_the_share_of_the_domain_writes_nothing(check):
    io = CountingIO(*_linked(12), domain_users=40)
    run = LinkRun(io, params(state="absent", ad_search_base="OU=T,DC=x"), check_mode=check)
    pairs = run.unlink()
    assert "account_link refuses to unlink 12 of the 40 users in the domain (30%)" in run.refusal
    assert "set max_delete_percent: 30" in run.refusal
    assert all(p.action == "failed" and p.reason == "delete_limit" for p in pairs)
    assert io.cloud_writes == [] and io.ad_writes == []


def test_count_limit_names_the_domain_and_raised_limits_unlink():
    io = CountingIO(*_linked(3), domain_users=40)
    run = LinkRun(io, params(state="absent", ad_search_base="OU=T,DC=x", max_deletes=2))
    run.unlink()
    assert "refuses to unlink 3 users (of the 40 in the domain): more than max_deletes=2" in run.refusal
    assert io.cloud_writes == [] and io.ad_writes == []
    run = LinkRun(io, params(state="absent", ad_search_base="OU=T,DC=x", max_deletes=3))
    assert [p.action for p in run.unlink()] == ["unlinked"] * 3 and run.refusal is None
    assert len(io.cloud_writes) == 3


def test_linking_is_never_limited():
    ads, clouds = _linked(0)
    io = CountingIO([ad("ann", upn="ann@x")], [cloud("c1", "ann@x")], domain_users=1)
    run = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}], max_deletes=0))
    assert [p.action for p in run.link()] == ["linked"] and run.refusal is None
