# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one controller-side engine every method runs on (a method is a table of steps, _method_tables.py).

    input (the method's load) -> validate every row -> plan pass (every step in check mode, reads only)
    -> whole-run preflight (ownership, sync engine, licences) -> write chunks -> report and password file

A step is one module run per chunk for the chunk's users that passed the steps it comes after. Steps
whose predecessors are done run together (a wave); on a local connection without become the steps of
one wave run at once, and the first wave of chunk k+1 runs while the rest of chunk k does, so the DC,
which takes one write at a time, stays busy. The plan runs in check mode whatever the task's mode: it
is what check mode shows, and on a rerun it finds the users already done, so only users with work go
through the (smaller, progress-reporting) write chunks. A rerun converges whatever an interrupted run
left half done: every step is idempotent."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hybrid.identity.plugins.module_utils import _delete_guard as delete_guard
from ansible_collections.hybrid.identity.plugins.plugin_utils._ast_threads import guard_ast_builds
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import chunk_plan
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import (
    ok_users, results_by_user, step_results, user_key)

CHANGING = ("created", "updated", "deleted")
DELETING = ("deleted", "unlinked")


class Step(object):
    """One module per chunk. build(engine, users, done) -> module args for exactly those users.

    after: steps whose success a user needs first; plan_after: the same in the plan, where a step may
    need nothing real from an earlier one (default: after); existing: in the plan, users an earlier step
    would create are left out (nothing to license or link yet). select(engine, users, done) narrows the
    users; settled(engine, users, done) -> {user key: item} are done already without the module."""

    def __init__(self, name, module, build, after=(), plan_after=None, existing=False, select=None, settled=None,
                 side=None, creates=False, password=False, required=False, deletes=False, rename=False):
        self.name, self.module, self.build = name, module, build
        self.after = tuple(after)
        self.plan_after = self.after if plan_after is None else tuple(plan_after)
        self.existing, self.select, self.settled = existing, select, settled
        self.side = side              # "ad" / "cloud": the directory the step writes to
        self.creates = creates        # its creates get create_only: the takeover guard
        self.password = password      # it sets passwords: recorded in the password file first
        self.required = required      # every written user needs its result: a user it never reached fails
        self.deletes = deletes        # it can delete (or unlink): delete protection is the run's, in the preflight
        self.rename = rename          # its items name a user by another UPN than the run's (step_results)

    def deps(self, check_mode):
        return self.plan_after if check_mode else self.after


class Chunk(object):
    def __init__(self, batch, label):
        self.batch, self.label, self.diffs, self.done = batch, label, [], {}

    def items(self, step):
        return (self.done.get(step) or {}).get("items") or []


class Engine(object):
    """Runs a method's steps through the action's modules. The action supplies run_module(name, args)
    (with the play's module_defaults) and concurrent() (whether two module runs may overlap)."""

    def __init__(self, method, args, run_module, concurrent, display, host, safety):
        self.method, self.args, self.run_module, self.concurrent = method, args, run_module, concurrent
        self.display, self.host, self.safety = display, host, safety
        self.steps = method.steps
        self.names = [s.name for s in self.steps]
        self.check_mode = True

    # ------------------------------------------------------------------ a chunk through its steps
    def run_chunk(self, chunk, steps, check_mode):
        """Run the given steps (in waves) over the chunk; results land in chunk.done."""
        self.check_mode = check_mode
        remaining = list(steps)
        while remaining:
            wave = [s for s in remaining if all(d in chunk.done for d in s.deps(check_mode))]
            if not wave:
                raise ValueError("steps %s wait for steps that never run" % [s.name for s in remaining])
            runs = []
            for step in wave:
                users = self._eligible(step, chunk, check_mode)
                known = step.settled(self, users, chunk.done) if step.settled and users else {}
                rest = [u for u in users if user_key(u) not in known]
                chunk.done[step.name] = {"items": [known[user_key(u)] for u in users if user_key(u) in known],
                                         "changed": False}
                if rest:
                    module_args = step.build(self, rest, chunk.done)
                    if step.deletes:
                        # the limits are judged over the whole run (method_run's preflight): a chunk cannot see it
                        module_args = dict(module_args, max_deletes=len(rest), max_delete_percent=100)
                    if not check_mode and self.safety is not None:
                        module_args = self.safety.guard(step, rest, module_args)
                    runs.append((step, rest, module_args))
            if len(runs) > 1 and self.concurrent():
                guard_ast_builds()
                with ThreadPoolExecutor(max_workers=len(runs)) as pool:
                    futures = [pool.submit(self.run_module, s.module, a) for s, _u, a in runs]
                    answers = [f.result() for f in futures]
            else:
                answers = [self.run_module(s.module, a) for s, _u, a in runs]
            for (step, users, _args), answer in zip(runs, answers):
                self._record(chunk, step, answer, users)
            # a step run beside the step it comes after in the plan keeps only the users that passed it
            for step in wave:
                for dep in step.after:
                    if check_mode and dep not in step.plan_after and dep in chunk.done:
                        self._keep(chunk, step, ok_users(chunk.batch, chunk.items(dep)))
            remaining = [s for s in remaining if s not in wave]
        return chunk

    def _eligible(self, step, chunk, check_mode):
        users = list(chunk.batch)
        skip = ("failed", "created") if check_mode and step.existing else ("failed",)
        for dep in step.deps(check_mode):
            users = ok_users(users, chunk.items(dep), skip)
        if step.select:
            users = step.select(self, users, chunk.done)
        return users

    def _record(self, chunk, step, result, users):
        items = step_results(result, users, rename=step.rename)
        record = chunk.done[step.name]
        record["items"] = items + record["items"]
        record["changed"] = record["changed"] or bool(result.get("changed"))
        diff = result.get("diff")
        if isinstance(diff, dict) and (diff.get("before") or diff.get("after")):
            header = "%s (%s)" % (step.module, chunk.label)
            chunk.diffs.append(dict(diff, before_header=header, after_header=header, _step=step.name))

    @staticmethod
    def _keep(chunk, step, keep):
        record = chunk.done[step.name]
        index = results_by_user(keep, record["items"])
        record["items"] = [index[user_key(u)] for u in keep if user_key(u) in index]
        record["changed"] = any(item.get("action") in CHANGING for item in record["items"])
        names = set(str(u.get("upn")).casefold() for u in keep)
        for diff in chunk.diffs:
            if diff.get("_step") == step.name:
                for side in ("before", "after"):
                    diff[side] = dict((k, v) for k, v in (diff.get(side) or {}).items() if str(k).casefold() in names)

    # ------------------------------------------------------------------ the passes
    def plan(self, users):
        """Every step in check mode over all users, in big chunks: ({step: {user key: item}}, diffs, changed)."""
        plan, diffs, changed = dict((n, {}) for n in self.names), [], False
        size = max(self.args["chunk_size"], self.args["plan_chunk_size"])
        for part in chunk_plan(len(users), size):
            chunk = self.run_chunk(Chunk(users[part["start"]:part["end"]], "plan, " + part["label"]), self.steps, True)
            diffs.extend(chunk.diffs)
            for name in self.names:
                plan[name].update(results_by_user(chunk.batch, chunk.items(name)))
                changed = changed or (chunk.done.get(name) or {}).get("changed", False)
        return plan, diffs, changed

    def settled(self, user, plan):
        """Nothing to do for this user in any step of the plan. A step without an item for it did not concern
        it (a user a step fails has a failed item, and one an earlier step creates is not settled anyway)."""
        items = [plan[name].get(user_key(user)) for name in self.names]
        return any(items) and all(item.get("action") == "unchanged" for item in items if item)

    def write(self, todo):
        """The write chunks, in order, each with a progress line. Where modules may run at once, the first
        wave of chunk k+1 runs while the rest of chunk k does; at most one chunk ahead, so an interrupted
        run leaves at most two chunks half done."""
        parts = chunk_plan(len(todo), self.args["chunk_size"]) if todo else []
        lead = [s for s in self.steps if not s.after]
        rest = [s for s in self.steps if s.after]

        def start(part):
            chunk = Chunk(todo[part["start"]:part["end"]], part["label"])
            if self.safety is not None:
                self.safety.record(chunk.batch)   # every password the chunk sets, fsynced, before its first write
            hook = getattr(self.method, "before_write", None)   # e.g. the restore record of offboard_users
            if hook is not None:
                hook(self, chunk.batch)
            return self.run_chunk(chunk, lead, False)

        def finish(chunk):
            self.run_chunk(chunk, rest, False)
            self.display("%s [%s] %s: %s" % (self.args["title"], self.host, chunk.label, ", ".join(
                "%s %s" % (n, counts(chunk.items(n))) for n in self.names)))
            return chunk

        if len(parts) < 2 or not rest or not self.concurrent():
            return [finish(start(part)) for part in parts]
        pending = []
        guard_ast_builds()
        with ThreadPoolExecutor(max_workers=1) as lane:
            for part in parts:
                if len(pending) >= 2:
                    pending[-2].result()
                pending.append(lane.submit(finish, start(part)))
            return [future.result() for future in pending]


def planned_deletes(steps, plan):
    """(step name, module, deletes planned) for every step that can delete: plan items deleted or unlinked."""
    return [(s.name, s.module, len([i for i in plan[s.name].values() if i and i.get("action") in DELETING]))
            for s in steps if s.deletes]


def delete_refusals(method, engine, plan, users, todo, args):
    """Delete protection over the whole run, in the preflight: over a limit, every write the plan holds for the
    users to do fails with the refusal (so the report and the summary count it); the caller writes nothing.
    Returns the refusals (one per step over a limit), or []."""
    problem = delete_guard.check_limits(args.get("max_deletes"), args.get("max_delete_percent"))
    if problem:
        return [problem]
    counts = [(name, module, planned) + tuple(method.delete_scope(engine, name, users))
              for name, module, planned in planned_deletes(method.steps, plan) if planned]
    refusals = delete_guard.run_refusals(args["title"], counts, args["max_deletes"], args["max_delete_percent"])
    for user in todo if refusals else []:
        for name in engine.names:
            item = plan[name].get(user_key(user))
            if item and item.get("action") in CHANGING + DELETING:
                plan[name][user_key(user)] = dict(item, action="failed", error=refusals[0])
    return refusals


def missing_steps(steps, items_of_user):
    """Failed items for the required steps a written user has no result in, unless another step failed it
    already: a user is never reported done while a step it needs did not run for it."""
    if any(item.get("action") == "failed" for item in items_of_user.values() if item):
        return {}
    return dict((s.name, {"action": "failed", "error": "the %s step did not run for this user; a rerun completes it"
                          % s.name}) for s in steps if s.required and not items_of_user.get(s.name))


def tally(items):
    out = {}
    for item in items:
        action = item.get("action") or "unknown"
        out[action] = out.get(action, 0) + 1
    return out


def counts(items, skip=()):
    numbers = tally(items)
    return " ".join("%s=%d" % (a, numbers[a]) for a in sorted(numbers) if a not in skip) or "-"
