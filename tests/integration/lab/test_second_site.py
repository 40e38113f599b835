"""A second, independent domain on 127.0.0.2, for multi-site runs."""
import ssl

import ldap3


def test_site2_is_its_own_domain(lab, lab_site2):
    site2 = lab_site2
    assert site2["HYBRID_IDENTITY_DOMAIN_SERVER"] == "127.0.0.2"
    assert site2["LAB_REALM"] != lab["LAB_REALM"]
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=site2["HYBRID_IDENTITY_CA_PATH"])
    server = ldap3.Server("127.0.0.2", port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, site2["HYBRID_IDENTITY_DOMAIN_USERNAME"], site2["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    assert conn.bind(), conn.result
    conn.search("", "(objectClass=*)", search_scope=ldap3.BASE, attributes=["defaultNamingContext"])
    assert conn.entries[0].defaultNamingContext.value == site2["LAB_DOMAIN_DN"]
    # site1's credentials are not valid in site2's forest
    other = ldap3.Connection(server, lab["HYBRID_IDENTITY_DOMAIN_USERNAME"], lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"])
    assert not other.bind()
