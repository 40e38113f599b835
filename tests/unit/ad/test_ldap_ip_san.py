"""A DC reached by IP address validates against the IP addresses in its certificate's subjectAltName on every
Python: 3.12 removed ssl.match_hostname and ldap3 2.9.1's fallback knew DNS names only."""
import ssl

import ldap3.core.tls
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _ldap_client

CERT = {"subjectAltName": (("DNS", "localhost"), ("DNS", "dc1.corp.example.local"), ("IP Address", "127.0.0.1"),
                           ("IP Address", "2001:DB8:0:0:0:0:0:1\n"))}


def matcher():
    return ldap3.core.tls.match_hostname


@pytest.mark.parametrize("host", ["127.0.0.1", "2001:db8::1", "localhost", "dc1.corp.example.local"])
def test_names_and_addresses_in_the_certificate_match(host):
    matcher()(CERT, host)


@pytest.mark.parametrize("host", ["127.0.0.2", "2001:db8::2", "dc2.corp.example.local"])
def test_others_do_not(host):
    with pytest.raises(ldap3.core.tls.CertificateError):
        matcher()(CERT, host)


def test_the_matcher_is_ours_only_where_python_has_none():
    assert (matcher() is _ldap_client._match_hostname) == (not hasattr(ssl, "match_hostname"))
