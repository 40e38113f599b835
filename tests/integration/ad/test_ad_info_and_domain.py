# -*- coding: utf-8 -*-
"""ad_user_info, ad_upn_suffix and ad_domain_info against the lab DC."""
import os
import sys

import ldap3

from integration.ad.conftest import read_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _make_users(run, ou, uid, count=5):
    users = [{"name": "Info %d %s" % (i, uid), "sam_account_name": "info%d-%s" % (i, uid), "path": ou,
              "department": "Dept-" + uid if i % 2 == 0 else "Other-" + uid} for i in range(count)]
    result = run("ad_user", {"users": users})
    return result["users"]


def test_info_by_identity_filter_ou_scope_group_nested_and_paging(run, ldap, ou, uid):
    created = _make_users(run, ou, uid)
    sub = "OU=sub,%s" % ou
    assert ldap.add(sub, ["top", "organizationalUnit"])
    run("ad_user", {"users": [{"name": "Deep " + uid, "sam_account_name": "deep-" + uid, "path": sub}]})
    inner, outer = "CN=inner-%s,%s" % (uid, ou), "CN=outer-%s,%s" % (uid, ou)
    assert ldap.add(inner, ["top", "group"], {"sAMAccountName": "inner-" + uid})
    assert ldap.add(outer, ["top", "group"], {"sAMAccountName": "outer-" + uid, "member": [inner]})
    run("ad_user", {"users": [{"identity": "info1-" + uid, "groups": {"add": ["inner-" + uid]}},
                              {"identity": "info2-" + uid, "groups": {"add": [outer]}}]})
    ldap.modify(created[3]["dn"], {"msDS-cloudExtensionAttribute1": [(ldap3.MODIFY_REPLACE, ["cloud-id-" + uid])]})

    by_id = run("ad_user_info", {"identity": ["info0-" + uid, created[1]["object_guid"], created[2]["dn"],
                                              "nobody-" + uid]})
    assert by_id["count"] == 3 and by_id["missing"] == ["nobody-" + uid]
    first = [u for u in by_id["users"] if u["sam_account_name"] == "info0-" + uid][0]
    assert first["object_guid"] == created[0]["object_guid"] and first["immutable_id"] == created[0]["immutable_id"]
    assert first["enabled"] is False and first["must_change_password"] is True
    assert first["link_attribute"] == "msDS-cloudExtensionAttribute1" and first["link_value"] is None

    linked = run("ad_user_info", {"identity": ["info3-" + uid], "properties": ["whenChanged"]})["users"][0]
    assert linked["link_value"] == linked["cloud_object_id"] == "cloud-id-" + uid
    assert linked["attributes"]["whenChanged"]

    filtered = run("ad_user_info", {"filter": "(department=Dept-%s)" % uid})
    assert sorted(u["sam_account_name"] for u in filtered["users"]) == ["info0-" + uid, "info2-" + uid,
                                                                         "info4-" + uid]
    subtree = run("ad_user_info", {"search_base": ou})
    assert subtree["count"] == 6
    one = run("ad_user_info", {"search_base": ou, "search_scope": "one_level"})
    assert one["count"] == 5
    direct = run("ad_user_info", {"group": outer})
    assert [u["sam_account_name"] for u in direct["users"]] == ["info2-" + uid]
    nested = run("ad_user_info", {"group": "outer-" + uid, "nested": True})
    assert sorted(u["sam_account_name"] for u in nested["users"]) == ["info1-" + uid, "info2-" + uid]

    paged = run("ad_user_info", {"search_base": ou, "page_size": 2})
    assert paged["count"] == 6
    assert paged["ldap_operations"]["pages"] >= 3, paged["ldap_operations"]     # 6 entries in pages of 2
    missing_group = run("ad_user_info", {"group": "no-such-%s" % uid}, expect_failure=True)
    assert "group 'no-such-%s' not found" % uid in missing_group["msg"]


