# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.onboard_run: the onboard_new_users method, chunk by chunk.

The role used to pass every chunk's users and results between tasks through Jinja; Ansible 2.18
renders such lists to text and parses them back, about 1 s per 1,000 users per expression, which
cost more than the directory writes themselves. Here the same modules (ad_user, cloud_user,
cloud_license, account_link) run per chunk on the task's host with the play's module_defaults,
and the rows and results stay Python objects from the input file to the report.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.executor.module_common import get_action_args_with_defaults
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import InputError, chunk_plan
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import (
    ONBOARD_STEPS, already_linked, licensed_already, ok_users, onboard_entries, report_users,
    results_by_user, settled, step_results, user_key, with_passwords)
from ansible_collections.hybrid.identity.plugins.plugin_utils._run_safety import RunSafety
from ansible_collections.hybrid.identity.plugins.plugin_utils._report_files import write_report
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import (
    ROWS_ARGSPEC, check_new_users, input_failure, load_rows)

ARGSPEC = dict(
    ROWS_ARGSPEC,
    chunk_size=dict(type="int", default=500),
    plan_chunk_size=dict(type="int", default=10000),
    sku_ids=dict(type="dict", default={}),
    generate_passwords=dict(type="bool", default=True),
    link_attribute=dict(type="str", default="msDS-cloudExtensionAttribute1"),
    force_password_change=dict(type="bool", default=False, no_log=False),
    password_file=dict(type="path", default="hybrid_identity_reports/onboard_new_users-passwords.csv", no_log=False),
    password_file_vault=dict(type="bool", default=False, no_log=False),
    report_dir=dict(type="path", default="hybrid_identity_reports"),
    title=dict(type="str", default="Onboard new users"),
    tenant_skus=dict(type="list", elements="dict", default=[]),
    directory_sync_enabled=dict(type="bool", default=False),
)
STEPS = ONBOARD_STEPS   # ad_user, cloud_user, cloud_license, account_link, in that order
# In check mode users still to be created are left out of licensing and linking: nothing to license or link yet.
CHECK_SKIP = ["failed", "created"]
CHANGING = ("created", "updated", "deleted")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _module(self, name, args, task_vars):
        """One module run on the task's host, with the play's module_defaults for that module."""
        args = get_action_args_with_defaults(name, args, self._task.module_defaults, self._templar,
                                             action_groups=self._task._parent._play._action_groups)
        omit = task_vars.get("omit")
        args = dict((k, v) for k, v in args.items() if omit is None or v != omit)
        return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)

    def _pipeline(self):
        """Hand every module its arguments over stdin (pipelining): without it Ansible writes them, the
        chunk's passwords included, into an AnsiballZ file that a killed run leaves behind. None when the
        connection can pipeline, else the reason it cannot."""
        if not getattr(self._connection, "has_pipelining", False) or C.DEFAULT_KEEP_REMOTE_FILES:
            return "the connection %s cannot pipeline modules (or keep_remote_files is set)" % self._connection.transport
        if self._play_context.become and getattr(self._connection.become, "name", "") == "su":
            return "become_method su cannot pipeline modules"
        try:
            self._connection.set_option("pipelining", True)
        except (KeyError, AttributeError):
            self._play_context.pipelining = True
        return None

    @contextlib.contextmanager
    def _modules_mode(self, check_mode):
        """The modules get no_log: their syslog line would render every user's entry (passwords are
        no_log options either way), and this task's own result carries no secrets. The plan pass
        runs them in check mode whatever the task's mode."""
        saved = self._task.no_log, self._task.check_mode
        self._task.no_log, self._task.check_mode = True, check_mode
        try:
            yield
        finally:
            self._task.no_log, self._task.check_mode = saved

    def _concurrent_modules(self):
        """Two module runs at once only where nothing is shared between them: the local connection
        (a subprocess each) without become (whose prompt handling keeps state per connection). The
        remote tmp dir is made first, so that both runs use it and neither removes it."""
        if getattr(self._connection, "transport", None) not in ("local", "ansible.builtin.local") or \
                self._play_context.become:
            return False
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        return True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        _valid, args = self.validate_argument_spec(argument_spec=ARGSPEC, mutually_exclusive=[("users", "csv")])
        check_mode = bool(self._task.check_mode if self._task.check_mode is not None else self._play_context.check_mode)
        host = task_vars.get("inventory_hostname", "localhost")
        try:
            rows, source = load_rows(args["csv"], args["users"], "new_users")
        except (InputError, UnicodeError, AnsibleError) as exc:
            result.update(failed=True, msg="cannot read the input: %s" % exc, errors=[str(exc)])
            return result
        users, errors = check_new_users(rows, source, args)
        if errors:
            result.update(failed=True, errors=errors, count=len(rows),
                          msg=input_failure(errors, len(rows), "new_users", args["max_errors"]))
            return result
        if not users:
            result.update(failed=True, msg="the input holds no users")
            return result
        refusal = self._pipeline()
        if refusal and (args["generate_passwords"] or any(u.get("password") for u in users)):
            result.update(failed=True, msg="nothing was written: passwords must not reach a module payload file, and "
                                           "%s. Fix: run the play with a local or ssh connection, without su" % refusal)
            return result
        safety = self._safety = RunSafety(args, self._loader, _abspath(args["password_file"]))
        try:
            users = safety.load(users, with_passwords)
        except (AnsibleError, OSError, ValueError) as exc:
            result.update(failed=True, msg="nothing was written: %s" % exc)
            return result

        # 1. The plan: every user through every step in check mode, in big chunks (reads only). It is
        #    what check mode shows, and on a rerun it finds the users already done, so only the users
        #    with something to do go through the (smaller, progress-reporting) write chunks.
        plan, plan_diffs, plan_changed = dict((step, {}) for step in STEPS), [], False
        plan_size = max(args["chunk_size"], args["plan_chunk_size"])
        try:
            for chunk in chunk_plan(len(users), plan_size):
                batch = users[chunk["start"]:chunk["end"]]
                with self._modules_mode(True):
                    part = self._chunk(batch, args, CHECK_SKIP, task_vars, "plan, " + chunk["label"], True)
                plan_diffs.extend(part["diffs"])
                for step in STEPS:
                    plan[step].update(results_by_user(batch, part["done"][step]["items"]))
                    plan_changed = plan_changed or part["done"][step]["changed"]
            # The preflight, on the plan alone: accounts that are not ours, then the whole run's limits.
            refused = safety.judge(users, plan)
            # A user the plan already fails (refused, OU missing, address taken, ...) is not written at all:
            # half of a pair would be left behind.
            todo = [u for u in users if not settled(u, plan) and user_key(u) not in refused
                    and not any((plan[step].get(user_key(u)) or {}).get("action") == "failed" for step in ("ad", "cloud"))]
            problems = safety.run_problems(todo, plan)
            if problems:
                result.update(failed=True, errors=problems, msg="nothing was written:\n" + "\n".join(problems))
                return result
            if refused:
                plan_diffs = _without(plan_diffs, users, refused)
            counts = ["%s %s" % (step, _counts(plan[step].values(), skip=("unchanged",))) for step in STEPS]
            self._display.display("%s [%s] plan: %d of %d users to create or change%s" % (
                args["title"], host, len(todo), len(users),
                "" if all(c.endswith(" -") for c in counts) else " (" + ", ".join(counts) + ")"))

            # 2. The writes (not in check mode): chunk by chunk, in order, with a progress line each.
            written = dict((step, {}) for step in STEPS)
            diffs, changed = plan_diffs if check_mode else [], False
            if check_mode:
                changed = plan_changed
            else:
                for chunk in self._write_chunks(todo, args, task_vars, host):
                    diffs.extend(chunk["diffs"])
                    for step in STEPS:
                        written[step].update(results_by_user(chunk["batch"], chunk["done"][step]["items"]))
                        changed = changed or chunk["done"][step]["changed"]
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        # A user that was written has only its write results (a step it did not reach has none); the
        # others keep the plan's (all unchanged). In check mode the plan is the result.
        pending = set(user_key(u) for u in todo) if not check_mode else set()
        results = dict((step, []) for step in STEPS)
        for user in users:
            key = user_key(user)
            for step in STEPS:
                item = (written if key in pending else plan)[step].get(key)
                if item is not None:
                    results[step].append(item)

        try:
            notes, passwords, wrote = safety.finish(users, results, check_mode)
        except (AnsibleError, OSError, ValueError) as exc:
            result.update(failed=True, msg="cannot update the password file %s: %s; every password was recorded there "
                                           "before it was set" % (safety.path, exc))
            return result
        changed = changed or wrote
        records = merge_results(report_users(users), [(step, results[step]) for step in STEPS])
        try:
            counts, paths, lines = write_report(args["title"], "onboard_new_users", records, args["report_dir"], host,
                                                check_mode, notes=notes)
        except OSError as exc:
            result.update(failed=True, msg="cannot write the report to %s: %s" % (args["report_dir"], exc))
            return result
        result.update(changed=changed, summary=counts, report=paths, summary_lines=lines + notes, passwords=passwords,
                      steps=dict((step, _tally(results[step])) for step in STEPS),
                      failures=[r for r in records if r["status"] == "failed"], msg="\n".join(lines + notes))
        if diffs and self._task.diff:
            result["diff"] = diffs
        return result

    def _record(self, chunk, name, module, result, users, keep=None):
        """One step's per-user results (and diff) into the chunk's record."""
        items = step_results(result, users)
        changed = bool(result.get("changed"))
        diff = result.get("diff")
        if keep is not None:
            # a step run for more users than it was for: only the kept users' results count
            index = results_by_user(keep, items)
            items = [index[user_key(u)] for u in keep if user_key(u) in index]
            changed = any(item.get("action") in CHANGING for item in items)
            if isinstance(diff, dict):
                names = set(str(u.get("upn")).casefold() for u in keep)
                diff = dict((side, dict((k, v) for k, v in (diff.get(side) or {}).items()
                                        if str(k).casefold() in names)) for side in ("before", "after"))
        if isinstance(diff, dict) and (diff.get("before") or diff.get("after")):
            header = "%s (%s)" % (module, chunk["label"])
            chunk["diffs"].append(dict(diff, before_header=header, after_header=header))
        chunk["done"][name] = {"items": items, "changed": changed}
        return items

    def _step(self, chunk, name, module, module_args, users, task_vars):
        return self._record(chunk, name, module, self._module(module, module_args, task_vars), users)

    def _new_chunk(self, batch, label):
        return {"batch": batch, "label": label, "diffs": [],
                "done": dict((step, {"items": [], "changed": False}) for step in STEPS)}

    def _chunk(self, batch, args, skip, task_vars, label, check_mode):
        """ad_user -> cloud_user (users AD holds) -> cloud_license and account_link (users both hold)."""
        chunk = self._new_chunk(batch, label)
        self._ad_steps(chunk, args, task_vars, check_mode)
        return self._cloud_steps(chunk, args, skip, task_vars)

    def _ad_steps(self, chunk, args, task_vars, check_mode):
        """ad_user; in the plan also cloud_user, read at the same time where modules may run at once."""
        batch = chunk["batch"]
        # ad_user returns the link attribute it reads anyway, so users linked already skip account_link's reads.
        ad_args = {"users": onboard_entries(batch, "ad"), "return_attributes": [args["link_attribute"], "whenCreated"]}
        if not check_mode:
            ad_args["users"] = self._safety.ad_entries(batch, ad_args["users"])
        if check_mode and self._concurrent_modules():
            # In the plan the cloud step needs nothing from the AD step (anchors come from real creates
            # only), so AD and the cloud are read at the same time; the cloud results of users AD
            # fails are dropped, as if cloud_user had run for the others only.
            cloud_args = {"users": onboard_entries(batch, "cloud"), "update_immutable_id": "on_create"}
            with ThreadPoolExecutor(max_workers=2) as pool:
                ad_run = pool.submit(self._module, "hybrid.identity.ad_user", ad_args, task_vars)
                cloud_run = pool.submit(self._module, "hybrid.identity.cloud_user", cloud_args, task_vars)
                ad_result, cloud_result = ad_run.result(), cloud_run.result()
            ad = self._record(chunk, "ad", "hybrid.identity.ad_user", ad_result, batch)
            in_ad = ok_users(batch, ad)
            chunk["cloud_read"] = True
            if in_ad:
                self._record(chunk, "cloud", "hybrid.identity.cloud_user", cloud_result, batch, keep=in_ad)
        else:
            self._step(chunk, "ad", "hybrid.identity.ad_user", ad_args, batch, task_vars)
        return chunk

    def _cloud_steps(self, chunk, args, skip, task_vars):
        """cloud_user (after a real AD run), then cloud_license and account_link for the users both sides hold."""
        batch, done = chunk["batch"], chunk["done"]
        ad = done["ad"]["items"]
        in_ad = ok_users(batch, ad)
        if in_ad and not chunk.get("cloud_read"):
            # A user AD has just created is linked in the cloud create itself (its anchor is known now).
            self._step(chunk, "cloud", "hybrid.identity.cloud_user",
                       {"users": self._safety.cloud_entries(in_ad, onboard_entries(in_ad, "cloud", ad)),
                        "update_immutable_id": "on_create"}, in_ad, task_vars)
        cloud = done["cloud"]["items"]
        # Users on both sides (in check mode, users still to be created are left out: nothing to license or link).
        both = ok_users(ok_users(batch, ad, skip), cloud, skip)
        # cloud_user returns the SKUs it read anyway, so users licensed already skip cloud_license's reads.
        licensed = licensed_already(both, cloud, args["sku_ids"])
        unlicensed = [u for u in both if user_key(u) not in licensed]
        linked = already_linked(both, ad, cloud, args["link_attribute"])
        unlinked = [u for u in both if user_key(u) not in linked]
        runs = []
        licenses = onboard_entries(unlicensed, "license")
        if licenses:
            runs.append(("license", "hybrid.identity.cloud_license", {"users": licenses}, unlicensed))
        if unlinked:
            runs.append(("link", "hybrid.identity.account_link",
                         {"pairs": onboard_entries(unlinked, "link"), "link_attribute": args["link_attribute"],
                          "force_password_change": args["force_password_change"]}, unlinked))
        if len(runs) == 2 and self._concurrent_modules():
            # Licensing and linking need only that both halves exist, not each other: they run at once.
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [pool.submit(self._module, module, module_args, task_vars)
                           for _name, module, module_args, _users in runs]
                results = [future.result() for future in futures]
        else:
            results = [self._module(module, module_args, task_vars) for _name, module, module_args, _users in runs]
        for (name, module, _module_args, users), result in zip(runs, results):
            self._record(chunk, name, module, result, users)
        done["license"]["items"] = done["license"]["items"] + [licensed[user_key(u)] for u in both
                                                               if user_key(u) in licensed]
        done["link"]["items"] = done["link"]["items"] + [linked[user_key(u)] for u in both if user_key(u) in linked]
        return chunk

    def _write_chunks(self, todo, args, task_vars, host):
        """The write chunks, in order. Where modules may run at once, chunk k's cloud steps and link run
        while ad_user writes chunk k+1: the DC takes one write at a time, so it is kept busy while the
        cloud side and the controller do the rest. The AD side runs at most one chunk ahead, so an
        interrupted run leaves at most two chunks half done (a rerun converges them)."""
        chunks = chunk_plan(len(todo), args["chunk_size"]) if todo else []

        def finish(chunk):
            self._cloud_steps(chunk, args, ["failed"], task_vars)
            self._display.display("%s [%s] %s: %s" % (args["title"], host, chunk["label"], ", ".join(
                "%s %s" % (step, _counts(chunk["done"][step]["items"])) for step in STEPS)))
            return chunk

        def start(part):
            batch = todo[part["start"]:part["end"]]
            # Every password the chunk sets is in the password file, durably, before the first write.
            self._safety.record(batch)
            return self._ad_steps(self._new_chunk(batch, part["label"]), args, task_vars, False)

        with self._modules_mode(False):
            if len(chunks) < 2 or not self._concurrent_modules():
                return [finish(start(part)) for part in chunks]
            pending = []
            with ThreadPoolExecutor(max_workers=1) as lane:
                for part in chunks:
                    if len(pending) >= 2:
                        pending[-2].result()
                    pending.append(lane.submit(finish, start(part)))
                return [future.result() for future in pending]


def _without(diffs, users, keys):
    """The plan's diffs less the users refused: what would have changed on someone else's account is not shown."""
    names = set()
    for user in users:
        if user_key(user) in keys:
            names.update(str(user.get(f)).casefold() for f in ("upn", "sam_account_name", "name") if user.get(f))
    out = []
    for diff in diffs:
        diff = dict(diff)
        for side in ("before", "after"):
            if isinstance(diff.get(side), dict):
                diff[side] = dict((k, v) for k, v in diff[side].items() if str(k).casefold() not in names)
        if diff.get("before") or diff.get("after"):
            out.append(diff)
    return out


def _abspath(path):
    return os.path.abspath(os.path.expanduser(path))


def _tally(items):
    counts = {}
    for item in items:
        counts[item.get("action") or "unknown"] = counts.get(item.get("action") or "unknown", 0) + 1
    return counts


def _counts(items, skip=()):
    tally = _tally(items)
    return " ".join("%s=%d" % (action, tally[action]) for action in sorted(tally) if action not in skip) or "-"
