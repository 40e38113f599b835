# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A creating run's safety on the controller: the password journal, ownership and the whole-run preflight.

    safety = RunSafety(args, loader, path)
    users = safety.load(users, with_passwords)   # refuses a password file we did not write; reuses its passwords
    refused = safety.judge(users, plan, steps, method)   # accounts that exist and are not ours fail
    problems = safety.run_problems(todo, plan)   # sync engine, licences: the run stops before any write
    safety.record(batch)                         # before a chunk's writes: its passwords, fsynced
    module_args = safety.guard(step, users, module_args)   # create_only for what the plan saw as new
    notes, passwords, wrote = safety.finish(users, results, check_mode, steps)
The decisions themselves are pure logic in module_utils/_preflight.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _preflight as preflight
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import user_key
from ansible_collections.hybrid.identity.plugins.plugin_utils._password_file import PasswordFile


class RunSafety(object):
    def __init__(self, args, loader, path):
        self.args = args
        self.path = path
        self.pwfile = PasswordFile(path, loader, vault=args["password_file_vault"]) if args["generate_passwords"] \
            else None
        self.writing = False
        self.refused = {}        # user key -> message
        self.creating = {}       # step name -> user keys the plan saw as new there
        self.setting = set()     # user keys some step sets a password for in this run
        self.resetting = set()   # users of ours with no recorded password, reset on request
        self.proven = {}         # user key -> sides where an earlier, interrupted run set the recorded password
        self.anchors = {}        # user key -> immutable id of its (existing, ours) AD user
        self.recorded = set()    # user keys whose password this run recorded
        self.unknown = []        # users of ours whose password the file does not hold
        self.new_records = 0     # passwords this run added to the file

    # ------------------------------------------------------------------ passwords
    def load(self, users, generate):
        """Read the password file (refusing one we did not write); rows without a password of their own
        get the one recorded for them, or a new one."""
        if self.pwfile is None:
            return users
        self.pwfile.load()
        out = []
        for user in users:
            user = dict(user)
            if not user.get("password"):
                known = self.pwfile.password(user.get("upn"))
                if known:
                    user.update(password=known, password_generated=True, password_recorded=True)
            out.append(user)
        return generate(out)

    def record(self, batch):
        """Before the chunk's first write: every password it may set is in the file, fsynced."""
        if self.pwfile is None:
            return
        now = preflight.utc_now_text()
        entries = []
        for user in batch:
            key = user_key(user)
            if not user.get("password_generated") or key in self.recorded:
                continue
            if key not in self.setting:
                continue   # nothing of this user gets a password in this run
            row = self.pwfile.rows.get((user.get("upn") or "").lower()) or {}
            if row.get("password") == user["password"] and row.get("recorded"):
                self.recorded.add(key)
                continue   # recorded by an earlier run: keep its time, which proves ownership
            entries.append({"upn": user["upn"], "sam_account_name": user.get("sam_account_name") or "",
                            "name": user.get("name") or "", "password": user["password"], "recorded": now,
                            "set_in": ""})
            self.recorded.add(key)
        if entries:
            self.pwfile.record(entries)
            self.new_records += len(entries)

    def finish(self, users, results, check_mode, steps):
        """Say in the file where each recorded password was set; returns (notes, passwords, wrote)."""
        notes = []
        if self.unknown:
            notes.append("%d users exist but the password file holds no password for them (created before it, or the "
                         "file was moved): %s; %s" % (
                             len(self.unknown), ", ".join(self.unknown[:10]),
                             "new passwords were recorded and set" if self.resetting and not check_mode else
                             "new ones would be recorded and set" if self.resetting else
                             "rerun with reset_unknown_passwords=true to record and set new ones"))
        if self.pwfile is None:
            return notes, {"path": None, "count": 0}, False
        created = {}
        reset_upns = set(u["upn"].casefold() for u in users if user_key(u) in self.resetting)
        for step in steps:
            if not step.password:
                continue
            for item in results.get(step.name) or []:
                reset = item.get("action") == "updated" and str(item.get("upn") or item.get("name")).casefold() in reset_upns
                if item.get("action") in password_actions(step) or reset:
                    side = step.side
                    for field in ("upn", "name", "user_principal_name"):
                        if isinstance(item.get(field), str):
                            created.setdefault(item[field].casefold(), set()).add(side)
        planned = [u for u in users if user_key(u) in self.setting]
        if check_mode:
            count = len([u for u in planned if u.get("password_generated")])
            if count:
                notes.append("check mode: %d passwords would be recorded in %s before they are set" % (count, self.path))
            return notes, {"path": self.path if count else None, "count": count}, False
        entries, count = [], 0
        for user in users:
            key = user_key(user)
            if key not in self.recorded and key not in self.proven:
                continue
            count += 1
            row = self.pwfile.rows.get(user["upn"].lower()) or {}
            sides = set((row.get("set_in") or "").split()) | created.get(user["upn"].casefold(), set())
            sides = " ".join(sorted(sides | self.proven.get(key, set())))
            if sides != (row.get("set_in") or ""):
                entries.append({"upn": user["upn"], "set_in": sides})
        if entries:
            self.pwfile.record(entries)
        if not (entries or self.new_records):
            return notes, {"path": self.path if count else None, "count": count}, False
        notes.append("%d passwords recorded in %s before they were set (mode 0600%s); %d were set this run" % (
            self.new_records, self.path, ", vault-encrypted" if self.args["password_file_vault"] else "",
            len([e for e in entries if e["set_in"]])))
        return notes, {"path": self.path, "count": count}, True

    # ------------------------------------------------------------------ ownership and preflight
    def judge(self, users, plan, steps, method):
        """Refuse each user whose name an account holds that is not ours: its plan item becomes a failure.
        The users the plan sees as new get create_only in the writes; those some step sets a password
        for are recorded before the writes."""
        for user in users:
            key = user_key(user)
            row = self.pwfile.rows.get((user.get("upn") or "").lower()) if self.pwfile else None
            verdict, side, message, anchor = method.judge(user, plan, row)
            if verdict == "refused":
                self.refused[key] = message
                plan[side][key] = {"upn": user["upn"], "name": user.get("name"), "action": "failed", "error": message}
                continue
            if anchor:
                self.anchors[key] = anchor
            if row and row.get("password") and user.get("password_recorded"):
                self._prove(key, row, plan, steps)
            sets_password = False
            for step in steps:
                action = (plan[step.name].get(key) or {}).get("action")
                if step.creates and action == "created":
                    self.creating.setdefault(step.name, set()).add(key)
                if step.password and action in password_actions(step):
                    sets_password = True
            if sets_password:
                self.setting.add(key)
            elif verdict == "ours" and method.reports_unknown and user.get("password_generated") \
                    and not user.get("password_recorded"):
                self.unknown.append(user["upn"])
                if self.args.get("reset_unknown_passwords"):
                    self.resetting.add(key)
                    self.setting.add(key)
        return self.refused

    def _prove(self, key, row, plan, steps):
        """The sides where an account exists that was created just after the file recorded its password: an
        interrupted run set it there (it never got to say so in set_in)."""
        for step in steps:
            item = plan[step.name].get(key) or {}
            if not (step.creates and step.password) or item.get("action") not in ("unchanged", "updated"):
                continue
            when = (item.get("attributes") or {}).get("whenCreated") if step.side == "ad" else item.get("created_date_time")
            if preflight.recorded_before(row, when):
                self.proven.setdefault(key, set()).add(step.side)

    def run_problems(self, todo, plan):
        """What stops the whole run before any write: a sync engine in charge, too few licences."""
        if not todo:
            return []
        problems = []
        if self.args.get("directory_sync_enabled"):
            problems.append(preflight.SYNC_ENGINE)
        if "license" not in plan:
            return problems
        ids = dict((str(k).casefold(), str(v).casefold()) for k, v in (self.args.get("sku_ids") or {}).items())
        needs = {}
        for user in todo:
            cloud = plan.get("cloud", {}).get(user_key(user)) or {}
            have = set(str(s).casefold() for s in cloud.get("assigned_sku_ids") or [])
            for sku in user.get("licenses") or []:
                if ids.get(str(sku).casefold(), str(sku).casefold()) not in have:
                    needs[sku] = needs.get(sku, 0) + 1
        problems.extend(preflight.licence_shortage(needs, self.args.get("tenant_skus")))
        return problems

    # ------------------------------------------------------------------ module input in the write chunks
    def guard(self, step, users, module_args):
        """A creating step's input: users the plan saw as new may only be created, never found and changed;
        a cloud create carries the anchor of the AD user that is ours already (so the create links it, and
        the create of an earlier interrupted run is recognised by it)."""
        creating = self.creating.get(step.name) or set()
        if step.password and self.resetting:
            for user, entry in zip(users, module_args.get("users") or []):
                if user_key(user) in self.resetting and entry.get("password"):
                    entry["update_password"] = "always"
        if not step.creates or not creating:
            return module_args
        for user, entry in zip(users, module_args.get("users") or []):
            key = user_key(user)
            if key in creating:
                entry["create_only"] = True
                if step.side == "cloud" and key in self.anchors and not entry.get("on_premises_immutable_id"):
                    entry["on_premises_immutable_id"] = self.anchors[key]
        return module_args


def password_actions(step):
    """The results of a step that mean it set the password: a creating step sets it in the create only."""
    return ("created",) if step.creates else ("created", "updated")
