"""Pure logic of password sync: syncpasswords' LDIF, what to send, backoff, redaction, status."""
import base64

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _pwsync_logic as logic

GUID = "a9c6a810-a3d5-4ecd-9f8c-b3cdcf05df99"
CLOUD = "11111111-2222-3333-4444-555555555555"


def ldif(password="Third-Pass3", link=CLOUD, kvno=2, extra="", pwd_last_set=134400982644589700):
    lines = ["dn: CN=pwuser1,CN=Users,DC=pwx,DC=example,DC=local", "objectGUID: %s" % GUID,
             "userAccountControl: 512", "sAMAccountName: pwuser1", "userPrincipalName: pwuser1@pwx.example.local"]
    if link:
        lines.append("msDS-cloudExtensionAttribute1: %s" % link)
    lines += ["pwdLastSet: %d" % pwd_last_set, "msDS-KeyVersionNumber: %d" % kvno]
    if password is not None:
        lines.append("virtualClearTextUTF8:: %s" % base64.b64encode(password.encode("utf-8")).decode())
    return "\n".join(lines) + "\n" + extra + "\n"


def test_parse_what_syncpasswords_prints():
    change = logic.change_from_ldif(ldif())
    assert change.guid == GUID and change.sam == "pwuser1" and change.kvno == 2 and change.uac == 512
    assert change.link == CLOUD and change.password == "Third-Pass3" and not change.deleted
    assert change.pwd_last_set == 134400982644589700


def test_parse_folded_lines_comments_and_unicode_password():
    text = "# a comment\ndn: CN=x,\n DC=example\nobjectGUID: %s\nvirtualClearTextUTF8:: %s\n" % (
        GUID, base64.b64encode("Pässwörd-€1".encode("utf-8")).decode())
    change = logic.change_from_ldif(text)
    assert change.dn == "CN=x,DC=example" and change.password == "Pässwörd-€1"


def test_repr_never_shows_the_password():
    change = logic.change_from_ldif(ldif(password="Very-Secret-9"))
    assert "Very-Secret-9" not in repr(change) and "Very-Secret-9" not in str(change.to_public())


@pytest.mark.parametrize("text", ["not ldif at all\n", "dn: x\nvirtualClearTextUTF8:: ***notbase64\n",
                                  "dn: a\nobjectGUID: %s\n\ndn: b\nobjectGUID: %s\n" % (GUID, GUID)])
def test_bad_input_raises_without_quoting_it(text):
    with pytest.raises(logic.LdifError) as info:
        logic.change_from_ldif(text)
    assert "notbase64" not in str(info.value)


def test_immutable_id_is_base64_of_bytes_le():
    assert logic.immutable_id("00112233-4455-6677-8899-aabbccddeeff") == "MyIRAFVEd2aImaq7zN3u/w=="


def test_decide_sends_a_new_password_of_a_linked_user():
    verdict = logic.decide(logic.change_from_ldif(ldif()), None)
    assert verdict.send


@pytest.mark.parametrize("kwargs,prior,reason", [
    ({"link": None}, None, logic.SKIP_NOT_LINKED),
    ({"link": "not-a-guid"}, None, logic.SKIP_BAD_LINK),
    ({"password": None}, None, logic.SKIP_NO_CLEARTEXT),
    ({}, {"kvno": 2, "cloud_id": CLOUD, "last_result": "synced"}, logic.SKIP_ALREADY_SYNCED),
    ({}, {"kvno": 2, "cloud_id": CLOUD, "last_result": "failed"}, logic.SKIP_ALREADY_FAILED),
    ({"extra": "isDeleted: TRUE\n"}, None, logic.SKIP_DELETED),
    ({"pwd_last_set": 0}, None, logic.SKIP_MUST_CHANGE),
])
def test_decide_skips(kwargs, prior, reason):
    verdict = logic.decide(logic.change_from_ldif(ldif(**kwargs)), prior)
    assert not verdict.send and verdict.reason == reason


def test_decide_sends_a_newer_version_or_to_a_new_link():
    change = logic.change_from_ldif(ldif(kvno=3))
    assert logic.decide(change, {"kvno": 2, "cloud_id": CLOUD}).send
    relinked = {"kvno": 3, "cloud_id": "99999999-2222-3333-4444-555555555555"}
    assert logic.decide(change, relinked).send


def test_a_uac_only_change_after_a_sync_is_not_resent():
    # syncpasswords fires for userAccountControl too; the password version did not move
    change = logic.change_from_ldif(ldif(kvno=2).replace("userAccountControl: 512", "userAccountControl: 514"))
    assert not logic.decide(change, {"kvno": 2, "cloud_id": CLOUD}).send


@pytest.mark.parametrize("status,code,kind", [
    (0, "ConnectionError", "hold"), (503, None, "hold"), (429, None, "hold"), (504, None, "hold"),
    (401, "InvalidAuthenticationToken", "hold"), (400, "invalid_client", "hold"),
    (400, "Request_BadRequest", "fail"), (403, "Authorization_RequestDenied", "fail"), (404, None, "fail"),
])
def test_classify_error(status, code, kind):
    assert logic.classify_error(status, code) == kind


def test_backoff_grows_to_the_cap_and_resets():
    backoff = logic.Backoff(1, 8, jitter=lambda: 1.0)
    assert [backoff.next() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    backoff.reset()
    assert backoff.next() == 1
    half = logic.Backoff(2, 60, jitter=lambda: 0.0)
    assert half.next() == 1.0


def test_redact_every_encoding():
    secret = "Very-Secret-9"
    text = "x %s y %s z %s" % (secret, base64.b64encode(secret.encode()).decode(),
                                base64.b64encode(('"%s"' % secret).encode("utf-16-le")).decode())
    out = logic.redact(text, [secret])
    assert secret not in out and "VmVyeS1TZWNyZXQtOQ" not in out and out.count("********") == 3


def test_attributes_and_filter():
    attrs = logic.attributes_for("msDS-cloudExtensionAttribute7").split(",")
    assert attrs[-1] == "virtualClearTextUTF8" and "msDS-cloudExtensionAttribute7" in attrs
    assert "(msDS-cloudExtensionAttribute7=*)" in logic.dirsync_filter("msDS-cloudExtensionAttribute7")
    assert "=*)" not in logic.dirsync_filter("x", only_linked=False)


def test_format_status_lists_failures_first():
    text = logic.format_status(
        {"state": "running", "pid": "42", "graph_status": "unreachable", "graph_since": "T", "held": "bob"},
        [{"sam": "alice", "last_result": "synced", "last_success": "T1"},
         {"sam": "bob", "last_result": "failed", "last_attempt": "T2", "last_error": "Graph 400: too short"}])
    lines = text.splitlines()
    assert "unreachable since T" in lines[0] and "holding the change of bob" in lines[0]
    assert lines[1] == "users: 2, synced: 1, failed: 1"
    assert lines[2].startswith("bob") and "too short" in lines[2] and lines[3].startswith("alice")
