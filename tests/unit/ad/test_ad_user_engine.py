# -*- coding: utf-8 -*-
"""ad_user's planning against a fake directory (no server): the engine matches search results
in Python, so a fake that returns every known entry for any search is a faithful stand-in."""
import json

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import Entry
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_engine import UserEngine
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as c

BASE = "DC=corp,DC=example,DC=local"
SECRET = "Sup3r!Secret#Pw"


def user(cn, sam, upn=None, path="CN=Users," + BASE, uac=512, pwd_last_set=133486382450000000, guid=None, **attrs):
    raw = {"cn": [cn.encode()], "sAMAccountName": [sam.encode()], "userAccountControl": [str(uac).encode()],
           "pwdLastSet": [str(pwd_last_set).encode()], "objectClass": [b"top", b"person", b"user"],
           "objectGUID": [c.guid_to_bytes(guid or "00112233-4455-6677-8899-%012d" % (abs(hash(sam)) % 10 ** 12))],
           "primaryGroupID": [b"513"]}
    if upn:
        raw["userPrincipalName"] = [upn.encode()]
    for key, value in attrs.items():
        raw[key] = [v.encode() for v in (value if isinstance(value, list) else [value])]
    return Entry("CN=%s,%s" % (c.escape_rdn_value(cn), path), raw)


def group(cn, rid):
    sid = b"\x01\x05" + b"\x00" * 22 + rid.to_bytes(4, "little")
    return Entry("CN=%s,CN=Users,%s" % (cn, BASE), {"sAMAccountName": [cn.encode()], "objectClass": [b"group"],
                                                    "objectSid": [sid]})


class FakeClient(object):
    default_nc = BASE
    dns_domain = "corp.example.local"
    username = "admin@corp"
    server = "fake:636"

    def __init__(self, entries=()):
        self.entries = list(entries)
        self.writes = []
        self.searches = 0
        self.fail_on = {}

    def search(self, base, search_filter, attributes, scope="subtree", page_size=500):
        self.searches += 1
        if "objectClass=group" in search_filter:
            return [e for e in self.entries if b"group" in e.values("objectClass")]
        return [e for e in self.entries if b"group" not in e.values("objectClass")]

    def exists(self, dn):
        # the default container and the test OUs exist; a DN naming "Missing" does not
        return "missing" not in dn.lower()

    def _write(self, kind, dn, payload):
        self.writes.append((kind, dn, payload))
        if dn in self.fail_on:
            return False, self.fail_on[dn]
        return True, {"result": 0, "description": "success", "message": ""}

    def add(self, dn, object_class, attributes, secret=False):
        return self._write("add", dn, attributes)

    def modify(self, dn, changes, secret=False):
        return self._write("modify", dn, changes)

    def move(self, dn, rdn, parent=None):
        return self._write("move", dn, (rdn, parent))

    def delete(self, dn, tree=False):
        return self._write("delete", dn, None)


def run(users, entries=(), check=False, client=None):
    client = client or FakeClient(entries)
    defaults = {"state": "present", "update_password": "on_create"}
    engine = UserEngine(client, [dict(defaults, **u) for u in users], check_mode=check)
    engine.run()
    return client, {o["name"]: o for o in engine.outcomes()}


def test_create_derives_sam_upn_and_sends_password_in_the_add():
    client, out = run([{"name": u"José Müller", "given_name": u"José", "surname": u"Müller", "password": SECRET}])
    result = out[u"José Müller"]
    assert result["action"] == "create" or result["action"] == "created"
    assert result["extra"]["sam_account_name"] == "jose.muller"
    assert result["extra"]["upn"] == "jose.muller@corp.example.local"
    (kind, dn, attrs), = client.writes
    assert kind == "add" and dn == u"CN=José Müller,CN=Users," + BASE
    assert attrs["unicodePwd"] == c.encode_unicode_pwd(SECRET)
    assert attrs["userAccountControl"] == "512"      # enabled because a password was given
    assert SECRET not in json.dumps(out)


def test_check_mode_plans_and_writes_nothing():
    client, out = run([{"name": "New One", "password": SECRET}], check=True)
    assert out["New One"]["action"] == "created"
    assert client.writes == []
    assert out["New One"]["after"]["password"] == "(hidden)"


def test_no_password_creates_disabled():
    client, out = run([{"name": "No Pass"}])
    assert client.writes[0][2]["userAccountControl"] == "514"


def test_sam_collision_in_directory_and_input():
    existing = user("Other", "jose.muller")
    client, out = run([{"name": u"José Müller"}, {"name": "jose muller", "path": "OU=x," + BASE}], [existing])
    assert out[u"José Müller"]["extra"]["sam_account_name"] == "jose.muller2"
    assert out["jose muller"]["extra"]["sam_account_name"] == "jose.muller3"


def test_duplicate_explicit_sam_in_input_fails_the_second():
    client, out = run([{"name": "A", "sam_account_name": "dup"}, {"name": "B", "sam_account_name": "Dup",
                                                                     "identity": "b@x.com"}])
    assert out["A"]["error"] is None
    assert "also wanted by users[0]" in out["B"]["error"]
    assert [w[1] for w in client.writes] == ["CN=A,CN=Users," + BASE]


def test_sam_taken_by_another_object_fails_in_plan():
    existing = user("Holder", "taken")
    client, out = run([{"name": "New", "identity": "new@corp.example.local", "sam_account_name": "taken"}], [existing],
                      check=True)
    assert "already in use by CN=Holder" in out["New"]["error"]


