"""Leavers as pure logic: the marker, who gets revoked, the restore record's merge and its file."""
import json
import os

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _offboard_logic as logic
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import validate_identities
from ansible_collections.hybrid.identity.plugins.plugin_utils._offboard_record import OffboardRecord

GUID = "00112233-4455-6677-8899-aabbccddeeff"


def ad(**extra):
    base = {"object_guid": GUID, "dn": "CN=J,OU=Staff,DC=x", "path": "OU=Staff,DC=x", "enabled": True,
            "groups": ["CN=Sales,DC=x"], "upn": "j@corp.local", "sam_account_name": "j", "name": "J",
            "link_value": "C1", "attributes": {}}
    base.update(extra)
    return base


CLOUD = {"id": "C1", "user_principal_name": "j@contoso.com", "account_enabled": True,
         "assigned_licenses": [{"sku_id": "S1"}], "on_premises_sync_enabled": False}


def test_marker_round_trip_and_foreign_values():
    value = logic.marker_value("2026-12-01T10:00:00Z")
    assert logic.marker_date(value) == "2026-12-01T10:00:00Z"
    assert logic.marker_date([value]) == "2026-12-01T10:00:00Z"
    # someone else's use of the attribute is not our marker
    for other in (None, "", "cost centre 42", "hybrid.identity offboarded yesterday", [value, value]):
        assert logic.marker_date(other) is None


def test_pair_users_takes_the_cloud_upn_and_keys_by_the_ad_guid():
    users = logic.pair_users([ad()], {"c1": CLOUD}, [], "m")
    user = users[0]
    assert user["key"] == "ad:" + GUID and user["upn"] == "j@contoso.com" and user["cloud_id"] == "C1"
    assert user["cloud_facts"]["sku_ids"] == ["S1"] and user["ad_facts"]["groups"] == ["CN=Sales,DC=x"]
    alone = logic.pair_users([ad(link_value=None)], {}, [dict(CLOUD, id="C2")], "m")
    assert alone[0]["cloud_facts"] is None and alone[0]["upn"] == "j@corp.local"
    assert alone[1]["key"] == "cloud:c2" and alone[1]["ad_facts"] is None


def test_revoke_until_graph_shows_a_revocation_since_the_offboarding_began():
    marker = logic.marker_value("2026-12-01T10:00:00Z")
    user = logic.pair_users([ad()], {"c1": CLOUD}, [], "m")[0]
    assert logic.cloud_entry(user)["revoke_sessions"] is True                # still enabled
    assert "revoke_sessions" not in logic.cloud_entry(user, revoke=False)

    def blocked(valid_from, started="2026-12-01T10:00:00Z"):
        cloud = dict(CLOUD, account_enabled=False, sign_in_sessions_valid_from=valid_from)
        out = logic.pair_users([ad(attributes={"m": marker})], {"c1": cloud}, [], "m")[0]
        out["started"] = started
        return out
    # blocked by a run that stopped before its revoke: never revoked, or revoked long before
    assert logic.cloud_entry(blocked(None))["revoke_sessions"] is True
    assert logic.cloud_entry(blocked("2026-11-01T00:00:00Z"))["revoke_sessions"] is True
    # revoked at (or, clocks differing, a little before) the offboarding: finished, a rerun writes nothing
    assert "revoke_sessions" not in logic.cloud_entry(blocked("2026-12-01T10:00:03Z"))
    assert "revoke_sessions" not in logic.cloud_entry(blocked("2026-12-01T09:57:00Z"))
    # blocked, but no offboarding of ours is known: nothing to finish
    assert "revoke_sessions" not in logic.cloud_entry(blocked(None, started=None))


def test_one_ad_modify_disables_and_marks_and_keeps_the_first_time():
    user = logic.pair_users([ad()], {"c1": CLOUD}, [], "m")[0]
    entry = logic.ad_entry(user, "m", "2026-12-01T10:00:00Z", move_to="OU=Leavers,DC=x", remove_groups=True)
    assert entry == {"identity": GUID, "enabled": False, "path": "OU=Leavers,DC=x", "groups": {"set": []},
                     "attributes": {"set": {"m": "hybrid.identity offboarded 2026-12-01T10:00:00Z"}}}
    done = logic.pair_users([ad(attributes={"m": logic.marker_value("2026-11-01T00:00:00Z")})], {}, [], "m")[0]
    assert logic.ad_entry(done, "m", "2026-12-01T10:00:00Z")["attributes"]["set"]["m"].endswith("2026-11-01T00:00:00Z")


def test_retention_counts_days_from_the_marker():
    now = logic._epoch("2026-12-31T00:00:00Z")
    assert logic.due_for_deletion("2026-12-01T00:00:00Z", 30, now) is True
    assert logic.due_for_deletion("2026-12-01T00:00:01Z", 30, now) is False
    assert logic.due_for_deletion("2026-01-01T00:00:00Z", 0, now) is False   # 0: never
    assert logic.due_for_deletion(None, 30, now) is False