def test_upn_suffix_check_add_rerun_remove(run, ldap, lab, uid):
    suffix = "m365-%s.example.com" % uid
    partitions = "CN=Partitions,CN=Configuration," + lab["LAB_DOMAIN_DN"]

    def suffixes():
        ldap.search(partitions, "(objectClass=*)", ldap3.BASE, attributes=["uPNSuffixes"])
        return [v.decode() for v in ldap.response[0]["raw_attributes"].get("uPNSuffixes", [])]

    try:
        check = run("ad_upn_suffix", {"name": suffix}, check=True, diff=True)
        assert check["changed"] and suffix in check["suffixes"] and suffix not in suffixes()
        assert run("ad_upn_suffix", {"name": suffix})["changed"] and suffix in suffixes()
        assert not run("ad_upn_suffix", {"name": suffix.upper()})["changed"]
        # the .local fix: a user gets a UPN in the routable suffix
        info = run("ad_domain_info", {})
        assert suffix in info["upn_suffixes"] and info["upn_suffix_routable"]
        assert not run("ad_upn_suffix", {"name": lab["LAB_REALM"].lower()})["changed"]
        bad = run("ad_upn_suffix", {"name": "not a domain"}, expect_failure=True)
        assert "not a DNS domain name" in bad["msg"]
        check = run("ad_upn_suffix", {"name": suffix, "state": "absent"}, check=True)
        assert check["changed"] and suffix in suffixes()
        assert run("ad_upn_suffix", {"name": suffix, "state": "absent"})["changed"] and suffix not in suffixes()
        assert not run("ad_upn_suffix", {"name": suffix, "state": "absent"})["changed"]
    finally:
        if suffix in suffixes():
            ldap.modify(partitions, {"uPNSuffixes": [(ldap3.MODIFY_DELETE, [suffix])]})


def test_user_upn_in_a_new_suffix(run, ldap, ou, uid):
    suffix = "routable-%s.example.com" % uid
    run("ad_upn_suffix", {"name": suffix})
    try:
        user = {"name": "Routable " + uid, "sam_account_name": "rt-" + uid, "path": ou}
        run("ad_user", {"users": [user]})
        moved = run("ad_user", {"users": [dict(user, upn="rt-%s@%s" % (uid, suffix))]})
        assert moved["users"][0]["changed_attributes"] == ["upn"]
        assert read_user(ldap, "rt-" + uid)["userPrincipalName"] == ["rt-%s@%s" % (uid, suffix)]
    finally:
        run("ad_upn_suffix", {"name": suffix, "state": "absent"})


def test_domain_info(run, lab):
    info = run("ad_domain_info", {})
    assert info["dns_domain"] == lab["LAB_REALM"].lower()
    assert info["netbios_name"] == lab["LAB_NETBIOS"]
    assert info["default_naming_context"] == lab["LAB_DOMAIN_DN"]
    assert info["link_attribute_in_schema"] is True
    assert info["domain_functional_level"]["level"] >= 2 and info["forest_functional_level"]["name"]
    assert info["dc_dns_name"].endswith(lab["LAB_REALM"].lower())
    assert info["dc_time"].endswith("Z")
    assert lab["LAB_DOMAIN_DN"] in info["naming_contexts"]
    missing = run("ad_domain_info", {"link_attribute": "noSuchAttribute-xyz"})
    assert missing["link_attribute_in_schema"] is False


def test_starttls_and_second_site(run, lab):
    tls = run("ad_domain_info", {"domain_encryption": "starttls"})
    assert tls["domain_controller"] == "127.0.0.1:389"
    site2 = os.path.join(ROOT, ".lab", "site2.env")
    if os.path.exists(site2):
        from integration.lab_env import read_env_file
        env2 = read_env_file(site2)
        other = run("ad_domain_info", {}, env=dict((k, env2[k]) for k in env2 if k.startswith("HYBRID_IDENTITY_")))
        assert other["dns_domain"] == env2["LAB_REALM"].lower()


def test_certificate_validation_and_option_beats_environment(run, lab, tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
    import pki
    pki.make_ca(str(tmp_path), "some other CA")
    wrong = run("ad_domain_info", {"ca_path": str(tmp_path / "ca.pem")}, expect_failure=True)
    assert "certificate" in wrong["msg"] and "ca_path" in wrong["msg"]
    lab_only = run("ad_domain_info", {"validate_certs": False, "ca_path": str(tmp_path / "ca.pem")})
    assert lab_only["dns_domain"]
    bad_login = run("ad_domain_info", {"domain_password": "wrong-password"}, expect_failure=True)
    assert "refused the credentials" in bad_login["msg"] and "wrong-password" not in str(bad_login)
    no_server = run("ad_domain_info", {}, env={"HYBRID_IDENTITY_DOMAIN_SERVER": ""}, expect_failure=True)
    assert "domain_server" in no_server["msg"]
