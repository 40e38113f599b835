# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing both sides of a link through the shared clients.

AD goes through LdapClient (paged searches, OR-chunked lookups, one modify per user); the cloud
through GraphClient (paged listings, batched `in` filters, PATCH in $batch of 20). Users come
out as the plain dicts _link_rules works on. No client of its own: the AD and cloud helpers'
clients, codecs and query builders are reused as they are.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError, describe
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import (
    USER_FILTER, UserIndex, chunks, identity_term)
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import MATCHING_RULE_IN_CHAIN
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_query import (
    MAX_IN, PAGE_SIZE, in_filters, needs_advanced, urlencode_query)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest

OR_CHUNK = 200            # terms per OR filter in one LDAP search
NOT_CRITICAL = "(!(isCriticalSystemObject=TRUE))"   # Entra Connect leaves these out too
AD_BASE_ATTRIBUTES = ["objectGUID", "sAMAccountName", "userPrincipalName", "mail", "proxyAddresses",
                      "employeeID", "userAccountControl", "pwdLastSet"]
CLOUD_SELECT = ["id", "userPrincipalName", "mail", "mailNickname", "employeeId", "proxyAddresses",
                "onPremisesImmutableId", "onPremisesSyncEnabled", "userType", "displayName"]


# ------------------------------------------------------------------------------- AD side
def ad_attributes(link_attribute, rules=()):
    out = list(AD_BASE_ATTRIBUTES) + [link_attribute]
    for rule in rules or ():
        if isinstance(rule, dict) and rule.get("ad_attribute") not in out:
            out.append(rule["ad_attribute"])
    return out


def ad_user(entry, link_attribute, rules=(), key=None):
    """A directory entry -> the AD user dict of _link_rules."""
    raw_guid = entry.value("objectGUID")
    attrs = {}
    for rule in rules or ():
        if isinstance(rule, dict):
            values = entry.texts(rule["ad_attribute"])
            attrs[rule["ad_attribute"]] = values if len(values) > 1 else (values[0] if values else None)
    return {
        "key": key or entry.text("sAMAccountName") or entry.dn,
        "dn": entry.dn,
        "sam": entry.text("sAMAccountName"),
        "upn": entry.text("userPrincipalName"),
        "mail": entry.text("mail"),
        "proxy_addresses": entry.texts("proxyAddresses"),
        "employee_id": entry.text("employeeID"),
        "object_guid": codecs.guid_from_bytes(raw_guid) if raw_guid else None,
        "immutable_id": codecs.immutable_id_from_bytes(raw_guid) if raw_guid else None,
        "link": entry.text(link_attribute) or None,
        "uac": codecs.to_int(entry.values("userAccountControl")) or 0,
        "pwd_last_set": codecs.to_int(entry.values("pwdLastSet")),
        "attrs": attrs,
    }


def scope_filter(ad_filter=None, group_dn=None, nested=False):
    parts = [USER_FILTER, NOT_CRITICAL]
    if ad_filter:
        text = ad_filter.strip()
        parts.append(text if text.startswith("(") else "(%s)" % text)
    if group_dn:
        rule = ":%s:" % MATCHING_RULE_IN_CHAIN if nested else ""
        parts.append("(memberOf%s=%s)" % (rule, codecs.escape_filter_value(group_dn)))
    return "(&%s)" % "".join(parts)


def find_group(client, spec):
    term = identity_term(spec)[1]
    entries = client.search(client.default_nc, "(&(objectClass=group)%s)" % term, ["distinguishedName"])
    if not entries:
        raise ADError("ad_group '%s' not found. Fix: name the group by sAMAccountName, DN or objectGUID" % spec)
    return entries[0].dn


def ad_scope(client, attributes, search_base=None, search_scope="subtree", ad_filter=None, group=None,
             nested=False, page_size=500):
    """Every user of the scope (one paged search)."""
    group_dn = find_group(client, group) if group else None
    return client.search(search_base or client.default_nc, scope_filter(ad_filter, group_dn, nested), attributes,
                         scope=search_scope, page_size=page_size)


def _or_search(client, terms, attributes):
    found = {}
    for chunk in chunks(sorted(set(terms)), OR_CHUNK):
        flt = "(&%s%s)" % (USER_FILTER, codecs.or_filter(chunk))
        for entry in client.search(client.default_nc, flt, attributes):
            found[codecs.normalize_dn(entry.dn)] = entry
    return list(found.values())


