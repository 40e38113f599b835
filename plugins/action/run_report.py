# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.run_report: join a role's step results, write CSV and HTML."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results
from ansible_collections.hybrid.identity.plugins.plugin_utils._report_files import write_report

ARGSPEC = dict(
    title=dict(type="str", required=True),
    name=dict(type="str", required=True),
    users=dict(type="list", elements="dict", default=[]),
    steps=dict(type="list", elements="raw", default=[]),
    excluded=dict(type="list", elements="dict", default=[]),
    records=dict(type="list", elements="dict"),
    columns=dict(type="list", elements="str"),
    report_dir=dict(type="path", default="hybrid_identity_reports"),
    notes=dict(type="list", elements="str", default=[]),
    fail_on_failed=dict(type="bool", default=True),
)
SECRET_KEYS = ("password", "client_secret", "domain_password")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGSPEC)
        check_mode = bool(self._task.check_mode if self._task.check_mode is not None else self._play_context.check_mode)
        if args["records"] is not None:
            records = [dict((k, v) for k, v in r.items() if k not in SECRET_KEYS) for r in args["records"]]
            for record in records:
                record.setdefault("status", "unchanged")
        else:
            steps = []
            for step in args["steps"]:
                if isinstance(step, dict):
                    steps.append((step["step"], step.get("results") or []))
                else:
                    steps.append((step[0], step[1] or []))
            users = [dict((k, v) for k, v in u.items() if k not in SECRET_KEYS) for u in args["users"]]
            records = merge_results(users, steps, args["excluded"])
        host = (task_vars or {}).get("inventory_hostname", "localhost")
        try:
            counts, paths, lines = write_report(args["title"], args["name"], records, args["report_dir"], host,
                                                check_mode, notes=args["notes"], columns=args["columns"])
        except OSError as exc:
            result.update(failed=True, msg="cannot write the report to %s: %s" % (args["report_dir"], exc))
            return result
        result.update(changed=False, summary=counts, report=paths, summary_lines=lines,
                      failures=[r for r in records if r["status"] == "failed"], msg="\n".join(lines))
        if args["fail_on_failed"] and counts.get("failed"):
            result["failed"] = True
        return result
