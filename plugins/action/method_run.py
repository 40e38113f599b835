# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.method_run: one method (onboard_new_users, add_cloud_accounts,
import_cloud_accounts, link_accounts) on the one engine (plugin_utils/_engine.py).

The roles used to pass every chunk's users and results between tasks through Jinja; Ansible renders such
lists to text and parses them back, about 1 s per 1,000 users per expression, more than the directory
writes themselves. Here the modules run per chunk on the task's host with the play's module_defaults,
and the rows and results stay Python objects from the input to the report."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os

from ansible import constants as C
from ansible.errors import AnsibleError
try:  # ansible-core 2.19+: the helper gather_facts, package and service use
    from ansible.executor.module_common import _apply_action_arg_defaults
    get_action_args_with_defaults = None
except ImportError:  # before 2.19
    _apply_action_arg_defaults = None
    from ansible.executor.module_common import get_action_args_with_defaults
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import InputError
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import (
    report_users, results_by_user, user_key, with_passwords)
from ansible_collections.hybrid.identity.plugins.module_utils._delete_guard import delete_argument_spec
from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import (
    Engine, counts, delete_refusals, missing_steps, tally)
from ansible_collections.hybrid.identity.plugins.module_utils._offboard_logic import MARKER_ATTRIBUTE
from ansible_collections.hybrid.identity.plugins.module_utils._preflight import SYNC_ENGINE
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_offboard import OffboardUsers
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_restore import RestoreUsers
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_tables import METHODS as _FOUR, Refused
from ansible_collections.hybrid.identity.plugins.plugin_utils._report_files import write_report
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import ROWS_ARGSPEC
from ansible_collections.hybrid.identity.plugins.plugin_utils._run_safety import RunSafety

METHODS = dict(_FOUR, offboard_users=OffboardUsers(), restore_users=RestoreUsers())