def ad_lookup(client, identities, attributes):
    """Users named by identity (sAMAccountName, UPN, DN, GUID), domain-wide, OR-chunked.
    Returns a UserIndex."""
    return UserIndex(_or_search(client, [identity_term(i)[1] for i in identities], attributes))


def ad_by_link(client, link_attribute, cloud_ids, attributes):
    """Users whose link attribute names one of cloud_ids (domain-wide, OR-chunked)."""
    return _or_search(client, ["(%s=%s)" % (link_attribute, codecs.escape_filter_value(cid)) for cid in cloud_ids],
                      attributes)


def ad_by_anchor(client, immutable_ids, attributes):
    """Users whose objectGUID is one of the immutable ids (ids that do not decode are skipped)."""
    terms = []
    for value in immutable_ids:
        try:
            guid = codecs.guid_from_immutable_id(value)
        except ValueError:
            continue
        terms.append("(objectGUID=%s)" % codecs.guid_filter_value(guid))
    return _or_search(client, terms, attributes) if terms else []


def ad_write(client, dn, changes):
    """One modify. changes: {attribute: value or None (clear)}. Returns None or an error text."""
    mods = {}
    for attr, value in changes.items():
        mods[attr] = [("replace", [] if value is None else [str(value)])]
    ok, result = client.modify(dn, mods)
    if ok:
        return None
    return describe(result, op="update", dn=dn)


# ------------------------------------------------------------------------------- cloud side
def cloud_select(rules=()):
    out = list(CLOUD_SELECT)
    for rule in rules or ():
        if isinstance(rule, dict):
            top = rule["cloud_property"].split("/", 1)[0]
            if top not in out:
                out.append(top)
    return out


def cloud_user(user, admins=None):
    """A Graph user -> the cloud user dict of _link_rules."""
    return {
        "id": user.get("id"),
        "upn": user.get("userPrincipalName"),
        "mail": user.get("mail"),
        "mail_nickname": user.get("mailNickname"),
        "employee_id": user.get("employeeId"),
        "proxy_addresses": list(user.get("proxyAddresses") or []),
        "immutable_id": user.get("onPremisesImmutableId") or None,
        "sync_enabled": bool(user.get("onPremisesSyncEnabled")),
        "guest": (user.get("userType") or "").lower() == "guest",
        "is_admin": bool(admins) and (user.get("id") or "").lower() in admins,
        "props": user,
    }


def cloud_scope(client, select, cloud_filter=None):
    """Every user of the tenant, or those matching an OData filter (one paged listing)."""
    params = [("$select", ",".join(select)), ("$top", PAGE_SIZE)]
    headers = None
    if cloud_filter:
        params.append(("$filter", cloud_filter))
        if needs_advanced(cloud_filter):
            params.append(("$count", "true"))
            headers = {"ConsistencyLevel": "eventual"}
    return list(client.pages("/users?" + urlencode_query(params), headers=headers))


def cloud_lookup(client, keys, select):
    """Users by UPN or id, in as few requests as GraphClient.read_users can: {lower key: user}."""
    if not keys:
        return {}
    found, _extra, _strategy = client.read_users(keys, select)
    return found


def cloud_by_anchor(client, immutable_ids, select):
    """Users holding one of the immutable ids: `onPremisesImmutableId in (...)`, 15 values a
    filter, 20 filters a $batch. Returns {immutable id: user}."""
    values = sorted(set(v for v in immutable_ids if v))
    if not values:
        return {}
    sel = ",".join(select)
    subs = [SubRequest("anchor%d" % i, "GET", "/users?" + urlencode_query(
        [("$select", sel), ("$filter", flt), ("$top", PAGE_SIZE)]))
        for i, flt in enumerate(in_filters("onPremisesImmutableId", values, MAX_IN))]
    users = []
    if len(subs) == 1:
        users = list(client.pages(subs[0].url))
    else:
        answers = client.batch(subs)
        for sub in subs:
            answer = answers[sub.key]
            if not answer.ok:
                raise answer.error
            users.extend((answer.body or {}).get("value") or [])
            link = (answer.body or {}).get("@odata.nextLink")
            if link:
                users.extend(client.pages(link))
    return dict((u.get("onPremisesImmutableId"), u) for u in users if u.get("onPremisesImmutableId"))


