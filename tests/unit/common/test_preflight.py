"""The creating jobs' preflight: who owns an existing account, the whole run's licences (pure logic)."""
from ansible_collections.hybrid.identity.plugins.module_utils._preflight import (
    created_by_journal, judge, licence_shortage, parse_time, utc_now_text)

ANCHOR = "MyIRAFVEd2aImaq7zN3u/w=="


def ad(action, anchor=ANCHOR, created="20261201100005.0Z", sam="jdoe"):
    return {"action": action, "immutable_id": anchor, "dn": "CN=J Doe,CN=Users,DC=corp", "sam_account_name": sam,
            "attributes": {"whenCreated": created}}


def cloud(action, anchor=None):
    return {"action": action, "id": "c1", "name": "jdoe@contoso.com", "on_premises_immutable_id": anchor}


def row(recorded="2026-12-01T10:00:00Z", sam="jdoe"):
    return {"upn": "jdoe@contoso.com", "sam_account_name": sam, "password": "x", "recorded": recorded}


def test_new_on_both_sides_is_new():
    assert judge(ad("created"), cloud("created")) == ("new", None, None)


def test_a_new_ad_user_never_takes_an_existing_cloud_account():
    verdict, side, message = judge(ad("created"), cloud("updated"))
    assert (verdict, side) == ("refused", "cloud")
    assert "jdoe@contoso.com" in message and "link_accounts" in message


def test_an_existing_ad_account_is_someone_elses_without_proof():
    verdict, side, message = judge(ad("updated"), cloud("created"))
    assert (verdict, side) == ("refused", "ad")
    assert "CN=J Doe,CN=Users,DC=corp" in message and "another username" in message


def test_the_same_persons_pair_is_ours():
    assert judge(ad("unchanged"), cloud("unchanged", anchor=ANCHOR))[0] == "ours"


def test_a_cloud_user_anchored_elsewhere_is_not_ours():
    assert judge(ad("unchanged"), cloud("unchanged", anchor="b3RoZXI="))[:2] == ("refused", "ad")


def test_the_journal_proves_an_interrupted_create():
    assert judge(ad("unchanged"), cloud("created"), row())[0] == "ours"
    # ...but not the cloud account someone else holds under the UPN
    assert judge(ad("unchanged"), cloud("updated"), row())[:2] == ("refused", "cloud")


def test_the_journal_proves_nothing_for_an_account_older_than_the_record():
    assert judge(ad("unchanged", created="20261130100000.0Z"), cloud("created"), row())[:2] == ("refused", "ad")
    # a record that names another sAMAccountName proves nothing either
    assert judge(ad("unchanged"), cloud("created"), row(sam="other"))[:2] == ("refused", "ad")


def test_created_by_journal_window():
    assert created_by_journal(row(), "JDOE", "20261201095601.0Z")       # DC clock 4 minutes behind
    assert not created_by_journal(row(), "jdoe", "20261201095400.0Z")   # 6 minutes before the record
    assert created_by_journal(row(), "jdoe", "20261201105900.0Z")
    assert not created_by_journal(row(), "jdoe", "20261201110100.0Z")   # over an hour after
    assert not created_by_journal(row(recorded=""), "jdoe", "20261201100005.0Z")
    assert not created_by_journal(None, "jdoe", "20261201100005.0Z")


def test_times_parse_both_spellings():
    assert parse_time("2026-12-01T10:00:00Z") == parse_time("20261201100000.0Z")
    assert parse_time(utc_now_text(0)) == 0
    assert parse_time("garbage") is None


def test_licence_shortage_counts_the_whole_run_per_sku():
    skus = [{"sku_id": "s1", "sku_part_number": "ENTERPRISEPACK", "free": 3},
            {"sku_id": "s2", "sku_part_number": "SPB", "free": 10}]
    # rows may name a SKU by part number or by id: both count against the same units
    problems = licence_shortage({"ENTERPRISEPACK": 2, "s1": 2, "SPB": 10}, skus)
    assert problems == ["licence ENTERPRISEPACK: this run assigns 4, the tenant has 3 free. Fix: buy or free 1 more, "
                        "or take the licence off 1 rows"]
    assert licence_shortage({"enterprisepack": 3}, skus) == []


def test_a_row_without_a_sam_account_name_proves_by_its_upn():
    # import_cloud_accounts rows name no sAMAccountName (AD derives one): the row was found by the UPN
    assert created_by_journal(row(sam=""), "derived1", "20261201100005.0Z")
