"""The engine's scheduling (pure logic): steps run in waves after the steps they come after, users failed
or (in the plan) still to be created skip later steps, settled users skip the module, chunk order holds."""
import threading

from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import Chunk, Engine, Step


class Method(object):
    def __init__(self, steps):
        self.steps = steps


def make_engine(steps, actions, concurrent=False):
    """actions: {(step module, upn): action}; default unchanged. Records every module run."""
    runs, lock = [], threading.Lock()

    def run_module(module, args):
        with lock:
            runs.append((module, [u["upn"] for u in args["users"]]))
        return {"changed": False, "users": [{"upn": u["upn"], "action": actions.get((module, u["upn"]), "unchanged")}
                                            for u in args["users"]]}
    args = {"chunk_size": 2, "plan_chunk_size": 10, "title": "T"}
    lines = []
    engine = Engine(Method(steps), args, run_module, lambda: concurrent, lines.append, "h", None)
    return engine, runs, lines


def build(engine, users, done):
    return {"users": [{"upn": u["upn"]} for u in users]}


USERS = [{"upn": "a@x"}, {"upn": "b@x"}, {"upn": "c@x"}]


def steps():
    return (Step("ad", "m.ad", build),
            Step("cloud", "m.cloud", build, after=["ad"], plan_after=[]),
            Step("link", "m.link", build, after=["ad", "cloud"], existing=True,
                 settled=lambda e, users, done: dict(("c@x", {"upn": "c@x", "action": "unchanged"})
                                                     for u in users if u["upn"] == "c@x")))


def test_plan_reads_independent_steps_together_and_skips_users_to_be_created():
    engine, runs, _ = make_engine(steps(), {("m.ad", "a@x"): "created", ("m.ad", "b@x"): "failed"})
    plan, _diffs, _changed = engine.plan(USERS)
    # cloud needs nothing from ad in the plan: it ran for all; its results keep only users AD did not fail
    assert runs[:2] == [("m.ad", ["a@x", "b@x", "c@x"]), ("m.cloud", ["a@x", "b@x", "c@x"])]
    assert set(plan["cloud"]) == {"a@x", "c@x"}
    # link: a is still to be created, b failed, c is settled without the module
    assert [r for r in runs if r[0] == "m.link"] == []
    assert plan["link"] == {"c@x": {"upn": "c@x", "action": "unchanged"}}
    assert not engine.settled(USERS[0], plan) and engine.settled(USERS[2], plan)


def test_writes_follow_after_and_keep_chunk_order_with_a_progress_line_each():
    engine, runs, lines = make_engine(steps(), {("m.cloud", "b@x"): "failed"}, concurrent=True)
    chunks = engine.write(USERS)
    assert [c.label for c in chunks] == ["users 1-2 of 3", "users 3 of 3"]
    # in the writes cloud comes after ad, link after both: b failed in the cloud, so only a is linked
    assert ("m.link", ["a@x"]) in runs
    first = [i for i, r in enumerate(runs) if r == ("m.ad", ["a@x", "b@x"])][0]
    assert all(i > first for i, r in enumerate(runs) if r[0] == "m.cloud")
    assert [line.split(": ")[0] for line in lines] == ["T [h] users 1-2 of 3", "T [h] users 3 of 3"]
    assert "cloud failed=1 unchanged=1" in lines[0]


def test_a_step_whose_dependency_never_runs_is_an_error():
    engine, _runs, _ = make_engine((Step("x", "m.x", build, after=["nothing"]),), {})
    try:
        engine.run_chunk(Chunk(USERS, "c"), engine.steps, False)
    except ValueError as exc:
        assert "wait for steps that never run" in str(exc)
    else:
        raise AssertionError("no error")


def test_a_written_user_missing_a_required_step_is_failed():
    from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import missing_steps
    table = (Step("ad", "m.ad", build, required=True), Step("cloud", "m.cloud", build, required=True),
             Step("license", "m.lic", build))
    missing = missing_steps(table, {"ad": {"action": "created"}, "cloud": None, "license": None})
    assert list(missing) == ["cloud"] and missing["cloud"]["action"] == "failed"
    assert "cloud step did not run" in missing["cloud"]["error"]
    # a user another step failed already keeps that failure as its reason
    assert missing_steps(table, {"ad": {"action": "failed"}, "cloud": None, "license": None}) == {}
    assert missing_steps(table, {"ad": {"action": "created"}, "cloud": {"action": "created"}, "license": None}) == {}