ARGSPEC = dict(
    ROWS_ARGSPEC,
    method=dict(type="str", required=True, choices=sorted(METHODS)),
    chunk_size=dict(type="int", default=500),
    plan_chunk_size=dict(type="int", default=10000),
    sku_ids=dict(type="dict", default={}),
    tenant_skus=dict(type="list", elements="dict", default=[]),
    directory_sync_enabled=dict(type="bool", default=False),
    default_domain=dict(type="str"),
    generate_passwords=dict(type="bool", default=True),
    link_attribute=dict(type="str", default="msDS-cloudExtensionAttribute1"),
    force_password_change=dict(type="bool", default=False, no_log=False),
    password_file=dict(type="path", no_log=False),
    password_file_vault=dict(type="bool", default=False, no_log=False),
    reset_unknown_passwords=dict(type="bool", default=False, no_log=False),
    report_dir=dict(type="path", default="hybrid_identity_reports"),
    title=dict(type="str"),
    # add_cloud_accounts
    ad_search_base=dict(type="str", default=""),
    ad_filter=dict(type="str", default=""),
    ad_group=dict(type="str", default=""),
    ad_users=dict(type="list", elements="str", default=[]),
    include_disabled=dict(type="bool", default=False),
    cloud_domain=dict(type="str", default=""),
    attribute_map=dict(type="dict", default={}),
    # import_cloud_accounts
    cloud_filter=dict(type="str", default=""),
    cloud_users=dict(type="list", elements="str", default=[]),
    cloud_all=dict(type="bool", default=False),
    include=dict(type="list", elements="str", default=[]),
    ad_groups=dict(type="list", elements="str", default=[]),
    # link_accounts
    rules=dict(type="list", elements="raw", default=[]),
    allow_privileged=dict(type="bool", default=False),
    # offboard_users (offboard_attribute and reactivate also for the onboarding methods)
    disabled_accounts=dict(type="bool", default=False),
    move_to=dict(type="str", default=""),
    remove_groups=dict(type="bool", default=False),
    remove_licenses=dict(type="bool", default=True),
    revoke_sessions=dict(type="bool", default=True),
    offboard_attribute=dict(type="str", default=MARKER_ATTRIBUTE),
    record_file=dict(type="path"),
    delete_after_days=dict(type="int", default=0),
    reactivate=dict(type="list", elements="str", default=[]),
    **delete_argument_spec()
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _module(self, name, args, task_vars):
        """One module run on the task's host, with the play's module_defaults for that module."""
        if _apply_action_arg_defaults is not None:
            args = _apply_action_arg_defaults(name, self._task, args, self._templar)
        else:
            args = get_action_args_with_defaults(name, args, self._task.module_defaults, self._templar,
                                                 action_groups=self._task._parent._play._action_groups)
        omit = task_vars.get("omit")
        args = dict((k, v) for k, v in args.items() if omit is None or v != omit)
        return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)

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

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        _valid, args = self.validate_argument_spec(argument_spec=ARGSPEC, mutually_exclusive=[("users", "csv")])
        method = METHODS[args["method"]]
        args["title"] = args["title"] or method.title
        args["password_file"] = args["password_file"] or os.path.join(args["report_dir"], method.name + "-passwords.csv")
        args["generate_passwords"] = args["generate_passwords"] and method.passwords
        check_mode = bool(self._task.check_mode if self._task.check_mode is not None else self._play_context.check_mode)
        host = task_vars.get("inventory_hostname", "localhost")
        safety = RunSafety(args, self._loader, _abspath(args["password_file"])) if method.passwords else None
        engine = Engine(method, args, lambda name, margs: self._module(name, margs, task_vars), self._concurrent_modules,
                        self._display.display, host, safety)
        try:
            return self._run(result, engine, method, args, safety, check_mode, host)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _run(self, result, engine, method, args, safety, check_mode, host):
        refusal = self._pipeline()
        try:
            with self._modules_mode(True):
                users, excluded = method.load(engine)
        except Refused as exc:
            result.update(failed=True, errors=exc.errors, msg=str(exc))
            return result
        except (InputError, UnicodeError, AnsibleError) as exc:
            result.update(failed=True, msg="cannot read the input: %s" % exc, errors=[str(exc)])
            return result
        if not users and not args["rules"]:
            if not excluded and not method.allows_empty(args):
                result.update(failed=True, msg="the input holds no users")
                return result
        if refusal and (args["generate_passwords"] or any(u.get("password") for u in users)):
            result.update(failed=True, msg="nothing was written: passwords must not reach a module payload file, and "
                                           "%s. Fix: run the play with a local or ssh connection, without su" % refusal)
            return result
        if safety is not None:
            try:
                users = safety.load(users, with_passwords if args["generate_passwords"] else (lambda u: u))
            except (AnsibleError, OSError, ValueError) as exc:
                result.update(failed=True, msg="nothing was written: %s" % exc)
                return result

        # 1. The plan, then the preflight on the plan alone: accounts that are not ours, the run's limits.
        with self._modules_mode(True):
            plan, plan_diffs, plan_changed = engine.plan(users)
        refusing = method.plan_refusals(engine, users, plan)   # leavers, vanished links: the onboarding methods
        for user in users if refusing else []:
            if user_key(user) in refusing:
                user["plan_refusal"] = refusing[user_key(user)]
        refused = safety.judge(users, plan, method.steps, method) if safety is not None else {}
        # A user the plan fails (refused, OU missing, address taken, ...) is not written at all: half of a
        # pair would be left behind.
        resetting = safety.resetting if safety is not None else set()
        todo = [u for u in users if (user_key(u) in resetting or not engine.settled(u, plan)) and user_key(u) not in refused
                and not any((plan[n].get(user_key(u)) or {}).get("action") == "failed" for n in engine.names)]
        problems = safety.run_problems(todo, plan) if safety is not None else []
        if safety is None and todo and args["directory_sync_enabled"]:
            problems = [SYNC_ENGINE]   # a sync engine in charge of the tenant stops every write
        if problems:
            result.update(failed=True, errors=problems, msg="nothing was written:\n" + "\n".join(problems))
            return result
        if refused:
            plan_diffs = _without(plan_diffs, users, refused)
        refusals = delete_refusals(method, engine, plan, users, todo, args)
        if refusals:
            todo, plan_diffs, plan_changed = [], [], False
        line = ["%s %s" % (n, counts(plan[n].values(), skip=("unchanged",))) for n in engine.names]
        self._display.display("%s [%s] plan: %d of %d users to create or change%s" % (
            args["title"], host, len(todo), len(users), "" if all(c.endswith(" -") for c in line)
            else " (" + ", ".join(line) + ")"))

        # 2. The writes (not in check mode): chunk by chunk, in order, with a progress line each.
        written = dict((n, {}) for n in engine.names)
        diffs, changed = (plan_diffs, plan_changed) if check_mode else ([], False)
        extra = []
        with self._modules_mode(check_mode):
            if not check_mode:
                try:
                    for chunk in engine.write(todo):
                        diffs.extend(chunk.diffs)
                        for name in engine.names:
                            written[name].update((user_key(u), i) for u, i in _pairs(chunk.batch, chunk.items(name)))
                            changed = changed or (chunk.done.get(name) or {}).get("changed", False)
                except OSError as exc:   # a record a chunk needs before its writes (restore record)
                    result.update(failed=True, changed=changed,
                                  msg="stopped before a chunk's writes: cannot write %s; a rerun goes on" % exc)
                    return result
            extra = method.direct(engine, check_mode) if not refusals else []
        changed = changed or any(i.get("action") in ("created", "updated", "deleted") for i in extra)
        # A user that was written has only its write results (a step it did not reach has none); the
        # others keep the plan's (all unchanged). In check mode the plan is the result.
        pending = set(user_key(u) for u in todo) if not check_mode else set()
        results = dict((n, []) for n in engine.names)
        for user in users:
            key = user_key(user)
            source = written if key in pending else plan
            if key in pending:
                for name, item in missing_steps(method.steps, dict((n, source[n].get(key)) for n in engine.names)).items():
                    source[name][key] = dict(item, upn=user["upn"], name=user.get("name"))
            # a user the plan failed is not written at all: its other steps' plans did not happen, and would not
            unwritten = key not in pending and any((source[n].get(key) or {}).get("action") == "failed"
                                                   for n in engine.names)
            for name in engine.names:
                item = source[name].get(key)
                if item is not None and not (unwritten and item.get("action") in ("created", "updated", "deleted")):
                    results[name].append(item)
        results[engine.names[-1]].extend(extra)

        notes, passwords = [], {"path": None, "count": 0}
        if safety is not None:
            try:
                notes, passwords, wrote = safety.finish(users, results, check_mode, method.steps)
            except (AnsibleError, OSError, ValueError) as exc:
                result.update(failed=True, msg="cannot update the password file %s: %s; every password was recorded "
                                               "there before it was set" % (safety.path, exc))
                return result
            changed = changed or wrote
        try:
            notes = notes + method.finish(engine, users, results, check_mode)
        except OSError as exc:
            result.update(failed=True, changed=changed, msg="cannot update %s" % exc)
            return result
        records = method.records(users, results, excluded, lambda u, r, x: merge_results(
            report_users(u), [(n, r[n]) for n in engine.names], excluded=x))
        try:
            summary, paths, lines = write_report(args["title"], method.name, records, args["report_dir"], host,
                                                 check_mode, notes=notes, columns=method.columns)
        except OSError as exc:
            result.update(failed=True, msg="cannot write the report to %s: %s" % (args["report_dir"], exc))
            return result
        result.update(changed=changed, summary=summary, report=paths, summary_lines=lines + notes, passwords=passwords,
                      steps=dict((n, tally(results[n])) for n in engine.names),
                      failures=[r for r in records if r["status"] == "failed"], msg="\n".join(lines + notes))
        if diffs and self._task.diff:
            result["diff"] = [dict((k, v) for k, v in d.items() if k != "_step") for d in diffs]
        if refusals:
            result.update(failed=True, errors=refusals, msg="nothing was written:\n" + "\n".join(refusals + lines))
        return result


def _pairs(users, items):
    index = results_by_user(users, items)
    return [(u, index[user_key(u)]) for u in users if user_key(u) in index]


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
