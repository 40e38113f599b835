# -*- coding: utf-8 -*-
"""Delete protection on the engine: the run-wide verdict in the preflight (a chunk cannot see the run), the
refused run's plan items failed for the report, and the chunks' modules never judging on their own."""
from ansible_collections.hybrid.identity.plugins.module_utils import _delete_guard as g
from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import (
    Engine, Step, delete_refusals, planned_deletes)


class Method(object):
    def __init__(self, steps):
        self.steps = steps

    def delete_scope(self, engine, step, users):
        return len(users), "this run's input"


def build(engine, users, done):
    return {"users": [{"upn": u["upn"]} for u in users]}


USERS = [{"upn": "u%d@x" % i} for i in range(30)]
ARGS = {"chunk_size": 7, "plan_chunk_size": 7, "title": "Leavers", "max_deletes": 500, "max_delete_percent": 10}


def make(actions, args=None):
    seen = []

    def run_module(module, margs):
        seen.append((module, dict((k, v) for k, v in margs.items() if k != "users")))
        return {"changed": False, "users": [{"upn": u["upn"], "action": actions.get((module, u["upn"]), "unchanged")}
                                            for u in margs["users"]]}
    steps = (Step("ad", "hybrid.identity.ad_user", build, deletes=True), Step("report", "m.other", build, after=["ad"]))
    engine = Engine(Method(steps), dict(args or ARGS), run_module, lambda: False, lambda line: None, "h", None)
    return engine, seen


def test_chunk_modules_get_the_limits_off_and_other_steps_none():
    engine, seen = make({})
    engine.plan(USERS)
    ad = [a for m, a in seen if m == "hybrid.identity.ad_user"]
    assert ad and all(a["max_delete_percent"] == 100 and a["max_deletes"] == 7 for a in ad[:-1])
    assert ad[-1]["max_deletes"] == 2   # the last chunk: 30 = 4 x 7 + 2
    assert all("max_deletes" not in a for m, a in seen if m == "m.other")


def test_deletes_over_the_share_of_the_run_are_refused_for_the_whole_run():
    doomed = dict((("hybrid.identity.ad_user", "u%d@x" % i), "deleted") for i in range(12))
    engine, _seen = make(doomed)
    plan, _diffs, _changed = engine.plan(USERS)
    assert planned_deletes(engine.steps, plan) == [("ad", "hybrid.identity.ad_user", 12), ]
    todo = [u for u in USERS if plan["ad"][u["upn"]]["action"] == "deleted"]
    refusals = delete_refusals(engine.method, engine, plan, USERS, todo, engine.args)
    assert len(refusals) == 1
    assert refusals[0].startswith("Leavers (step ad, hybrid.identity.ad_user) refuses to delete 12 of the 30 users")
    assert "set max_delete_percent: 40" in refusals[0]
    assert all(plan["ad"][u["upn"]]["action"] == "failed" and plan["ad"][u["upn"]]["error"] == refusals[0]
               for u in todo)
    assert plan["ad"]["u20@x"]["action"] == "unchanged"


def test_within_the_limits_nothing_is_refused_and_bad_limits_are():
    doomed = dict((("hybrid.identity.ad_user", "u%d@x" % i), "deleted") for i in range(3))
    engine, _seen = make(doomed)
    plan, _diffs, _changed = engine.plan(USERS)
    assert delete_refusals(engine.method, engine, plan, USERS, USERS, engine.args) == []
    assert plan["ad"]["u0@x"]["action"] == "deleted"
    assert "max_deletes must be 0 or more" in delete_refusals(engine.method, engine, plan, USERS, USERS,
                                                              dict(ARGS, max_deletes=-1))[0]


def test_unlinks_say_unlink():
    message = g.run_refusals("T", [("link", "hybrid.identity.account_link", 3, 100, "this run's input")], 2, 10)[0]
    assert "refuses to unlink 3 users" in message and "on the method_run task" in message
