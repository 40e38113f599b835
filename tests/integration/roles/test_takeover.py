"""onboard_new_users never takes over an account, and its whole-run preflight stops before any write.

Everything is checked from outside: ldap3 against the DC (names, UPN, uSNChanged), the simulator's state,
its write counter and its password grant. Each case runs check mode -> nothing changed -> real run ->
nothing of the existing account changed -> rerun -> the same refusal, nothing written."""
import csv
import json
import os
import uuid

import pytest
import yaml

import roles_lab
from roles_lab import ROOT, add_ad_user, ad_users, admin, cloud_password_works, delete_ad_users, report_rows, text

DOMAIN = "corp.example.com"


def play(lab, tmp, users, check=False, **extra):
    vars_file = tmp / "vars.json"
    vars_file.write_text(json.dumps(dict({"users": users}, **extra)))
    proc, recap = roles_lab.play(lab, "onboard_new_users", tmp, "-e", "@%s" % vars_file, check=check)
    return proc, recap.get("localhost", "")


def seed(lab, change):
    with open(os.path.join(ROOT, "tests", "lab", "tenant.yml")) as handle:
        data = yaml.safe_load(handle)
    data["apps"][0]["certificate_file"] = os.path.join(ROOT, ".lab", "pki", "app.pem")
    change(data)
    admin(lab, "/reset", {"seed": data})


cloud_by_upn = roles_lab.cloud_user   # the simulator's user holding this UPN, or None


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    yield lab
    admin(lab, "/reset", {})


def test_a_new_hire_never_takes_over_an_existing_ad_account(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    sam = "ex%s" % tag
    add_ad_user(lab, sam, "Existing", "Person%s" % tag, "Old-Employee-Pw-%s-7" % tag, upn="%s@%s" % (sam, DOMAIN))
    before = ad_users(lab, "(sAMAccountName=%s)" % sam)[sam]
    row = [{"given_name": "Newhire", "surname": "Different%s" % tag, "username": sam}]
    try:
        for check in (True, False, False):
            admin(lab, "/counters/reset", {})
            proc, recap = play(lab, tmp_path, row, check=check)
            assert proc.returncode != 0, proc.stdout[-3000:]
            assert "an AD account already exists as %s" % before["dn"] in proc.stdout, proc.stdout[-3000:]
            assert "link_accounts" in proc.stdout
            after = ad_users(lab, "(sAMAccountName=%s)" % sam)[sam]
            assert after["dn"] == before["dn"] and after["uSNChanged"] == before["uSNChanged"]
            assert text(after, "userPrincipalName") == "%s@%s" % (sam, DOMAIN)
            assert admin(lab, "/counters")["totals"]["writes"] == 0
            assert cloud_by_upn(lab, "%s@%s" % (sam, DOMAIN)) is None
        failed = [r for r in report_rows(tmp_path, "onboard_new_users") if r["status"] == "failed"]
        assert [r["upn"] for r in failed] == ["%s@%s" % (sam, DOMAIN)]
        # No password was recorded for an account this run never creates.
        pwfile = tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv"
        assert not pwfile.exists() or sam not in pwfile.read_text()
    finally:
        delete_ad_users(lab, "(sAMAccountName=%s)" % sam)


def test_a_new_hire_never_takes_over_a_cloud_only_account_or_mailbox(fresh, tmp_path):
    """alice.cloud holds the UPN; a second cloud user holds another new UPN as its mail and proxy address.
    Both rows fail before anything is written on either side; the third row is onboarded."""
    lab, tag = fresh, uuid.uuid4().hex[:5]
    holder = "Mailbox-Holder-%s" % tag

    def change(data):
        data["users"].append({"userPrincipalName": "%s@%s" % (holder.lower(), DOMAIN), "displayName": holder,
                              "mailNickname": holder.lower(), "mail": "mb%s@%s" % (tag, DOMAIN),
                              "password": "Holder-Passw0rd-%s!" % tag, "usageLocation": "US"})
    seed(lab, change)
    # `make demo` (run before `make test` on the same lab) imports alice.cloud into AD: start without her there.
    delete_ad_users(lab, "(sAMAccountName=alice.cloud)")
    alice = cloud_by_upn(lab, "alice.cloud@%s" % DOMAIN)
    rows = [{"given_name": "Alice", "surname": "Newhire", "username": "alice.cloud"},
            {"given_name": "Mail", "surname": "Box%s" % tag, "username": "mb%s" % tag},
            {"given_name": "Free", "surname": "Person%s" % tag, "username": "fp%s" % tag}]
    try:
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, rows, check=True)
        assert proc.returncode != 0 and "2 of 3 users failed" in proc.stdout, proc.stdout[-3000:]
        assert admin(lab, "/counters")["totals"]["writes"] == 0
        assert ad_users(lab, "(|(sAMAccountName=alice.cloud)(sAMAccountName=mb%s))" % tag) == {}
        proc, recap = play(lab, tmp_path, rows)
        assert proc.returncode != 0 and "2 of 3 users failed" in proc.stdout, proc.stdout[-3000:]
        assert "a cloud account already exists as alice.cloud@%s" % DOMAIN in proc.stdout, proc.stdout[-3000:]
        assert "mb%s@%s" % (tag, DOMAIN) in proc.stdout and "mail or proxy address" in proc.stdout
        # Nothing of either cloud account changed, no AD user was made for the refused rows.
        now = cloud_by_upn(lab, "alice.cloud@%s" % DOMAIN)
        assert now["onPremisesImmutableId"] is None and now["givenName"] == alice["givenName"] == "Alice"
        assert now["surname"] == "Cloud" and cloud_password_works(lab, now["userPrincipalName"], "Alice-Passw0rd!") == "ok"
        assert ad_users(lab, "(|(sAMAccountName=alice.cloud)(sAMAccountName=mb%s))" % tag) == {}
        assert cloud_by_upn(lab, "mb%s@%s" % (tag, DOMAIN)) is None
        # The free row went through on both sides, with the password the file recorded.
        free = ad_users(lab, "(sAMAccountName=fp%s)" % tag)["fp%s" % tag]
        cloud = cloud_by_upn(lab, "fp%s@%s" % (tag, DOMAIN))
        assert text(free, roles_lab.LINK_ATTRIBUTE) == cloud["id"]
        pw = {r["upn"]: r for r in csv.DictReader((tmp_path / "hybrid_identity_reports" /
                                                   "onboard_new_users-passwords.csv").open())}
        assert set(pw) == {"fp%s@%s" % (tag, DOMAIN)}
        assert pw["fp%s@%s" % (tag, DOMAIN)]["set_in"] == "ad cloud" and pw["fp%s@%s" % (tag, DOMAIN)]["recorded"]
        assert cloud_password_works(lab, cloud["userPrincipalName"], pw["fp%s@%s" % (tag, DOMAIN)]["password"]) == "ok"
        # The rerun refuses the same two and writes nothing.
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, rows)
        assert proc.returncode != 0 and "2 of 3 users failed" in proc.stdout
        assert admin(lab, "/counters")["totals"]["writes"] == 0
    finally:
        delete_ad_users(lab, "(|(sAMAccountName=fp%s)(sAMAccountName=mb%s))" % (tag, tag))


