"""Who holds an address: a new user's UPN and mail, and a mail an existing user changes to (pure logic)."""
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_claims import (
    address_filters, claim_errors, claimed_addresses, holders_by_address)

BOB = {"id": "b0b", "userPrincipalName": "bob@x.com", "mail": "bob@x.com", "proxyAddresses": ["SMTP:bob@x.com",
                                                                                              "smtp:sales@x.com"]}
ANNE = {"id": "a11", "userPrincipalName": "anne@x.com", "mail": "anne@x.com", "proxyAddresses": ["SMTP:anne@x.com"]}


def test_claimed_addresses_per_action():
    assert claimed_addresses("new@x.com", "create", {"mail": "New.Person@x.com"}) == \
        [("upn", "new@x.com"), ("mail", "New.Person@x.com")]
    assert claimed_addresses("new@x.com", "create", {"mail": "NEW@x.com"}) == [("upn", "new@x.com")]   # the same
    assert claimed_addresses("new@x.com", "create", {}) == [("upn", "new@x.com")]
    assert claimed_addresses("a@x.com", "update", {"mail": "a@x.com"}) == [("mail", "a@x.com")]
    assert claimed_addresses("a@x.com", "update", {"mail": ""}) == []   # clearing takes nothing
    assert claimed_addresses("a@x.com", "update", {"department": "IT"}) == []
    assert claimed_addresses("a@x.com", "unchanged", {}) == []
    assert claimed_addresses("a@x.com", "delete", {}) == []


def test_holders_are_lists_without_repeats():
    holders = holders_by_address([BOB, ANNE, dict(BOB)])
    assert [h["id"] for h in holders["bob@x.com"]] == ["b0b"]   # mail and SMTP: name one holder once
    assert holders["sales@x.com"][0]["id"] == "b0b"   # secondary addresses count
    assert "x500:whatever" not in holders


def test_mail_of_another_user_is_refused_naming_user_holder_and_fix():
    holders = holders_by_address([BOB, ANNE])
    errors = claim_errors([(0, "anne@x.com", "a11", [("mail", "Sales@x.com")])], holders)
    msg = errors[0]
    assert "mail Sales@x.com of anne@x.com" in msg and "bob@x.com, id b0b" in msg
    assert "give anne@x.com another mail address" in msg and "remove the address from bob@x.com" in msg


def test_own_address_is_no_conflict():
    holders = holders_by_address([BOB, ANNE])
    # Bob makes his secondary address the primary one: his own.
    assert claim_errors([(0, "bob@x.com", "b0b", [("mail", "sales@x.com")])], holders) == {}


def test_new_user_upn_keeps_the_takeover_message():
    holders = holders_by_address([BOB])
    errors = claim_errors([(3, "sales@x.com", None, [("upn", "sales@x.com")])], holders)
    assert errors[3].startswith("a cloud account already holds sales@x.com as its mail or proxy address (bob@x.com")
    assert "link_accounts" in errors[3]


def test_two_entries_claiming_one_address_fail_the_later():
    claims = [(0, "c1@x.com", None, [("upn", "c1@x.com"), ("mail", "team@x.com")]),
              (1, "c2@x.com", None, [("upn", "c2@x.com"), ("mail", "TEAM@x.com")]),
              (2, "c3@x.com", "c3", [("mail", "c3.new@x.com")])]
    errors = claim_errors(claims, {})
    assert list(errors) == [1]
    assert "team@x.com is also claimed by c1@x.com" in errors[1].lower()


def test_a_refused_entry_claims_nothing_for_later_ones():
    holders = holders_by_address([BOB])
    claims = [(0, "c1@x.com", None, [("upn", "c1@x.com"), ("mail", "bob@x.com")]),
              (1, "c2@x.com", "c2", [("mail", "c1@x.com")])]
    errors = claim_errors(claims, holders)
    assert list(errors) == [0]   # c1 failed (Bob's address), so c1@x.com is nobody's claim in this run


def test_address_filters_cover_mail_and_proxy_addresses():
    (flt,) = address_filters(["Team@x.com", "team@x.com"])
    assert flt == "mail eq 'team@x.com' or proxyAddresses/any(p:p eq 'smtp:team@x.com')"
