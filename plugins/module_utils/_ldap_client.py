# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LDAP client shared by every AD module of hybrid.identity.

- ldap3, LDAPS (default) or StartTLS, certificates validated by default (ca_path: file or dir);
- no bind and no password ever sent on a connection that is not encrypted;
- domain_server: several DCs tried in order (failover), one connection per module run;
- naming contexts and domain facts from the RootDSE; ldap3's schema download is skipped
  (get_info=NONE saves ~100 ms per connection): values are read raw and decoded by _ad_codecs;
- paged searches with an explicit page size (Samba never forces paging, so we always ask);
- failures raised as ADError with the messages of _ad_errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
import ssl
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hybrid.identity.plugins.module_utils._ad_codecs import canonical_dn
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import (
    ADError, connection_failure, describe)

LDAP3_IMPORT_ERROR = None
try:
    import ldap3
    import ldap3.core.tls
    from ldap3.core.exceptions import LDAPException
    HAS_LDAP3 = True
except ImportError:  # pragma: no cover - exercised by sanity tests only
    HAS_LDAP3 = False
    LDAP3_IMPORT_ERROR = traceback.format_exc()
    LDAPException = Exception

_LDAP3_MATCH_HOSTNAME = None   # ldap3's own matcher, once _match_hostname stands in for it


def _match_hostname(cert, hostname):
    """Python 3.12 removed ssl.match_hostname, and ldap3's fallback (ldap3 2.9.1, the last release) knows DNS
    names only: a DC reached by IP address never validated, even with the address in the certificate's
    subjectAltName (Debian 13's Python 3.13). An address is matched against the IP SANs here; a name goes
    to ldap3's own matcher as before."""
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return _LDAP3_MATCH_HOSTNAME(cert, hostname)
    for key, value in (cert or {}).get("subjectAltName", ()):
        if key == "IP Address":
            try:
                if ipaddress.ip_address(value.strip()) == address:
                    return None
            except ValueError:
                continue
    raise ldap3.core.tls.CertificateError("IP address %r does not match any IP address in the certificate's "
                                          "subjectAltName" % hostname)


if HAS_LDAP3 and not hasattr(ssl, "match_hostname"):
    _LDAP3_MATCH_HOSTNAME = ldap3.core.tls.match_hostname
    ldap3.core.tls.match_hostname = _match_hostname

PAGED_RESULTS_OID = "1.2.840.113556.1.4.319"
TREE_DELETE_OID = "1.2.840.113556.1.4.805"
MATCHING_RULE_IN_CHAIN = "1.2.840.113556.1.4.1941"
DEFAULT_PAGE_SIZE = 500
DEFAULT_PORTS = {"ldaps": 636, "starttls": 389}
CONNECTION_LOST = "connection_lost"   # ADError.code of a connection to the DC that is gone mid-run

ROOT_DSE_ATTRIBUTES = [
    "defaultNamingContext", "configurationNamingContext", "schemaNamingContext", "rootDomainNamingContext",
    "namingContexts", "dnsHostName", "serverName", "dsServiceName", "currentTime", "domainFunctionality",
    "forestFunctionality", "domainControllerFunctionality", "ldapServiceName", "isGlobalCatalogReady",
    "supportedControl", "vendorName",
]

# One argument spec for every AD module (see the doc fragment hybrid.identity.ad_connection).
AD_CONNECTION_ARGSPEC = dict(
    domain_server=dict(type="list", elements="str", fallback=(env_fallback, ["HYBRID_IDENTITY_DOMAIN_SERVER"])),
    domain_username=dict(type="str", fallback=(env_fallback, ["HYBRID_IDENTITY_DOMAIN_USERNAME"])),
    domain_password=dict(type="str", no_log=True, fallback=(env_fallback, ["HYBRID_IDENTITY_DOMAIN_PASSWORD"])),
    domain_port=dict(type="int"),
    domain_encryption=dict(type="str", default="ldaps", choices=["ldaps", "starttls"]),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path", fallback=(env_fallback, ["HYBRID_IDENTITY_CA_PATH"])),
)