def test_unchanged_user_writes_nothing():
    existing = user("Ann Lee", "ann", "ann@corp.example.local", givenName="Ann", sn="Lee")
    client, out = run([{"name": "Ann Lee", "sam_account_name": "ann", "given_name": "Ann", "surname": "Lee",
                        "enabled": True, "password": SECRET}], [existing])
    assert out["Ann Lee"]["action"] == "unchanged"
    assert client.writes == []


def test_update_password_always_resets_and_keeps_must_change():
    existing = user("Ann Lee", "ann", pwd_last_set=0)
    client, out = run([{"name": "Ann Lee", "sam_account_name": "ann", "password": SECRET, "update_password": "always",
                        "password_expired": True}], [existing])
    kinds = [list(w[2].keys()) for w in client.writes]
    assert kinds == [["unicodePwd"], ["pwdLastSet"]]
    assert "password" in out["Ann Lee"]["changed"]
    assert SECRET not in json.dumps(out)


def test_flags_and_attributes_in_one_modify():
    existing = user("Ann Lee", "ann", uac=514, title="old", otherTelephone=["1", "2"])
    client, out = run([{"name": "Ann Lee", "sam_account_name": "ann", "enabled": True, "password_never_expires": True,
                        "title": "new", "attributes": {"add": {"otherTelephone": ["3"]},
                                                       "remove": {"otherTelephone": "1"}}}], [existing])
    (kind, dn, changes), = client.writes
    assert changes["userAccountControl"] == [("replace", [str(512 | 65536)])]
    assert changes["title"] == [("replace", ["new"])]
    assert changes["otherTelephone"] == [("delete", ["1"]), ("add", ["3"])]
    assert set(out["Ann Lee"]["changed"]) == {"enabled", "password_never_expires", "title",
                                               "attributes.otherTelephone"}


def test_move_and_rename():
    existing = user("Ann Lee", "ann")
    client, out = run([{"name": "Ann Lee-Smith", "sam_account_name": "ann", "path": "OU=Staff," + BASE}], [existing])
    assert client.writes[0] == ("move", "CN=Ann Lee,CN=Users," + BASE, ("CN=Ann Lee-Smith", "OU=Staff," + BASE))
    assert out["Ann Lee-Smith"]["extra"]["dn"] == "CN=Ann Lee-Smith,OU=Staff," + BASE


def test_groups_batched_per_group_and_primary_group_kept():
    entries = [user("A", "a"), user("B", "b"), group("Staff", 1105), group("Domain Users", 513)]
    client, out = run([{"name": "A", "sam_account_name": "a", "groups": {"set": ["Staff"]}},
                       {"name": "B", "sam_account_name": "b", "groups": {"add": ["Staff", "Domain Users"]}}], entries)
    assert client.writes == [("modify", "CN=Staff,CN=Users," + BASE,
                              {"member": [("add", ["CN=A,CN=Users," + BASE, "CN=B,CN=Users," + BASE])]})]


def test_missing_group_fails_only_that_user():
    entries = [user("A", "a"), user("B", "b")]
    client, out = run([{"name": "A", "sam_account_name": "a", "groups": {"add": ["Nope"]}},
                       {"name": "B", "sam_account_name": "b", "title": "x"}], entries)
    assert "group(s) not found: Nope" in out["A"]["error"]
    assert out["B"]["error"] is None and out["B"]["action"] == "updated"


def test_forbidden_attribute_and_invalid_input():
    client, out = run([{"name": "A", "attributes": {"set": {"unicodePwd": "x"}}},
                       {"name": "B", "sam_account_name": "way-too-long-for-a-sam-name"},
                       {"name": "C", "country": "Germany"},
                       {"identity": "ghost"}])
    assert "use password" in out["A"]["error"]
    assert "at most 20" in out["B"]["error"]
    assert "two-letter" in out["C"]["error"]
    assert "name is required" in out["ghost"]["error"]
    assert client.writes == []


def test_same_object_listed_twice():
    entries = [user("A", "a", "a@corp.example.local")]
    client, out = run([{"identity": "a", "title": "x"}, {"identity": "a@corp.example.local", "title": "y"}], entries)
    assert "same directory object" in out["a@corp.example.local"]["error"]


def test_delete_and_absent():
    entries = [user("A", "a")]
    client, out = run([{"identity": "a", "state": "absent"}, {"identity": "b", "state": "absent"}], entries)
    assert out["a"]["action"] == "deleted" and out["b"]["action"] == "absent"
    assert client.writes == [("delete", "CN=A,CN=Users," + BASE, None)]


def test_dc_error_is_mapped_per_user():
    client = FakeClient()
    client.fail_on["CN=Weak,CN=Users," + BASE] = {
        "result": 19, "description": "constraintViolation",
        "message": "0000052D: Constraint violation - check_password_restrictions: the password is too short."}
    client, out = run([{"name": "Weak", "password": "abc"}, {"name": "Fine", "password": SECRET}], client=client)
    assert "password policy" in out["Weak"]["error"] and "too short" in out["Weak"]["error"]
    assert out["Fine"]["error"] is None
    assert "abc" not in out["Weak"]["error"]


def test_reads_are_few_for_many_users():
    entries = [user("U%03d" % i, "u%03d" % i) for i in range(500)]
    client, out = run([{"name": "U%03d" % i, "sam_account_name": "u%03d" % i, "title": "t"} for i in range(500)],
                      entries, check=True)
    assert client.searches <= 5
    assert all(o["action"] == "updated" for o in out.values())


@pytest.mark.parametrize("identity,kind", [("CORP\\jdoe", "sam"), ("jdoe@x.com", "upn"),
                                           ("CN=J,DC=x,DC=y", "dn"),
                                           ("00112233-4455-6677-8899-aabbccddeeff", "guid")])
def test_identity_kinds(identity, kind):
    from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import identity_term
    assert identity_term(identity)[0] == kind
