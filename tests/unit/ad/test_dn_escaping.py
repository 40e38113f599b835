"""RFC 4514 DN escaping: exactly the special characters are escaped, and DNs escaped differently by
the server (Samba writes \\? and \\3D, hex escapes such as \\3F) compare equal and re-encode to one form
that ldap3 passes on unchanged."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as c

BASE = "OU=Staff,DC=corp,DC=example,DC=local"

# (the CN value, escape_rdn_value of it)
SPECIALS = [
    ("Who? Me", "Who? Me"),          # ? is not special: never escaped by us
    ("A, B", "A\\, B"),
    ("C+D", "C\\+D"),
    ('E"F', 'E\\"F'),
    ("G\\H", "G\\\\H"),
    ("<I>", "\\<I\\>"),
    ("J;K", "J\\;K"),
    ("#L", "\\#L"),
    ("L#L", "L#L"),                  # only a leading # is special
    (" M", "\\ M"),
    ("N ", "N\\ "),
    ("O P", "O P"),                  # inner spaces are not
    ("Q\x00R", "Q\\00R"),
    ("S=T", "S=T"),                  # = is not special in a value (RFC 4514 2.4)
    ("Ünï Çødé", "Ünï Çødé"),
    (" ", "\\ "),
]


@pytest.mark.parametrize("value, escaped", SPECIALS)
def test_escape_exactly_the_specials(value, escaped):
    assert c.escape_rdn_value(value) == escaped
    dn = "CN=%s,%s" % (escaped, BASE)
    assert c.rdn_value(dn) == value
    assert c.parent_dn(dn) == BASE
    assert c.split_dn(dn)[1:] == BASE.split(",")
    assert c.canonical_dn(dn) == dn


# The same DN as servers write it: (ours, theirs)
SERVER_FORMS = [
    ("CN=Who? Me," + BASE, "CN=Who\\? Me," + BASE),            # Samba's ldb escapes ?
    ("CN=Who? Me," + BASE, "CN=Who\\3F Me," + BASE),           # hex form
    ("CN=Who? Me," + BASE, "cn=WHO\\3f me,ou=staff,dc=CORP,dc=example,dc=local"),
    ("CN=S=T," + BASE, "CN=S\\3DT," + BASE),                   # Samba: = as \3D
    ("CN=S=T," + BASE, "CN=S\\=T," + BASE),
    ("CN=L#L," + BASE, "CN=L\\#L," + BASE),                    # Windows escapes every #
    ("CN=J\\;K," + BASE, "CN=J\\3BK," + BASE),                 # Samba: ; as \3B
    ("CN=A\\, B," + BASE, "CN=A\\2C B," + BASE),
    ("CN=Q\\00R," + BASE, "CN=Q\\00R," + BASE),
    ("CN=N\\ ," + BASE, "CN=N\\20," + BASE),
    ("CN=\\ M," + BASE, "CN=\\20M," + BASE),
    ("CN=\\#L," + BASE, "CN=\\23L," + BASE),
    ("CN=Ünï," + BASE, "CN=\\C3\\9Cn\\C3\\AF," + BASE),
    ("CN=Line\nBreak," + BASE, "CN=Line\\0ABreak," + BASE),
    ("CN=G\\\\H," + BASE, "CN=G\\5CH," + BASE),
]


@pytest.mark.parametrize("ours, theirs", SERVER_FORMS)
def test_server_forms_compare_equal_and_canonicalise(ours, theirs):
    assert c.same_dn(ours, theirs)
    assert c.normalize_dn(ours) == c.normalize_dn(theirs)
    if theirs.startswith("CN="):
        assert c.canonical_dn(theirs) == ours


def test_different_values_stay_different():
    assert not c.same_dn("CN=A\\, B," + BASE, "CN=A,CN=B," + BASE)
    assert not c.same_dn("CN=N\\ ," + BASE, "CN=N," + BASE)       # an escaped trailing space counts
    assert not c.same_dn("CN=Who? Me," + BASE, "CN=Who\\\\? Me," + BASE)  # a real backslash is not an escape
    assert not c.same_dn("CN=a\\+b," + BASE, "CN=a+OU=b," + BASE)


def test_trailing_escaped_space_survives_splitting():
    dn = "CN=N\\ ,OU=x"
    assert c.split_dn(dn) == ["CN=N\\ ", "OU=x"]
    assert c.rdn_value(dn) == "N "
    assert c.split_dn("CN=G\\\\ , OU=x") == ["CN=G\\\\", "OU=x"]  # escaped backslash, then a real space


def test_canonical_dn_fast_path_and_multi_valued_rdns():
    assert c.canonical_dn("CN=Plain,DC=x") == "CN=Plain,DC=x"
    assert c.canonical_dn(None) is None and c.canonical_dn("") == ""
    assert c.canonical_dn("CN=a\\3F+UID=b\\3D,DC=x") == "CN=a?+UID=b=,DC=x"


def test_ldap3_passes_canonical_dns_on_unchanged():
    """ldap3 (check_names, the default) runs every DN through safe_dn: an escape it does not know
    (\\?) gets its backslash doubled, which names another object. Our canonical form survives it
    with the same meaning."""
    safe_dn = pytest.importorskip("ldap3.utils.dn").safe_dn
    assert c.same_dn(safe_dn("CN=Who\\? Me," + BASE), "CN=Who\\\\? Me," + BASE)  # the bug, in ldap3
    for value, escaped in SPECIALS:
        if value.strip() != value and not value.strip():
            continue
        dn = "CN=%s,%s" % (escaped, BASE)
        assert c.same_dn(safe_dn(dn), dn), (value, safe_dn(dn))
    for ours, theirs in SERVER_FORMS:
        canonical = c.canonical_dn(theirs)
        assert c.same_dn(safe_dn(canonical), theirs), (theirs, canonical, safe_dn(canonical))
