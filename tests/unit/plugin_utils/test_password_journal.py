"""The password file as a journal: written durably before passwords are set, never replacing a file that is
not ours, formula-safe text cells, and a vault-encrypted file that stays encrypted."""
import csv
import os
import stat

import pytest
from ansible.parsing.vault import VaultSecret, is_encrypted

from ansible_collections.hybrid.identity.plugins.plugin_utils._password_file import NotOurFile, PasswordFile


class Loader(object):
    def __init__(self, password=None):
        self._vault = type("V", (), {"secrets": [("default", VaultSecret(password.encode()))] if password else []})()


ENTRY = {"upn": "-dash@x.example", "sam_account_name": "dash", "name": "=HYPERLINK(1)", "password": "Abc-123-xyz!Q",
         "recorded": "2026-12-01T10:00:00Z", "set_in": ""}


def test_record_merges_and_keeps_mode_0600(tmp_path):
    path = str(tmp_path / "d" / "pw.csv")
    journal = PasswordFile(path, Loader())
    journal.load()
    journal.record([ENTRY])
    journal.record([{"upn": "-dash@x.example", "set_in": "ad cloud"}, dict(ENTRY, upn="b@x.example", name="B")])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    rows = list(csv.DictReader(open(path)))
    assert [r["upn"] for r in rows] == ["'-dash@x.example", "b@x.example"]     # text cells formula-safe
    assert rows[0]["name"] == "'=HYPERLINK(1)" and rows[0]["password"] == ENTRY["password"]
    assert rows[0]["set_in"] == "ad cloud" and rows[0]["recorded"] == ENTRY["recorded"]
    again = PasswordFile(path, Loader())
    assert again.load()["-dash@x.example"]["name"] == "=HYPERLINK(1)"        # read back as written
    assert again.password("-Dash@X.example") == ENTRY["password"]
    assert not [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")]


@pytest.mark.parametrize("content", [b"given_name,surname,username\nA,B,c\n", b"", b"\xff\xfe\x00"])
def test_a_file_that_is_not_ours_is_never_replaced(tmp_path, content):
    path = tmp_path / "users.csv"
    path.write_bytes(content)
    journal = PasswordFile(str(path), Loader())
    with pytest.raises(NotOurFile, match="not a hybrid.identity password file"):
        journal.load()
    with pytest.raises(NotOurFile):
        journal.record([ENTRY])
    assert path.read_bytes() == content


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(NotOurFile, match="not a file"):
        PasswordFile(str(tmp_path), Loader()).load()


def test_an_encrypted_file_stays_encrypted(tmp_path):
    path = str(tmp_path / "pw.csv")
    PasswordFile(path, Loader("s3cret"), vault=True).record([ENTRY])
    with open(path, "rb") as handle:
        assert is_encrypted(handle.read())
    # a later run without vault=true still decrypts it and writes it back encrypted
    journal = PasswordFile(path, Loader("s3cret"))
    assert journal.load()["-dash@x.example"]["password"] == ENTRY["password"]
    journal.record([dict(ENTRY, upn="c@x.example")])
    with open(path, "rb") as handle:
        data = handle.read()
    assert is_encrypted(data) and b"Abc-123" not in data