def test_protected_and_synced_accounts_are_refused_by_name():
    users = logic.pair_users([ad(attributes={"adminCount": ["1"]})], {"c1": CLOUD}, [], "m")
    assert "adminCount=1" in logic.input_problems(users, False)["ad:" + GUID]
    assert logic.input_problems(users, True) == {}
    synced = logic.pair_users([ad()], {"c1": dict(CLOUD, on_premises_sync_enabled=True)}, [], "m")
    assert "directory sync engine" in logic.input_problems(synced, False)["ad:" + GUID]


def test_an_attribute_someone_else_uses_is_never_overwritten_by_the_marker():
    users = logic.pair_users([ad(attributes={"m": "cost centre 42"})], {"c1": CLOUD}, [], "m")
    assert "already holds 'cost centre 42'" in logic.input_problems(users, False)["ad:" + GUID]


def test_merge_keeps_what_an_earlier_run_removed():
    first = {"key": "k", "groups": ["A", "B"], "sku_ids": ["S1"], "ad_enabled": True, "offboarded": "T1", "ad_path": "OU=1"}
    rerun = {"key": "k", "groups": [], "sku_ids": [], "ad_enabled": False, "offboarded": "T2", "ad_path": "OU=Leavers"}
    merged = logic.merge_record(first, rerun)
    assert merged["groups"] == ["A", "B"] and merged["sku_ids"] == ["S1"]
    assert merged["ad_enabled"] is True and merged["offboarded"] == "T1" and merged["ad_path"] == "OU=1"
    restored = logic.merge_record(merged, {"key": "k", "restored": "T3"})
    assert restored["restored"] == "T3" and restored["groups"] == ["A", "B"]
    again = logic.merge_record(restored, dict(rerun, groups=["C"]))   # offboarded anew after the restore
    assert again["groups"] == ["C"] and "restored" not in again


def test_record_file_appends_fsynced_lines_and_refuses_foreign_content(tmp_path):
    path = str(tmp_path / "reports" / "record.jsonl")
    record = OffboardRecord(path)
    assert record.load() == {}
    assert record.record([{"key": "k", "groups": ["A"], "sku_ids": []}]) == 1
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert record.record([{"key": "k", "groups": [], "sku_ids": []}]) == 0     # adds nothing: no line
    assert record.record([{"key": "k", "groups": ["B"], "sku_ids": []}]) == 1
    lines = [json.loads(l) for l in open(path).read().splitlines()]
    assert [l["groups"] for l in lines] == [["A"], ["A", "B"]]
    assert OffboardRecord(path).load()["k"]["groups"] == ["A", "B"]
    with open(path, "a") as handle:
        handle.write("not json\n")
    with pytest.raises(ValueError, match="line 3 is not an offboarding record"):
        OffboardRecord(path).load()


def test_restore_needs_an_entry_and_both_accounts():
    users = logic.pair_users([ad()], {"c1": CLOUD}, [], "m")
    assert "no offboarding in the restore record" in logic.restore_problems(users, {}, "R")["ad:" + GUID]
    entry = {"key": "ad:" + GUID, "ad_guid": GUID, "cloud_id": "C1", "cloud_upn": "j@contoso.com", "groups": ["G"],
             "ad_path": "OU=Staff,DC=x", "ad_enabled": True, "sku_ids": ["S1"]}
    assert logic.restore_problems(users, {"ad:" + GUID: entry}, "R") == {}
    gone = logic.pair_users([ad(link_value="C9")], {}, [], "m")   # deleted in the cloud: cloud_user restores it
    assert logic.restore_problems(gone, {"ad:" + GUID: entry}, "R") == {}
    assert logic.restore_cloud_entry(entry)["restore_deleted"] is True
    # an AD user gone too is reanimated (ad_user_restore), with the UPN and the link no tombstone keeps
    assert logic.restore_ad_entry(dict(entry, ad_upn="j@corp.local"), "m", "link")["upn"] == "j@corp.local"
    assert logic.restore_ad_entry(dict(entry, ad_upn="j@corp.local"), "m", "link")["attributes"] == {"set": {"link": "C1"}}
    assert "upn" not in logic.restore_ad_entry(dict(entry, ad_upn="j@corp.local"), "m")   # a live user keeps its own
    assert logic.restore_ad_entry(entry, "m") == {"identity": GUID, "enabled": True, "path": "OU=Staff,DC=x",
                                                  "groups": {"add": ["G"], "lookup_failure_action": "warn"}}
    assert "enabled" not in logic.restore_ad_entry(dict(entry, ad_enabled=False), "m")   # it was disabled before


def test_identities_are_named_once_each():
    names, errors = validate_identities([(1, {"identity": "j"}), (2, {"identity": " J "}), (3, {"identity": ""}),
                                         (4, {"who": "x"})])
    assert names == ["j"]
    assert "item 2" in errors[0] and "already listed in item 1" in errors[0]
    assert "identity is empty" in errors[1] and "unknown field(s) who" in errors[2]


def test_reactivation_refusal_names_the_fix_unless_named():
    msg = logic.reactivation_refusal(("j@contoso.com", "j"), "2026-12-01T10:00:00Z", [])
    assert "was offboarded on 2026-12-01T10:00:00Z" in msg and "reactivate" in msg
    assert logic.reactivation_refusal(("j@contoso.com", "j"), "2026-12-01T10:00:00Z", ["J"]) is None
    assert logic.reactivation_refusal(("j@contoso.com",), None, []) is None
