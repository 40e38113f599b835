"""attribute_map of add_cloud_accounts: an unknown key is a problem that names it and the valid keys."""
from ansible_collections.hybrid.identity.plugins.module_utils import _role_logic as logic

AD = [{"sam_account_name": "ann", "upn": "ann@contoso.com", "given_name": "Ann", "title": "Boss", "object_guid": "g",
       "manager": "CN=Bob,DC=corp"}]


def test_known_keys_map_and_drop_without_problems():
    entries, problems = logic.ad_to_cloud(AD, ["contoso.com"], "contoso.com",
                                          {"job_title": None, "department": "title"}, "US")
    assert problems == []
    assert entries[0]["cloud"]["department"] == "Boss" and "job_title" not in entries[0]["cloud"]


def test_unknown_keys_are_named_with_the_valid_keys():
    entries, problems = logic.ad_to_cloud(AD, ["contoso.com"], "contoso.com",
                                          {"jobtitle": "title", "manager": "manager", "city": None}, "US")
    assert len(problems) == 2
    typo = next(p for p in problems if "jobtitle" in p)
    assert "unknown key jobtitle" in typo and "did you mean job_title?" in typo
    manager = next(p for p in problems if "manager" in p)
    assert "unknown key manager" in manager
    for problem in problems:
        assert ", ".join(sorted(logic.AD_TO_CLOUD)) in problem
    # nothing was mapped from the unknown keys
    assert "manager" not in entries[0]["cloud"] and "jobtitle" not in entries[0]["cloud"]


def test_unknown_key_reported_even_without_users():
    entries, problems = logic.ad_to_cloud([], ["contoso.com"], "contoso.com", {"manager": "manager"})
    assert entries == [] and len(problems) == 1
