# -*- coding: utf-8 -*-
"""Delete protection: the verdict and its message (module_utils/_delete_guard.py), and ad_user's engine
refusing the whole run before any write."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _delete_guard as g
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_engine import UserEngine

from test_ad_user_engine import FakeClient, user


def judge(planned, scope, count=500, percent=10):
    return g.judge("ad_user", planned, scope, count, percent, where="the domain")


def test_nothing_planned_or_under_both_limits_passes():
    assert judge(0, 0) is None
    assert judge(40, 1000) is None          # 4 %
    assert judge(100, 1000) is None         # exactly 10 %
    assert judge(500, 100000) is None       # exactly the count limit


def test_one_delete_in_a_tiny_directory_passes_with_the_defaults():
    assert judge(1, 1) is None
    assert judge(g.SHARE_FLOOR, 12) is None   # the floor: a handful always passes the share


def test_count_limit_names_count_option_and_the_value_to_set():
    message = judge(501, 100000)
    assert message.startswith("ad_user refuses to delete 501 users (of the 100000 in the domain): ")
    assert "max_deletes=500" in message and "set max_deletes: 501" in message
    assert "Nothing was written" in message


def test_a_refusal_by_count_also_names_the_share_the_run_passes():
    message = judge(600, 1000)               # 600 > 500, and 60 % > 10 %
    assert "set max_deletes: 600 and max_delete_percent: 60 (or more)" in message
    assert judge(600, 1000, count=600, percent=60) is None     # raising both as named lets it through
    assert "max_delete_percent" not in judge(501, 100000).split("Fix:")[1]   # 0.5 %: only the count


def test_share_limit_protects_a_small_directory():
    message = judge(30, 40)                  # the play: 30 of 40
    assert "30 of the 40 users in the domain (75%)" in message
    assert "max_delete_percent=10" in message and "set max_delete_percent: 75" in message
    assert judge(30, 40, percent=75) is None  # the value the message names lets it through


def test_smaller_limit_wins():
    assert "max_deletes=20" in judge(30, 40, count=20)          # the count is smaller than 10 % of... a floor of 10
    assert "max_delete_percent=10" in judge(200, 1000, count=300)   # 10 % of 1000 = 100 < 300
    assert "max_deletes=300" in judge(400, 100000, count=300)  # 10 % of 100000 = 10000 > 300

def test_share_off_at_100_and_zero_count_allows_no_delete():
    assert judge(30, 40, percent=100) is None
    assert "max_deletes=0" in judge(1, 1000, count=0)


def test_scope_is_read_only_when_the_share_can_decide():
    assert not g.needs_scope(0, 500, 10)
    assert not g.needs_scope(g.SHARE_FLOOR, 500, 10)
    assert not g.needs_scope(501, 500, 10)     # refused by count whatever the scope
    assert not g.needs_scope(50, 500, 100)
    assert g.needs_scope(g.SHARE_FLOOR + 1, 500, 10)


def test_a_lagging_scope_count_never_gives_over_100_percent():
    assert "(100%)" in judge(30, 5)


@pytest.mark.parametrize("count, percent", [(-1, 10), (500, 101), (500, -1), (None, 10)])
def test_bad_limits_are_refused(count, percent):
    assert g.check_limits(count, percent)


def test_guard_counts_the_scope_lazily():
    calls = []

    def count():
        calls.append(1)
        return 40
    guard = g.guard_from("cloud_user", {"max_deletes": 500, "max_delete_percent": 10}, where="the tenant")
    assert guard(3, count) is None and calls == []
    assert "30 of the 40 users in the tenant" in guard(30, count) and calls == [1]
    small = g.guard_from("cloud_user", {"max_deletes": 2, "max_delete_percent": 10}, where="the tenant")
    assert "refuses to delete 3 users (of the 40 in the tenant)" in small(3, count) and calls == [1, 1]


def _engine(specs, entries, check, **params):
    client = FakeClient(entries)
    limits = dict({"max_deletes": 500, "max_delete_percent": 10}, **params)
    engine = UserEngine(client, [dict({"state": "present", "update_password": "on_create"}, **u) for u in specs],
                        check_mode=check, delete_guard=g.guard_from("ad_user", limits, where="the domain"))
    engine.run()
    return client, engine, {o["name"]: o for o in engine.outcomes()}


@pytest.mark.parametrize("check", [True, False])
def test_ad_user_over_the_limit_writes_no_user_at_all(check):
    entries = [user("U%d" % i, "u%d" % i) for i in range(3)]
    specs = [{"identity": "u%d" % i, "state": "absent"} for i in range(3)] + [{"name": "New", "state": "present"}]
    client, engine, out = _engine(specs, entries, check, max_deletes=2)
    assert client.writes == []
    assert "refuses to delete 3 users" in engine.refusal
    assert all(out[n]["error"] == engine.refusal for n in ("u0", "u1", "u2", "New"))


def test_ad_user_within_the_limit_deletes_and_absent_users_do_not_count():
    entries = [user("U0", "u0"), user("U1", "u1")]
    specs = [{"identity": "u0", "state": "absent"}, {"identity": "u1", "state": "absent"},
             {"identity": "gone", "state": "absent"}]
    client, engine, out = _engine(specs, entries, False, max_deletes=2)
    assert engine.refusal is None
    assert [w[0] for w in client.writes] == ["delete", "delete"] and out["gone"]["action"] == "absent"
