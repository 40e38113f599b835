# -*- coding: utf-8 -*-
"""ad_user's microsoft.ad names: module-level state / update_password with per-user overrides,
groups.lookup_failure_action (old name lookup_failure), lastname, account_locked, and the
distinguished_name / sid results. Planning against the fake directory of test_ad_user_engine."""
import json
import os
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_args import ad_user_argument_spec  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_engine import UserEngine  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import read_attributes, user_info  # noqa: E402
from ansible_collections.hybrid.identity.plugins.module_utils._ad_sid import sid_to_bytes  # noqa: E402

from test_ad_user_engine import BASE, SECRET, FakeClient, user  # noqa: E402

SID = "S-1-5-21-1004336348-1177238915-682003330-1105"


def run(users, entries=(), check=False, **module):
    """The engine as ad_user drives it: users exactly as given (no per-user defaults), module-level options."""
    client = FakeClient(entries)
    engine = UserEngine(client, users, check_mode=check, **module)
    engine.run()
    return client, {o["name"]: o for o in engine.outcomes()}


def validated(users, **top):
    """ad_user's argument spec applied to the input, as AnsibleModule does (aliases, defaults)."""
    params = dict(top, users=users, domain_server=["dc"], domain_username="u", domain_password="p")
    result = ArgumentSpecValidator(ad_user_argument_spec()).validate(params)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


# ------------------------------------------------------------------ argument spec
def test_module_level_defaults_and_per_user_options_without_defaults():
    params = validated([{"identity": "a"}])
    assert params["state"] == "present" and params["update_password"] == "on_create"
    assert params["users"][0]["state"] is None and params["users"][0]["update_password"] is None


def test_lookup_failure_action_and_its_aliases():
    for name in ("lookup_failure_action", "lookup_failure", "missing_behaviour"):
        params = validated([{"identity": "a", "groups": {"add": ["g"], name: "ignore"}}])
        assert params["users"][0]["groups"]["lookup_failure_action"] == "ignore", name
    assert validated([{"identity": "a", "groups": {"add": ["g"]}}])["users"][0]["groups"]["lookup_failure_action"] == "fail"


def test_lastname_is_surname():
    assert validated([{"identity": "a", "lastname": "Lee"}])["users"][0]["surname"] == "Lee"


# ------------------------------------------------------------------ state / update_password
def test_module_state_absent_deletes_users_without_their_own_state():
    entries = [user("A", "a"), user("B", "b")]
    client, out = run([{"identity": "a"}, {"identity": "b", "state": "present", "title": "x"}], entries,
                      state="absent")
    assert out["a"]["action"] == "deleted" and out["b"]["action"] == "updated"
    assert ("delete", "CN=A,CN=Users," + BASE, None) in client.writes
    assert not any(w[0] == "delete" and w[1].startswith("CN=B,") for w in client.writes)


def test_per_user_absent_overrides_module_present():
    client, out = run([{"identity": "a", "state": "absent"}], [user("A", "a")])
    assert out["a"]["action"] == "deleted"


def test_module_update_password_always_and_per_user_on_create():
    entries = [user("A", "a"), user("B", "b")]
    client, out = run([{"identity": "a", "password": SECRET},
                       {"identity": "b", "password": SECRET, "update_password": "on_create"}], entries,
                      update_password="always")
    assert [w[1] for w in client.writes if "unicodePwd" in w[2]] == ["CN=A,CN=Users," + BASE]
    assert "password" in out["a"]["changed"] and out["b"]["action"] == "unchanged"
    assert SECRET not in json.dumps(out)


def test_per_user_always_overrides_module_on_create():
    client, out = run([{"identity": "a", "password": SECRET, "update_password": "always"}], [user("A", "a")])
    assert [list(w[2]) for w in client.writes] == [["unicodePwd"]]


# ------------------------------------------------------------------ lookup_failure_action
def test_lookup_failure_action_ignore_and_the_old_name():
    entries = [user("A", "a"), user("B", "b")]
    client, out = run([{"identity": "a", "groups": {"add": ["Nope"], "lookup_failure_action": "ignore"}},
                       {"identity": "b", "groups": {"add": ["Nope"], "lookup_failure": "ignore"}}], entries)
    assert out["a"]["error"] is None and out["b"]["error"] is None
    client, out = run([{"identity": "a", "groups": {"add": ["Nope"]}}], entries)
    assert "groups.lookup_failure_action" in out["a"]["error"]


# ------------------------------------------------------------------ account_locked
def test_account_locked_false_unlocks_a_locked_user():
    locked = user("A", "a", lockoutTime="134406015641518624", **{"msDS-User-Account-Control-Computed": "16"})
    client, out = run([{"identity": "a", "account_locked": False}], [locked])
    assert client.writes == [("modify", "CN=A,CN=Users," + BASE, {"lockoutTime": [("replace", ["0"])]})]
    assert out["a"]["changed"] == ["account_locked"]
    assert out["a"]["before"] == {"account_locked": True} and out["a"]["after"] == {"account_locked": False}


