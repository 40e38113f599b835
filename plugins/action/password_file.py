# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for hybrid.identity.password_file: hand temporary passwords to the admin, safely."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import fcntl
import io
import os
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import VaultLib, is_encrypted
from ansible.plugins.action import ActionBase

ARGSPEC = dict(
    path=dict(type="path", required=True),
    entries=dict(type="list", elements="dict", required=True, no_log=True),
    vault=dict(type="bool", default=False),
    vault_id=dict(type="str"),
)
COLUMNS = ("upn", "sam_account_name", "name", "password")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _vault(self):
        secrets = getattr(self._loader, "_vault", None)
        secrets = getattr(secrets, "secrets", None) or []
        if not secrets:
            raise AnsibleError("vault=true but no vault password was given: run with --vault-password-file "
                               "or --ask-vault-pass")
        return VaultLib(secrets)

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
        lock = None
        try:
            vault = self._vault() if args["vault"] else None
            directory = os.path.dirname(path)
            os.makedirs(directory, mode=0o700, exist_ok=True)
            # Sites run in parallel (forks) may share one file: read-merge-write under an exclusive lock.
            lock = os.open(os.path.join(directory, "." + os.path.basename(path) + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
            fcntl.flock(lock, fcntl.LOCK_EX)
            rows = {}
            if os.path.exists(path):
                # Earlier runs' users stay in the file; a user imported again gets the new line.
                with open(path, "rb") as handle:
                    data = handle.read()
                if is_encrypted(data):
                    data = (vault or self._vault()).decrypt(data)
                for row in csv.DictReader(io.StringIO(to_text(data))):
                    rows[(row.get("upn") or "").lower()] = row
            for entry in args["entries"]:
                rows[(entry.get("upn") or "").lower()] = dict((c, entry.get(c) or "") for c in COLUMNS)
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            for key in sorted(rows):
                writer.writerow(rows[key])
            data = to_bytes(out.getvalue())
            if vault is not None:
                data = vault.encrypt(data)
            fd, tmp_path = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=directory)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except Exception:
                os.unlink(tmp_path)
                raise
            os.replace(tmp_path, path)
        except (AnsibleError, OSError, ValueError) as exc:
            result.update(failed=True, msg="cannot write the password file %s: %s" % (path, exc))
            return result
        finally:
            if lock is not None:
                os.close(lock)
        result.update(changed=True, msg="%d temporary passwords written to %s (mode 0600%s)"
                      % (len(args["entries"]), path, ", vault-encrypted" if args["vault"] else ""))
        return result
