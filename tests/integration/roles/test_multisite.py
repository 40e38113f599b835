"""examples/inventories/multisite in the lab: two sites (CORP on 127.0.0.1, BRANCH on 127.0.0.2), one tenant,
run together with forks=2. Site2's credentials come from the lab (lab.env's LAB_SITE2_* variables)."""
import csv
import os
import uuid

import pytest

from roles_lab import (ROOT, admin, ad_users, cloud_user, delete_ad_users, immutable_id, play, read_env_file,
                       report_rows, text, writes)

TAG = uuid.uuid4().hex[:5]
INVENTORY = os.path.join(ROOT, "examples", "inventories", "multisite")


@pytest.fixture()
def sites(lab, lab_site2):
    both = dict(lab)
    exported = read_env_file(os.path.join(ROOT, ".lab", "lab.env"))
    # lab.env carries site2's connection under prefixed names once site2 is provisioned.
    for name in ("LAB_SITE2_DOMAIN_SERVER", "LAB_SITE2_DOMAIN_USERNAME", "LAB_SITE2_DOMAIN_PASSWORD", "LAB_SITE2_REALM",
                 "LAB_SITE2_DOMAIN_DN"):
        assert exported.get(name), "lab.env does not export %s" % name
        both[name] = exported[name]
    assert both["LAB_SITE2_DOMAIN_SERVER"] == lab_site2["HYBRID_IDENTITY_DOMAIN_SERVER"] == "127.0.0.2"
    assert both["LAB_SITE2_REALM"] == lab_site2["LAB_REALM"]
    # Nothing hand-set: no SITE2_* variables in the environment the playbook sees.
    for name in [n for n in os.environ if n.startswith("SITE2_")]:
        os.environ.pop(name)
    admin(lab, "/reset", {})
    yield both
    for name in ("site1", "site2"):
        delete_ad_users(both, "(department=Multi%s)" % TAG, name)


def test_onboard_two_sites_in_parallel_one_tenant(sites, tmp_path):
    lab = sites
    # Per-site inputs in host_vars of a second inventory source (the example inventory stays as shipped).
    inv = tmp_path / "inv"
    (inv / "host_vars").mkdir(parents=True)
    (inv / "hosts.yml").write_text("sites:\n  hosts:\n    site1:\n    site2:\n")
    per_site = {"site1": ["ann", "ben"], "site2": ["cat", "dan"]}
    for host, names in per_site.items():
        rows = "\n".join("  - {given_name: %s, surname: Multi%s, username: %s%s, department: Multi%s, "
                         "licenses: [O365_BUSINESS_PREMIUM], usage_location: US}"
                         % (n.title(), TAG, n, TAG, TAG) for n in names)
        (inv / "host_vars" / ("%s.yml" % host)).write_text("users:\n%s\n" % rows)
    args = ["-i", INVENTORY, "-i", str(inv), "-e", "target=sites", "-f", "2"]

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, *args, check=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert set(recap) == {"site1", "site2"}
    assert writes(lab) == 0
    for host in per_site:
        assert ad_users(lab, "(department=Multi%s)" % TAG, host) == {}

    proc, recap = play(lab, "onboard_new_users", tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert all("failed=0" in line and "changed=0" not in line for line in recap.values()), recap
    state = admin(lab, "/state")
    for host, names in per_site.items():
        found = ad_users(lab, "(department=Multi%s)" % TAG, host)
        assert sorted(found) == sorted("%s%s" % (n, TAG) for n in names), (host, found)
        for sam, entry in found.items():
            # in this site's own directory only, linked to the one tenant
            cloud = cloud_user(lab, "%s@corp.example.com" % sam)
            assert cloud is not None, sam
            assert cloud["onPremisesImmutableId"] == immutable_id(entry)
            assert text(entry, "msDS-cloudExtensionAttribute1") == cloud["id"]
            assert cloud["_licenses"]
        other = "site2" if host == "site1" else "site1"
        assert ad_users(lab, "(|%s)" % "".join("(sAMAccountName=%s%s)" % (n, TAG) for n in names), other) == {}
    assert len([u for u in state["users"] if u["userPrincipalName"].endswith("%s@corp.example.com" % TAG)]) == 4
    # one report per site; one password file holding both sites' users (the sites wrote it in parallel)
    assert [r["status"] for r in report_rows(tmp_path, "onboard_new_users", "site1")] == ["created", "created"]
    assert [r["status"] for r in report_rows(tmp_path, "onboard_new_users", "site2")] == ["created", "created"]
    with open(tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv") as handle:
        assert sorted(r["sam_account_name"] for r in csv.DictReader(handle)) == sorted(
            "%s%s" % (n, TAG) for names in per_site.values() for n in names)

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert all("changed=0" in line and "failed=0" in line for line in recap.values()), recap
    assert writes(lab) == 0