def admin_ids(client):
    """Ids (lower case) of every user holding a directory role: GET /directoryRoles, then every
    role's members in one $batch (2 requests for the whole tenant, instead of one memberOf per
    user). Needs Directory.Read.All or RoleManagement.Read.Directory."""
    roles = list(client.pages("/directoryRoles?$select=id,displayName"))
    if not roles:
        return set()
    subs = [SubRequest(role["id"], "GET", "/directoryRoles/%s/members?$select=id" % role["id"]) for role in roles]
    answers = client.batch(subs)
    admins = set()
    for sub in subs:
        answer = answers[sub.key]
        if not answer.ok:
            raise answer.error
        members = list((answer.body or {}).get("value") or [])
        link = (answer.body or {}).get("@odata.nextLink")
        if link:
            members.extend(client.pages(link))
        for member in members:
            kind = member.get("@odata.type", "#microsoft.graph.user")
            if kind.endswith(".user") and member.get("id"):
                admins.add(member["id"].lower())
    return admins


def cloud_patch_requests(writes):
    """SubRequests setting or clearing onPremisesImmutableId: writes = [(key, cloud id, value)]."""
    return [SubRequest(key, "PATCH", "/users/%s" % cid, body={"onPremisesImmutableId": value}, target=cid,
                       known_object=True) for key, cid, value in writes]


class LinkIO(object):
    """Both directories behind one small interface (the engine's only way out, so unit tests can
    put a fake in its place). Users come back as _link_rules dicts."""

    def __init__(self, ldap, graph, link_attribute, rules=(), page_size=500):
        self.ldap = ldap
        self.graph = graph
        self.link_attribute = link_attribute
        self.rules = [r for r in rules or () if isinstance(r, dict)]
        self.attributes = ad_attributes(link_attribute, self.rules)
        self.select = cloud_select(self.rules)
        self.page_size = page_size

    def _ad(self, entries):
        return [ad_user(e, self.link_attribute, self.rules) for e in entries]

    def count_ad_users(self):
        """The domain's user accounts, DNs only: the scope of delete protection for unlinks."""
        return len(self.ldap.search(self.ldap.default_nc, USER_FILTER, ["1.1"], page_size=self.page_size))

    def ad_scope(self, search_base=None, search_scope="subtree", ad_filter=None, group=None, nested=False):
        return self._ad(ad_scope(self.ldap, self.attributes, search_base, search_scope, ad_filter, group, nested,
                                 self.page_size))

    def ad_lookup(self, identities):
        """{identity as given: AD user} for those found."""
        index = ad_lookup(self.ldap, identities, self.attributes)
        found = {}
        for identity in identities:
            entry = index.find_identity(identity)
            if entry is not None:
                found[identity] = ad_user(entry, self.link_attribute, self.rules)
        return found

    def ad_by_link(self, cloud_ids):
        return self._ad(ad_by_link(self.ldap, self.link_attribute, cloud_ids, self.attributes))

    def ad_by_anchor(self, immutable_ids):
        return self._ad(ad_by_anchor(self.ldap, immutable_ids, self.attributes))

    def ad_write(self, dn, changes):
        return ad_write(self.ldap, dn, changes)

    def cloud_scope(self, cloud_filter=None):
        return [cloud_user(u) for u in cloud_scope(self.graph, self.select, cloud_filter)]

    def cloud_lookup(self, keys):
        return dict((k, cloud_user(u)) for k, u in cloud_lookup(self.graph, keys, self.select).items())

    def cloud_wait(self, keys):
        """Users a lookup missed, read again with backoff for up to the client's replication wait
        (created moments ago, so not listed yet): {lower key: cloud user} of those that appeared."""
        return dict((k, cloud_user(u)) for k, u in self.graph.wait_for_users(keys, self.select).items())

    def cloud_by_anchor(self, immutable_ids):
        return dict((k, cloud_user(u)) for k, u in cloud_by_anchor(self.graph, immutable_ids, self.select).items())

    def admin_ids(self):
        return admin_ids(self.graph)

    def cloud_write(self, writes):
        """writes: [(key, cloud id, value)] -> {key: None (done) or GraphError}."""
        if not writes:
            return {}
        answers = self.graph.batch(cloud_patch_requests(writes))
        return dict((key, None if answers[key].ok else answers[key].error) for key, dummy, dummy2 in writes)

    def stats(self):
        return {"ldap": dict(self.ldap.stats) if self.ldap is not None else {},
                "graph": dict(self.graph.stats) if self.graph is not None else {}}
