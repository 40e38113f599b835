# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.password_file: hand temporary passwords to the admin, safely."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid.identity.plugins.plugin_utils._password_file import write_password_file

ARGSPEC = dict(
    path=dict(type="path", required=True),
    entries=dict(type="list", elements="dict", required=True, no_log=True),
    vault=dict(type="bool", default=False),
    vault_id=dict(type="str"),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGSPEC)
        path = os.path.abspath(os.path.expanduser(args["path"]))
        result.update(changed=False, path=path, count=len(args["entries"]), encrypted=args["vault"])
        if not args["entries"]:
            result["msg"] = "no new passwords; %s left as it is" % path
            return result
        check_mode = bool(self._task.check_mode if self._task.check_mode is not None else self._play_context.check_mode)
        if check_mode:
            result["msg"] = "check mode: %d passwords would be written to %s" % (len(args["entries"]), path)
            return result
        try:
            msg = write_password_file(path, args["entries"], self._loader, vault=args["vault"])
        except (AnsibleError, OSError, ValueError) as exc:
            result.update(failed=True, msg="cannot write the password file %s: %s" % (path, exc))
            return result
        result.update(changed=True, msg=msg)
        return result
