#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: run_report
short_description: Summarize a role's run and write its CSV and HTML reports
version_added: 1.0.0
description:
  - Runs on the controller (action plugin). Joins the per-object results of a role's steps (ad_user, cloud_user,
    cloud_license, account_link, ...) into one line per user with its overall status (created, updated, unchanged,
    failed, skipped, excluded) and the reasons, counts them, and writes C(<name>-<host>-<time>.csv) and C(.html) to
    O(report_dir) (with C(-check) in check mode, which writes nothing else).
  - Passwords are never written; only the report's columns are.
  - Fails after writing the reports when a user failed, unless O(fail_on_failed=false).
author:
  - hybrid.identity contributors (@hybrid-identity)
options:
  title:
    description: The report's title.
    type: str
    required: true
  name:
    description: The report files' name stem.
    type: str
    required: true
  users:
    description: The users of the run, each with C(key) (and C(name), C(upn), C(row), C(keys)).
    type: list
    elements: dict
    default: []
  steps:
    description: The steps in order, each C({step, results}) (or a pair) with the module's per-object results.
    type: list
    elements: raw
    default: []
  excluded:
    description: Users left out on purpose, each with C(upn) or C(name) and C(reason).
    type: list
    elements: dict
    default: []
  records:
    description: Ready-made report lines (with C(status)) instead of O(users) and O(steps).
    type: list
    elements: dict
  columns:
    description: The report's columns (default C(row name upn status steps changed reason)).
    type: list
    elements: str
  report_dir:
    description: Where the reports go on the controller; relative to the directory ansible-playbook runs in.
    type: path
    default: hybrid_identity_reports
  notes:
    description: Sentences shown at the top of the HTML report.
    type: list
    elements: str
    default: []
  fail_on_failed:
    description: Fail (after writing the reports) when any user failed.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Reports are written in check mode too, named C(-check), and show the plan.
  diff_mode:
    support: none
    description: No diff.
'''

EXAMPLES = r'''
- name: Report
  hybrid.identity.run_report:
    title: Onboard new users
    name: onboard_new_users
    users: "{{ checked.items | map('hybrid.identity.report_user') }}"
    steps:
      - {step: ad, results: "{{ ad_results }}"}
      - {step: cloud, results: "{{ cloud_results }}"}
'''

RETURN = r'''
summary:
  description: Users per status, and the total.
  returned: always
  type: dict
  sample: {created: 2, updated: 0, unchanged: 7, failed: 1, excluded: 0, skipped: 0, deleted: 0, total: 10}
report:
  description: The paths of the CSV and HTML reports.
  returned: always
  type: dict
summary_lines:
  description: The summary as printable lines (counts, then each failed or excluded user with the reason, then the report paths).
  returned: always
  type: list
  elements: str
failures:
  description: The report lines of the users that failed.
  returned: always
  type: list
  elements: dict
'''
