# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.user_input: read and check a role's input on the controller."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.module_utils._role_input import (
    InputError, chunk_plan, validate_pairs)
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import with_passwords
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import (
    ROWS_ARGSPEC, check_new_users, input_failure, load_rows)

ARGSPEC = dict(
    ROWS_ARGSPEC,
    kind=dict(type="str", default="new_users", choices=["new_users", "pairs"]),
    chunk_size=dict(type="int", default=500),
    generate_passwords=dict(type="bool", default=False),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGSPEC,
                                                   mutually_exclusive=[("users", "csv")])
        kind = args["kind"]
        noun = "pairs" if kind == "pairs" else "users"
        try:
            rows, source = load_rows(args["csv"], args["users"], kind)
        except (InputError, UnicodeError, AnsibleError) as exc:
            result.update(failed=True, msg="cannot read the input: %s" % exc, errors=[str(exc)])
            return result
        if kind == "pairs":
            items, errors = validate_pairs(rows, source=source)
        else:
            items, errors = check_new_users(rows, source, args)
        if errors:
            result.update(failed=True, errors=errors, count=len(rows),
                          msg=input_failure(errors, len(rows), kind, args["max_errors"]))
            return result
        if kind == "new_users" and args["generate_passwords"]:
            items = with_passwords(items)
        if not items:
            result.update(failed=True, msg="the input holds no %s" % noun)
            return result
        result.update(changed=False, rows=items, count=len(items), chunks=chunk_plan(len(items), args["chunk_size"], noun))
        if any("password" in item for item in items):
            result["_ansible_no_log"] = True
        return result
