import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import (
    AD_CONNECTION_ARGSPEC, Entry, LdapClient, parse_server)
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError


@pytest.mark.parametrize("entry,expected", [
    ("dc1", ("dc1", 636)), ("dc1:3269", ("dc1", 3269)), ("ldaps://dc1:1636/", ("dc1", 1636)),
    ("[::1]:636", ("::1", 636)), ("[::1]", ("::1", 636)), ("::1", ("::1", 636)),
])
def test_parse_server(entry, expected):
    assert parse_server(entry, 636) == expected


def test_argspec_secrets_and_env_fallbacks():
    assert AD_CONNECTION_ARGSPEC["domain_password"]["no_log"] is True
    assert AD_CONNECTION_ARGSPEC["domain_encryption"]["choices"] == ["ldaps", "starttls"]
    assert AD_CONNECTION_ARGSPEC["validate_certs"]["default"] is True
    for option, env in [("domain_server", "HYBRID_IDENTITY_DOMAIN_SERVER"), ("ca_path", "HYBRID_IDENTITY_CA_PATH"),
                        ("domain_username", "HYBRID_IDENTITY_DOMAIN_USERNAME"),
                        ("domain_password", "HYBRID_IDENTITY_DOMAIN_PASSWORD")]:
        assert AD_CONNECTION_ARGSPEC[option]["fallback"][1] == [env]


def test_client_refuses_plain_ldap_and_missing_input():
    with pytest.raises(ADError, match="never sent unencrypted"):
        LdapClient(["dc1"], "u", "p", encryption="plain")
    with pytest.raises(ADError, match="domain_server"):
        LdapClient([], "u", "p")
    with pytest.raises(ADError, match="credentials"):
        LdapClient(["dc1"], "u", None)


def test_default_ports():
    assert LdapClient(["dc1"], "u", "p").port == 636
    assert LdapClient(["dc1"], "u", "p", encryption="starttls").port == 389
    assert LdapClient(["dc1"], "u", "p", port=1636).port == 1636


def test_password_not_in_repr_or_vars_names():
    client = LdapClient(["dc1"], "u", "Secr3t!")
    assert "Secr3t!" not in repr(client)


def test_entry_is_case_insensitive():
    entry = Entry("CN=x", {"sAMAccountName": [b"jdoe"], "memberOf": [b"CN=a", b"CN=b"]})
    assert entry.text("samaccountname") == "jdoe"
    assert entry.texts("MEMBEROF") == ["CN=a", "CN=b"]
    assert entry.value("missing") is None


def test_unencrypted_write_refused():
    class Plain(object):   # an open connection without TLS
        closed = False
        tls_started = False

        class server(object):
            ssl = False
    client = LdapClient(["dc1"], "u", "p")
    client.conn = Plain()
    with pytest.raises(ADError, match="not encrypted"):
        client._write(lambda *a: True, "dn", secret=True)