def test_preflight_licence_shortage_by_one_seat_writes_nothing(fresh, tmp_path):
    """ENTERPRISEPACK has 5 units, carol.cloud holds one: 4 free. Five rows asking for it (in chunks of 2,
    the count is the whole run's) stop the run before anything is written; check mode says the same."""
    lab, tag = fresh, uuid.uuid4().hex[:5]
    rows = [{"given_name": "Seat", "surname": "Taker%s%d" % (tag, i), "username": "st%s%d" % (tag, i),
             "licenses": ["ENTERPRISEPACK"], "usage_location": "US"} for i in range(5)]
    for check in (True, False):
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, rows, check=check, chunk_size=2)
        assert proc.returncode != 0, proc.stdout[-3000:]
        assert "licence ENTERPRISEPACK: this run assigns 5, the tenant has 4 free" in proc.stdout, proc.stdout[-3000:]
        assert admin(lab, "/counters")["totals"]["writes"] == 0
        assert ad_users(lab, "(sAMAccountName=st%s*)" % tag) == {}
    assert not (tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv").exists()
    # Four fit: they are created and licensed.
    try:
        proc, recap = play(lab, tmp_path, rows[:4], chunk_size=2)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert all(cloud_by_upn(lab, "st%s%d@%s" % (tag, i, DOMAIN))["_licenses"] for i in range(4))
    finally:
        delete_ad_users(lab, "(sAMAccountName=st%s*)" % tag)


def test_preflight_sync_engine_in_charge_stops_every_write(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    seed(lab, lambda data: data["organization"].update(onPremisesSyncEnabled=True))
    rows = [{"given_name": "Sync", "surname": "Blocked%s" % tag, "username": "sb%s" % tag}]
    for check in (True, False):
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, rows, check=check)
        assert proc.returncode != 0 and "directory sync engine" in proc.stdout, proc.stdout[-3000:]
        assert admin(lab, "/counters")["totals"]["writes"] == 0
        assert ad_users(lab, "(sAMAccountName=sb%s)" % tag) == {}


def test_a_password_file_that_is_not_ours_is_never_replaced(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    other = tmp_path / "new_users.csv"
    other.write_text("given_name,surname,username\nNot,Ours%s,no%s\n" % (tag, tag))
    original = other.read_bytes()
    rows = [{"given_name": "Pw", "surname": "File%s" % tag, "username": "pf%s" % tag}]
    for check in (True, False):
        proc, recap = play(lab, tmp_path, rows, check=check, password_file=str(other))
        assert proc.returncode != 0, proc.stdout[-3000:]
        assert "is not a hybrid.identity password file" in proc.stdout and "nothing was written" in proc.stdout
        assert other.read_bytes() == original
        assert ad_users(lab, "(sAMAccountName=pf%s)" % tag) == {}
