# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The password file on the controller: the journal of the passwords a run sets, mode 0600 or vault.

A password is written here, durably (file and directory fsynced), before the write that sets it is
sent, with the time it was recorded; when the run ends each line says where it was set. A rerun
after any interruption finds every password here and reuses it, and the recorded time proves that
an account found under the same name is the one the interrupted run created (see _ownership)."""

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

from ansible_collections.hybrid.identity.plugins.module_utils._csv_cells import safe_cell

# The first four columns are the file's signature: a file without them is not ours and is never replaced.
COLUMNS = ("upn", "sam_account_name", "name", "password", "recorded", "set_in")
SIGNATURE = COLUMNS[:4]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class NotOurFile(AnsibleError):
    pass


def vault_of(loader):
    """The playbook's vault secrets (--vault-password-file / --ask-vault-pass) as a VaultLib."""
    secrets = getattr(getattr(loader, "_vault", None), "secrets", None) or []
    if not secrets:
        raise AnsibleError("vault=true but no vault password was given: run with --vault-password-file "
                           "or --ask-vault-pass")
    return VaultLib(secrets)


def _plain_cell(value):
    """Undo safe_cell's quote on the text columns (never on a password: generated ones never need it)."""
    if value and value.startswith("'") and value[1:2] in FORMULA_START and value[1:2] != "":
        return value[1:]
    return value


def _read(path, loader, vault_lib, encrypted=None):
    """{lower-case upn: row} of the file at path (missing: {}). Raises NotOurFile for a file we did not write.
    A vault-encrypted file is noted in encrypted (a list), so that it is never written back in the clear."""
    encrypted = [] if encrypted is None else encrypted
    if not os.path.exists(path):
        return {}
    if not os.path.isfile(path):
        raise NotOurFile("password_file %s exists and is not a file. Fix: point password_file at a new path" % path)
    with open(path, "rb") as handle:
        data = handle.read()
    if is_encrypted(data):
        data = (vault_lib or vault_of(loader)).decrypt(data)
        encrypted.append(path)
    try:
        text = to_text(data, errors="strict")
    except UnicodeError:
        text = None
    reader = csv.DictReader(io.StringIO(text or ""))
    if text is None or tuple(reader.fieldnames or ())[:4] != SIGNATURE:
        raise NotOurFile("password_file %s exists and is not a hybrid.identity password file (its first line is not "
                         "%s); it is never overwritten, and nothing was written. Fix: point password_file at a new "
                         "path, or move that file away" % (path, ",".join(COLUMNS)))
    rows = {}
    for row in reader:
        row = dict((c, row.get(c) or "") for c in COLUMNS)
        for column in ("upn", "sam_account_name", "name"):
            row[column] = _plain_cell(row[column])
        rows[row["upn"].lower()] = row
    return rows


class PasswordFile(object):
    """The password file of one run: read once, then recorded to (merge under lock, durable write)."""

    def __init__(self, path, loader, vault=False):
        self.path = path
        self.loader = loader
        self.vault = vault
        self._vault_lib = None
        self.rows = {}

    def vault_lib(self):
        if self.vault and self._vault_lib is None:
            self._vault_lib = vault_of(self.loader)
        return self._vault_lib

    def load(self):
        """Read the file (raises NotOurFile, AnsibleError); returns {lower-case upn: row}."""
        self.rows = _read(self.path, self.loader, self.vault_lib())
        return self.rows

    def password(self, upn):
        return (self.rows.get((upn or "").lower()) or {}).get("password") or None

    def record(self, entries):
        """Merge entries ({upn, sam_account_name, name, password, recorded, set_in}) into the file, durably.

        Other sites (forks) may share the file: read-merge-write under an exclusive lock. Returns the rows."""
        directory = os.path.dirname(self.path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        lock = os.open(os.path.join(directory, "." + os.path.basename(self.path) + ".lock"),
                       os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            encrypted = []
            rows = _read(self.path, self.loader, self.vault_lib(), encrypted)
            if encrypted and not self.vault:
                self.vault, self._vault_lib = True, vault_of(self.loader)   # stays encrypted
            for entry in entries:
                key = (entry.get("upn") or "").lower()
                row = dict(rows.get(key) or {})
                row.update((c, entry[c]) for c in COLUMNS if entry.get(c) is not None)
                rows[key] = dict((c, row.get(c) or "") for c in COLUMNS)
            self._write(directory, rows)
            self.rows = rows
        finally:
            os.close(lock)
        return self.rows

    def _write(self, directory, rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for key in sorted(rows):
            row = dict(rows[key])
            for column in ("upn", "sam_account_name", "name"):
                row[column] = safe_cell(row[column])
            writer.writerow(row)
        data = to_bytes(out.getvalue())
        if self.vault:
            data = self.vault_lib().encrypt(data)
        fd, tmp_path = tempfile.mkstemp(prefix="." + os.path.basename(self.path) + ".", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_path, self.path)
        except Exception:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise
        # the rename itself must survive a crash too
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_password_file(path, entries, loader, vault=False):
    """Merge entries into the file at path (the password_file action); returns the message.

    Raises AnsibleError (NotOurFile for a file we did not write), OSError or ValueError; the message never
    holds a password."""
    pwfile = PasswordFile(path, loader, vault=vault)
    pwfile.record(entries)
    return "%d temporary passwords written to %s (mode 0600%s)" % (len(entries), path, ", vault-encrypted" if vault else "")
