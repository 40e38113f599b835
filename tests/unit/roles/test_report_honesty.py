"""Honest results: a step that fails for a user makes that user failed in the per-user result, the
report's status, the summary and (through the summary) the role's exit code."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _role_logic as logic
from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results, summarize

USER = {"key": "a@x.com", "upn": "a@x.com", "name": "Ann A", "keys": ["ann"]}


def one(steps):
    records = merge_results([dict(USER)], steps)
    assert len(records) == 1
    return records[0]


def item(action, **extra):
    return dict({"upn": "a@x.com", "action": action}, **extra)


@pytest.mark.parametrize("steps, status", [
    # every step done: created
    ({"ad": "created", "cloud": "created", "license": "updated", "link": "linked"}, "created"),
    ({"ad": "created", "cloud": "created"}, "created"),
    # created on both sides, but a later step failed: NOT created
    ({"ad": "created", "cloud": "created", "license": "updated", "link": "failed"}, "failed"),
    ({"ad": "created", "cloud": "created", "license": "failed", "link": "linked"}, "failed"),
    ({"ad": "created", "cloud": "failed"}, "failed"),
    ({"ad": "failed"}, "failed"),
    # a skipped link after creates: the user is not done
    ({"ad": "created", "cloud": "created", "link": "skipped"}, "failed"),
    # skipped with nothing written: skipped
    ({"ad": "unchanged", "cloud": "unchanged", "link": "skipped"}, "skipped"),
    # refusals and conflicts fail
    ({"ad": "refused"}, "failed"),
    ({"ad": "unchanged", "cloud": "conflict"}, "failed"),
    # nothing failed
    ({"ad": "unchanged", "cloud": "unchanged", "license": "updated", "link": "unchanged"}, "updated"),
    ({"ad": "updated", "cloud": "unchanged"}, "updated"),
    ({"ad": "unchanged", "cloud": "unchanged", "link": "linked"}, "updated"),
    ({"ad": "unchanged", "cloud": "unchanged"}, "unchanged"),
])
def test_status_of_every_combination(steps, status):
    record = one([(step, [item(action, error="why %s" % step)]) for step, action in steps.items()])
    assert record["status"] == status, record
    assert record["steps"] == steps


def test_failed_after_creates_names_the_step_the_reason_and_what_was_done():
    record = one([("ad", [item("created")]), ("cloud", [item("created")]), ("license", [item("updated")]),
                  ("link", [{"name": "ann", "action": "failed", "reason": "not_found",
                             "message": "cloud user 'a@x.com' not found"}])])
    assert record["status"] == "failed"
    assert record["reason"].startswith("link: cloud user 'a@x.com' not found")
    assert "done: ad created, cloud created, license updated" in record["reason"]
    assert "rerun" in record["reason"]


def test_two_failures_both_named():
    record = one([("ad", [item("created")]), ("cloud", [item("created")]),
                  ("license", [item("failed", error="no free units of ENTERPRISEPACK")]),
                  ("link", [item("failed", message="writing the AD side failed")])])
    assert "license: no free units of ENTERPRISEPACK" in record["reason"]
    assert "link: writing the AD side failed" in record["reason"]


def test_failure_without_a_message_still_fails():
    record = one([("ad", [item("created")]), ("link", [item("failed")])])
    assert record["status"] == "failed" and "link: failed" in record["reason"]


def test_one_users_failure_is_not_anothers():
    users = [dict(USER), {"key": "b@x.com", "upn": "b@x.com", "name": "Bo B"}]
    records = merge_results(users, [
        ("ad", [item("created"), {"upn": "b@x.com", "action": "created"}]),
        ("license", [item("updated"), {"name": "b@x.com", "action": "failed", "error": "no seat"}])])
    assert [r["status"] for r in records] == ["created", "failed"]
    counts = summarize(records)
    assert (counts["created"], counts["failed"], counts["total"]) == (1, 1, 2)


def test_summary_counts_every_failed_user():
    users = [{"key": "u%d@x.com" % i, "upn": "u%d@x.com" % i, "name": "U%d" % i} for i in range(5)]
    steps = [("ad", [{"upn": u["upn"], "action": "created"} for u in users]),
             ("cloud", [{"name": u["upn"], "action": "created"} for u in users]),
             ("link", [{"name": u["upn"], "action": "failed", "message": "lag"} for u in users[:3]]
              + [{"name": u["upn"], "action": "linked"} for u in users[3:]])]
    counts = summarize(merge_results(users, steps))
    assert (counts["failed"], counts["created"]) == (3, 2)


# --- step_results: a failed link whose cloud user was not found names only the AD user ----------

def test_step_results_ties_an_item_to_its_user_by_any_key():
    users = [{"upn": "a@x.com", "sam_account_name": "ann", "name": "Ann A"},
             {"upn": "b@x.com", "sam_account_name": "bo", "name": "Bo B"}]
    result = {"failed": True, "msg": "1 of 2 pairs failed", "links": [
        {"name": "ann", "action": "failed", "sam_account_name": "ann", "cloud_upn": None,
         "message": "cloud user 'a@x.com' not found"},
        {"name": "bo", "action": "linked", "sam_account_name": "bo", "cloud_upn": "b@x.com"}]}
    items = logic.step_results(result, users)
    assert [i["upn"] for i in items] == ["a@x.com", "b@x.com"]
    index = logic.results_by_user(users, items)
    assert index["a@x.com"]["action"] == "failed"
    records = merge_results([{"key": "a@x.com", "upn": "a@x.com", "keys": ["ann"]}],
                            [("ad", [item("created")]), ("link", [index["a@x.com"]])])
    assert records[0]["status"] == "failed"


def test_step_results_fails_users_a_failed_module_returned_nothing_for():
    users = [{"upn": "a@x.com"}, {"upn": "b@x.com"}]
    result = {"failed": True, "msg": "boom", "users": [{"name": "a@x.com", "action": "updated"}]}
    items = logic.step_results(result, users)
    assert [(i["upn"], i["action"]) for i in items] == [("a@x.com", "updated"), ("b@x.com", "failed")]
    assert "boom" in items[1]["error"]


def test_step_results_of_a_module_that_failed_as_a_whole():
    users = [{"upn": "a@x.com"}, {"upn": "b@x.com"}]
    items = logic.step_results({"failed": True, "msg": "cannot reach the DC"}, users)
    assert [i["action"] for i in items] == ["failed", "failed"]
    assert items[0]["error"] == "cannot reach the DC"
    crashed = logic.step_results({"failed": True, "module_stderr": "Traceback\nKeyError: 'x'\n"}, users)
    assert crashed[0]["error"] == "the module crashed: KeyError: 'x'"


def test_step_results_of_a_successful_module_adds_nothing():
    users = [{"upn": "a@x.com"}, {"upn": "nolicence@x.com"}]
    items = logic.step_results({"users": [{"name": "a@x.com", "action": "updated"}]}, users)
    assert len(items) == 1 and items[0]["upn"] == "a@x.com"
    assert logic.step_results({"skipped": True}, users) == []


def test_step_results_keeps_other_keys():
    users = [{"key": "k1", "upn": "a@x.com"}]
    items = logic.step_results({"users": [{"name": "a@x.com", "action": "created"}]}, users, key="key")
    assert items[0]["upn"] == "k1"
    kept = logic.step_results({"users": [{"upn": "given@x.com", "name": "a@x.com", "action": "created"}]}, users)
    assert kept[0]["upn"] == "given@x.com"
