import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._bulk import BulkResults


class FakeModule(object):
    """Stands in for AnsibleModule's exit path only; the logic under test is BulkResults."""

    def __init__(self, diff=False):
        self._diff = diff

    def exit_json(self, **kw):
        raise SystemExit(("exit", kw))

    def fail_json(self, **kw):
        raise SystemExit(("fail", kw))


def _end(results):
    with pytest.raises(SystemExit) as info:
        results.exit()
    return info.value.args[0]


def test_unchanged_only_is_not_changed():
    res = BulkResults(FakeModule())
    res.add("a", "unchanged", id="1")
    how, out = _end(res)
    assert how == "exit" and out["changed"] is False
    assert out["summary"]["unchanged"] == 1 and out["summary"]["total"] == 1


def test_failure_is_reported_after_the_others_with_names():
    res = BulkResults(FakeModule(diff=True))
    res.add("a", "created", id="1", changed=["name"], before={}, after={"name": "A"})
    res.fail("b", "OU=Missing does not exist: create it or fix path")
    how, out = _end(res)
    assert how == "fail"
    assert out["changed"] is True
    assert "1 of 2 users failed" in out["msg"] and "b: OU=Missing" in out["msg"]
    assert out["diff"] == {"before": {"a": {}}, "after": {"a": {"name": "A"}}}
    assert [u["action"] for u in out["users"]] == ["created", "failed"]


def test_no_diff_key_without_diff_mode():
    res = BulkResults(FakeModule(diff=False), key="links")
    res.add("a", "updated", changed=["x"])
    how, out = _end(res)
    assert "diff" not in out and out["links"][0]["changed_attributes"] == ["x"]