def test_account_locked_false_on_an_unlocked_user_writes_nothing():
    # An expired lockout keeps its lockoutTime; the computed flags say the DC no longer holds it locked.
    expired = user("A", "a", lockoutTime="132000000000000000", **{"msDS-User-Account-Control-Computed": "0"})
    for entry in (user("A", "a", lockoutTime="0"), user("A", "a"), expired):
        client, out = run([{"identity": "a", "account_locked": False}], [entry])
        assert out["a"]["action"] == "unchanged" and client.writes == []


def test_account_locked_false_in_check_mode_writes_nothing():
    client, out = run([{"identity": "a", "account_locked": False}], [user("A", "a", lockoutTime="1", **{"msDS-User-Account-Control-Computed": "16"})], check=True)
    assert out["a"]["action"] == "updated" and client.writes == []


def test_account_locked_true_fails_that_user_by_name():
    entries = [user("A", "a"), user("B", "b")]
    client, out = run([{"identity": "a", "account_locked": True}, {"identity": "b", "title": "t"}], entries)
    assert out["a"]["error"].startswith("cannot lock a:") and "enabled: false" in out["a"]["error"]
    assert out["b"]["error"] is None
    assert [w[1] for w in client.writes] == ["CN=B,CN=Users," + BASE]


def test_a_new_user_with_account_locked_false_gets_no_lockout_time():
    client, out = run([{"name": "New", "account_locked": False}])
    (kind, dn, attrs), = client.writes
    assert kind == "add" and "lockoutTime" not in attrs and "account_locked" not in out["New"]["changed"]


def test_lockout_state_read_only_when_asked():
    assert "msDS-User-Account-Control-Computed" in read_attributes((), {"account_locked"})
    assert "msDS-User-Account-Control-Computed" not in read_attributes((), {"title"})
    assert "msDS-User-Account-Control-Computed" in read_attributes(())    # deletes read everything


# ------------------------------------------------------------------ results
def test_distinguished_name_and_sid_in_results():
    entry = user("A", "a")
    entry.raw["objectsid"] = [sid_to_bytes(SID)]
    client, out = run([{"identity": "a", "title": "t"}, {"name": "New"}], [entry], check=True)
    assert out["a"]["extra"]["distinguished_name"] == out["a"]["extra"]["dn"] == "CN=A,CN=Users," + BASE
    assert out["a"]["extra"]["sid"] == SID
    assert out["New"]["extra"]["distinguished_name"] == "CN=New,CN=Users," + BASE
    assert out["New"]["extra"]["sid"] is None and out["New"]["extra"]["object_guid"] is None


def test_ad_user_info_entries_carry_the_same_names():
    entry = user("A", "a")
    entry.raw["objectsid"] = [sid_to_bytes(SID)]
    info = user_info(entry)
    assert info["distinguished_name"] == info["dn"] == "CN=A,CN=Users," + BASE
    assert info["sid"] == SID and info["object_guid"]


# ------------------------------------------------------------------ SIDs as identities (what sid returns)
def test_identity_term_for_a_sid_is_the_binary_filter():
    from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import identity_term
    kind, term = identity_term(SID)
    assert kind == "sid"
    assert term == "(objectSid=%s)" % "".join("\\%02x" % b for b in sid_to_bytes(SID))


def test_a_user_found_by_its_sid_is_updated_not_created():
    other = user("B", "b")
    other.raw["objectsid"] = [sid_to_bytes(SID[:-4] + "1106")]
    target = user("A", "a")
    target.raw["objectsid"] = [sid_to_bytes(SID)]
    client, out = run([{"identity": SID.lower(), "name": "A", "title": "t"}], [other, target])
    (kind, dn, changes), = client.writes
    assert kind == "modify" and dn == "CN=A,CN=Users," + BASE and changes == {"title": [("replace", ["t"])]}


def test_groups_by_sid():
    from test_ad_user_engine import group
    from ansible_collections.hybrid.identity.plugins.module_utils._ad_sid import sid_from_bytes
    staff = group("Staff", 1105)                     # its SID ends in RID 1105, like S-1-5-21-1-2-3-1105 ...
    client, out = run([{"identity": "a", "groups": {"add": ["S-1-5-21-1-2-3-1105"]}}], [user("A", "a"), staff])
    assert "group(s) not found" in out["a"]["error"]  # ... but is another SID: matched whole, not by RID
    client, out = run([{"identity": "a", "groups": {"add": [sid_from_bytes(staff.value("objectSid"))]}}],
                      [user("A", "a"), staff])
    assert out["a"]["error"] is None
    assert client.writes == [("modify", "CN=Staff,CN=Users," + BASE, {"member": [("add", ["CN=A,CN=Users," + BASE])]})]