def ad_argument_spec(**extra):
    spec = dict((k, dict(v)) for k, v in AD_CONNECTION_ARGSPEC.items())
    spec.update(extra)
    return spec


class Entry(object):
    """One search result: dn and raw attribute values (lists of bytes), keys case-insensitive."""

    __slots__ = ("dn", "raw")

    def __init__(self, dn, raw):
        self.dn = dn
        self.raw = dict((k.lower(), list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in (raw or {}).items())

    def values(self, name):
        return self.raw.get(name.lower()) or []

    def value(self, name):
        values = self.values(name)
        return values[0] if values else None

    def text(self, name):
        value = self.value(name)
        if value is None:
            return None
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    def texts(self, name):
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in self.values(name)]

    def __repr__(self):
        return "Entry(%r)" % self.dn


def parse_server(entry, port):
    """'dc1', 'dc1:3269', '[::1]:636', 'ldaps://dc1' -> (host, port)."""
    value = entry.strip()
    for scheme in ("ldaps://", "ldap://"):
        if value.lower().startswith(scheme):
            value = value[len(scheme):]
    value = value.rstrip("/")
    if value.startswith("["):
        host, dummy, rest = value[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            return host, int(rest[1:])
        return host, port
    if value.count(":") == 1:
        host, dummy, maybe = value.partition(":")
        if maybe.isdigit():
            return host, int(maybe)
    return value, port


def require_ldap3(module):
    if not HAS_LDAP3:
        module.fail_json(msg=missing_required_lib("ldap3"), exception=LDAP3_IMPORT_ERROR)


class LdapClient(object):
    """One connection to one DC of the domain for the whole module run."""

    def __init__(self, servers, username, password, port=None, encryption="ldaps", validate_certs=True,
                 ca_path=None, connect_timeout=5, receive_timeout=120):
        servers = [s for s in (servers or []) if s and s.strip()]
        if not servers:
            raise ADError("no domain controller given: set domain_server (or HYBRID_IDENTITY_DOMAIN_SERVER)")
        if not username or not password:
            raise ADError("no credentials given: set domain_username and domain_password (or "
                          "HYBRID_IDENTITY_DOMAIN_USERNAME and HYBRID_IDENTITY_DOMAIN_PASSWORD)")
        if encryption not in DEFAULT_PORTS:
            raise ADError("domain_encryption must be ldaps or starttls: passwords are never sent unencrypted")
        self.servers = servers
        self.username = username
        self._password = password
        self.port = port or DEFAULT_PORTS[encryption]
        self.encryption = encryption
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.connect_timeout = connect_timeout
        self.receive_timeout = receive_timeout
        self.conn = None
        self.server = None
        self.attempts = []
        self.root_dse = None
        self.stats = {"searches": 0, "pages": 0, "writes": 0}

    # ------------------------------------------------------------------ connect
    @classmethod
    def from_module(cls, module):
        require_ldap3(module)
        params = module.params
        return cls(params.get("domain_server"), params.get("domain_username"), params.get("domain_password"),
                   port=params.get("domain_port"), encryption=params.get("domain_encryption") or "ldaps",
                   validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"))

    def _tls(self):
        kwargs = {"validate": ssl.CERT_REQUIRED if self.validate_certs else ssl.CERT_NONE}
        if self.ca_path:
            if not os.path.exists(self.ca_path):
                raise ADError("ca_path '%s' does not exist" % self.ca_path)
            if os.path.isdir(self.ca_path):
                kwargs["ca_certs_path"] = self.ca_path
            else:
                kwargs["ca_certs_file"] = self.ca_path
        return ldap3.Tls(**kwargs)

    def connect(self):
        """Connect and bind to the first DC that answers; raise ADError naming every attempt."""
        tls = self._tls()
        for entry in self.servers:
            host, port = parse_server(entry, self.port)
            try:
                self._connect_one(host, port, tls)
                self.server = "%s:%d" % (host, port)
                self.read_root_dse()
                return self
            except ADError as exc:
                self.attempts.append(exc.message)
                if exc.code == "credentials":
                    # Wrong credentials are wrong on every DC (and retrying risks a lockout).
                    raise
            except LDAPException as exc:
                self.attempts.append(connection_failure(host, port, exc))
            self._close_quietly()
        if len(self.attempts) == 1:
            raise ADError(self.attempts[0], code="unreachable")
        raise ADError("no domain controller could be reached: " + "; ".join(self.attempts), code="unreachable")

    def _connect_one(self, host, port, tls):
        server = ldap3.Server(host, port=port, use_ssl=self.encryption == "ldaps", tls=tls, get_info=ldap3.NONE,
                              connect_timeout=self.connect_timeout)
        conn = ldap3.Connection(server, user=self.username, password=self._password, authentication=ldap3.SIMPLE,
                                auto_bind=ldap3.AUTO_BIND_NONE, raise_exceptions=False, read_only=False,
                                receive_timeout=self.receive_timeout, auto_referrals=False)
        self.conn = conn
        conn.open()
        if self.encryption == "starttls":
            try:
                started = conn.start_tls()
            except LDAPException as exc:
                raise ADError(connection_failure(host, port, "StartTLS failed: %s" % exc))
            if not started:
                raise ADError("StartTLS on %s:%d failed: %s" % (host, port, (conn.result or {}).get("description")))
        if not self.encrypted:
            raise ADError("refusing to bind to %s:%d: the connection is not encrypted" % (host, port))
        if not conn.bind():
            raise ADError(describe(conn.result, op="bind", account=self.username), code="credentials",
                          result=_safe_result(conn.result))

    @property
    def encrypted(self):
        conn = self.conn
        if conn is None or conn.closed:
            return False
        return bool(conn.server.ssl or getattr(conn, "tls_started", False))

    def _close_quietly(self):
        if self.conn is not None:
            try:
                self.conn.unbind()
            except Exception:  # pylint: disable=broad-except
                pass
        self.conn = None

    def close(self):
        self._close_quietly()

    # ------------------------------------------------------------------ RootDSE
    def read_root_dse(self):
        ok = self.conn.search("", "(objectClass=*)", search_scope=ldap3.BASE, attributes=ROOT_DSE_ATTRIBUTES)
        self.stats["searches"] += 1
        entries = self._entries()
        if not ok or not entries:
            raise ADError("the DC at %s did not return its RootDSE: %s" % (self.server, describe(self.conn.result, op="read")))
        self.root_dse = entries[0]
        if not self.default_nc:
            raise ADError("the server at %s is not an Active Directory DC (no defaultNamingContext)" % self.server)
        return self.root_dse

    @property
    def default_nc(self):
        return self.root_dse.text("defaultNamingContext") if self.root_dse else None

    @property
    def config_nc(self):
        return self.root_dse.text("configurationNamingContext")

    @property
    def schema_nc(self):
        return self.root_dse.text("schemaNamingContext")

    @property
    def dns_domain(self):
        return ".".join(rdn.split("=", 1)[1] for rdn in self.default_nc.split(",")
                        if rdn.strip().lower().startswith("dc=")).lower()

    # ------------------------------------------------------------------ reads
    def _entries(self):
        # DNs as the server escaped them (Samba: CN=Who\? Me) re-encoded in the RFC 4514 form ldap3
        # passes on unchanged: its safe_dn would double the backslash of \? and name another object.
        return [Entry(canonical_dn(item.get("dn")), item.get("raw_attributes")) for item in (self.conn.response or [])
                if item.get("type") == "searchResEntry"]

    def search(self, base, search_filter, attributes, scope="subtree", page_size=DEFAULT_PAGE_SIZE, controls=None):
        """Every entry under base matching the filter, asked for in pages of page_size."""
        scopes = {"base": ldap3.BASE, "one_level": ldap3.LEVEL, "onelevel": ldap3.LEVEL, "subtree": ldap3.SUBTREE}
        cookie = None
        found = []
        while True:
            if self.conn is None or self.conn.closed:
                raise self.lost("before searching %s" % base)
            try:
                ok = self.conn.search(canonical_dn(base), search_filter, search_scope=scopes[scope], attributes=attributes,
                                      paged_size=page_size if scope != "base" else None,
                                      paged_cookie=cookie, controls=controls)
            except LDAPException as exc:
                raise self.lost("while searching %s" % base, exc)
            self.stats["searches"] += 1 if cookie is None else 0
            self.stats["pages"] += 1
            result = self.conn.result or {}
            if not ok and result.get("result") not in (0, None):
                if result.get("result") == 32:
                    raise ADError("the search base '%s' does not exist" % base, code="noSuchObject", result=result)
                raise ADError(describe(result, op="search", dn=base), result=result)
            found.extend(self._entries())
            cookie = (((result.get("controls") or {}).get(PAGED_RESULTS_OID) or {}).get("value") or {}).get("cookie")
            if not cookie or scope == "base":
                return found

    def read(self, dn, attributes):
        """One object by DN, or None when it does not exist."""
        try:
            return (self.search(dn, "(objectClass=*)", attributes, scope="base") or [None])[0]
        except ADError as exc:
            if exc.code == "noSuchObject":
                return None
            raise

    def exists(self, dn):
        return self.read(dn, ["objectClass"]) is not None

    # ------------------------------------------------------------------ writes (return (ok, result))
    def lost(self, when, exc=None):
        """The ADError of a connection to the DC that is gone (code CONNECTION_LOST)."""
        detail = ": %s" % type(exc).__name__ if exc is not None else ""
        return ADError("the connection to the domain controller %s was lost %s%s; a rerun converges (it finds what "
                       "was written and writes the rest)" % (self.server, when, detail), code=CONNECTION_LOST)

    def _write(self, func, *args, **kwargs):
        if self.conn is None or self.conn.closed:
            # Never sent: the connection was gone already (checked first, so that a lost connection is
            # not reported as an unencrypted one).
            raise self.lost("before this write: nothing was sent")
        if kwargs.pop("secret", False) and not self.encrypted:
            raise ADError("refusing to send a password: the connection is not encrypted")
        try:
            ok = func(*args, **kwargs)
        except LDAPException as exc:
            raise self.lost("during this write, which may or may not have been applied", exc)
        self.stats["writes"] += 1
        return ok, _safe_result(self.conn.result)

    def add(self, dn, object_class, attributes, secret=False):
        return self._write(self.conn.add, canonical_dn(dn), object_class, attributes, secret=secret)

    def modify(self, dn, changes, secret=False, controls=None):
        """changes: {attribute: [(op, [values])]} with op 'add' | 'delete' | 'replace'."""
        ops = {"add": ldap3.MODIFY_ADD, "delete": ldap3.MODIFY_DELETE, "replace": ldap3.MODIFY_REPLACE}
        converted = dict((attr, [(ops[op], values) for op, values in pairs]) for attr, pairs in changes.items())
        return self._write(self.conn.modify, canonical_dn(dn), converted, secret=secret, controls=controls)

    def move(self, dn, new_rdn, new_parent=None):
        return self._write(self.conn.modify_dn, canonical_dn(dn), canonical_dn(new_rdn), new_superior=canonical_dn(new_parent))

    def delete(self, dn, tree=False):
        controls = [(TREE_DELETE_OID, True, None)] if tree else None
        return self._write(self.conn.delete, canonical_dn(dn), controls=controls)


def _safe_result(result):
    """ldap3's result without anything that could echo a request back."""
    result = dict(result or {})
    return dict((k, result.get(k)) for k in ("result", "description", "message", "dn", "type"))
