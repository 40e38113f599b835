# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The password file on the controller: generated passwords handed to the admin, mode 0600 or vault."""

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

COLUMNS = ("upn", "sam_account_name", "name", "password")


def vault_of(loader):
    """The playbook's vault secrets (--vault-password-file / --ask-vault-pass) as a VaultLib."""
    secrets = getattr(getattr(loader, "_vault", None), "secrets", None) or []
    if not secrets:
        raise AnsibleError("vault=true but no vault password was given: run with --vault-password-file "
                           "or --ask-vault-pass")
    return VaultLib(secrets)


def write_password_file(path, entries, loader, vault=False):
    """Merge entries ({upn, sam_account_name, name, password}) into the file at path; returns the message.

    Raises AnsibleError, OSError or ValueError; the message never holds a password."""
    lock = None
    try:
        vault_lib = vault_of(loader) if vault else None
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
                data = (vault_lib or vault_of(loader)).decrypt(data)
            for row in csv.DictReader(io.StringIO(to_text(data))):
                rows[(row.get("upn") or "").lower()] = row
        for entry in entries:
            rows[(entry.get("upn") or "").lower()] = dict((c, entry.get(c) or "") for c in COLUMNS)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])
        data = to_bytes(out.getvalue())
        if vault_lib is not None:
            data = vault_lib.encrypt(data)
        fd, tmp_path = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except Exception:
            os.unlink(tmp_path)
            raise
        os.replace(tmp_path, path)
    finally:
        if lock is not None:
            os.close(lock)
    return "%d temporary passwords written to %s (mode 0600%s)" % (len(entries), path, ", vault-encrypted" if vault else "")
