"""mail and userType on user writes: Graph's validation, proxyAddresses uniqueness, and what a mail change does."""
import pytest

from sim_helpers import ALICE_ID, assert_graph_error, new_user_body

CONFLICT = "Another object with the same value for property proxyAddresses already exists."
SELECT = {"$select": "mail,proxyAddresses,userType"}


def _get(graph, uid):
    return graph.get(graph.v1("users/" + uid), params=SELECT).json()


def test_create_with_mail_and_guest_type(graph):
    made = graph.post(graph.v1("users"), json=new_user_body("mailed@corp.example.com", mail="Mailed.One@corp.example.com",
                                                            userType="Guest"))
    assert made.status_code == 201, made.text
    user = _get(graph, made.json()["id"])
    assert user == {"@odata.context": user["@odata.context"], "mail": "Mailed.One@corp.example.com",
                    "proxyAddresses": ["SMTP:Mailed.One@corp.example.com"], "userType": "Guest"}


@pytest.mark.parametrize("bad", ["no-at-sign", "two@@corp.example.com", "@corp.example.com", "x@",
                                 "with space@corp.example.com", u"ren\u00e9@corp.example.com"])
def test_mail_must_be_an_address_without_accents(graph, bad):
    assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"mail": bad}), 400, "Request_BadRequest",
                       "Invalid value specified for property 'mail' of resource 'User'.")
    assert _get(graph, ALICE_ID)["mail"] == "alice.cloud@corp.example.com"


def test_any_domain_is_allowed_in_mail(graph):
    # Not only verified domains: guests and B2B users carry outside addresses.
    assert graph.patch(graph.v1("users/" + ALICE_ID), json={"mail": "alice@partner.example.org"}).status_code == 204


@pytest.mark.parametrize("bad", ["Member ", "member", "External", ""])
def test_user_type_is_member_or_guest(graph, bad):
    response = graph.patch(graph.v1("users/" + ALICE_ID), json={"userType": bad})
    assert_graph_error(response, 400, "Request_BadRequest", "Invalid value specified for property 'userType'")
    assert _get(graph, ALICE_ID)["userType"] == "Member"


def test_mail_another_user_receives_is_an_object_conflict(graph):
    # Bob's address, in another case: nothing is written.
    taking = {"mail": "BOB.cloud@corp.example.com", "jobTitle": "Thief"}
    error = assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json=taking), 400, "Request_BadRequest",
                               CONFLICT)
    assert error["details"] == [{"target": "proxyAddresses", "code": "ObjectConflict", "message": error["message"]}]
    body = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "mail,jobTitle"}).json()
    assert body["mail"] == "alice.cloud@corp.example.com" and body["jobTitle"] != "Thief"
    # On create as well, and the guest's outside address counts.
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("copy@corp.example.com",
                                                                        mail="partner@example.net")),
                       400, "Request_BadRequest", CONFLICT)
    assert graph.get(graph.v1("users/copy@corp.example.com")).status_code == 404


def test_changing_mail_makes_it_primary_and_keeps_the_old_one(graph):
    assert graph.patch(graph.v1("users/" + ALICE_ID), json={"mail": "a.cloud@corp.example.com"}).status_code == 204
    user = _get(graph, ALICE_ID)
    assert user["mail"] == "a.cloud@corp.example.com"
    assert user["proxyAddresses"] == ["SMTP:a.cloud@corp.example.com", "smtp:alice.cloud@corp.example.com"]
    # The old address is still Alice's: nobody else may take it...
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("x@corp.example.com",
                                                                        mail="alice.cloud@corp.example.com")),
                       400, "Request_BadRequest", CONFLICT)
    # ...but she may make it her primary address again.
    assert graph.patch(graph.v1("users/" + ALICE_ID), json={"mail": "Alice.Cloud@corp.example.com"}).status_code == 204
    assert _get(graph, ALICE_ID)["proxyAddresses"] == ["SMTP:Alice.Cloud@corp.example.com",
                                                       "smtp:a.cloud@corp.example.com"]


def test_clearing_mail_is_allowed(graph):
    assert graph.patch(graph.v1("users/" + ALICE_ID), json={"mail": None}).status_code == 204
    assert _get(graph, ALICE_ID)["mail"] is None
