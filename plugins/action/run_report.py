# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.run_report: join a role's step results, write CSV and HTML."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os

from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.module_utils._report import (
    merge_results, render_csv, render_html, summarize, summary_lines)

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


def _write(path, text):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


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
        counts = summarize(records)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        host = (task_vars or {}).get("inventory_hostname", "localhost")
        stem = "%s-%s-%s%s" % (args["name"], host, stamp, "-check" if check_mode else "")
        directory = os.path.abspath(os.path.expanduser(args["report_dir"]))
        paths = {"csv": os.path.join(directory, stem + ".csv"), "html": os.path.join(directory, stem + ".html")}
        columns = tuple(args["columns"]) if args["columns"] else None
        try:
            os.makedirs(directory, exist_ok=True)
            kwargs = {"columns": columns} if columns else {}
            _write(paths["csv"], render_csv(records, **kwargs))
            _write(paths["html"], render_html(args["title"], records, counts, check_mode=check_mode,
                                              generated=datetime.datetime.now().isoformat(timespec="seconds"),
                                              notes=args["notes"], **kwargs))
        except OSError as exc:
            result.update(failed=True, msg="cannot write the report to %s: %s" % (directory, exc))
            return result
        lines = summary_lines(args["title"] + " [%s]" % host, counts, records, check_mode=check_mode, paths=paths)
        result.update(changed=False, summary=counts, report=paths, summary_lines=lines,
                      failures=[r for r in records if r["status"] == "failed"], msg="\n".join(lines))
        if args["fail_on_failed"] and counts.get("failed"):
            result["failed"] = True
        return result
