# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who already holds a name in the cloud: the guard that keeps a creating job off other people's accounts.

A cloud user that exists under the UPN a creating job wants, or holds that address as its mail or
one of its proxyAddresses, belongs to someone until proven otherwise. The only proof accepted is
the anchor: a user whose onPremisesImmutableId is the anchor the job is creating it with (our own
create that landed in an earlier, interrupted run)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._cloud_query import quote, urlencode_query
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest

# Graph allows 15 clauses per filter (the same limit as "in"); one address takes two.
ADDRESSES_PER_FILTER = 7
FIX = ("a creating job never changes an account it did not create. Fix: choose another username/UPN, or pair "
       "the existing accounts with hybrid.identity.link_accounts")


def address_filters(addresses):
    """$filter texts finding every user whose mail is one of addresses or whose proxyAddresses hold it."""
    addresses = sorted(set(a.lower() for a in addresses if a))
    out = []
    for start in range(0, len(addresses), ADDRESSES_PER_FILTER):
        part = addresses[start:start + ADDRESSES_PER_FILTER]
        out.append(" or ".join("mail eq %s or proxyAddresses/any(p:p eq %s)" % (quote(a), quote("smtp:" + a))
                               for a in part))
    return out


def holders_by_address(users):
    """{lower-case address: user} for the mail and SMTP proxy addresses of users (Graph dicts)."""
    out = {}
    for user in users:
        for address in [user.get("mail")] + list(user.get("proxyAddresses") or []):
            if not address:
                continue
            text = address.split(":", 1)[1] if address.lower().startswith("smtp:") else address
            out.setdefault(text.lower(), user)
    return out


def address_requests(addresses, prefix="__a"):
    """The $batch sub-requests that find who holds any of addresses (they may ride with other reads)."""
    return [SubRequest("%s%d__" % (prefix, i), "GET", "/users?" + urlencode_query(
        [("$select", "id,userPrincipalName,mail,proxyAddresses,onPremisesImmutableId"), ("$filter", flt),
         ("$top", 999)])) for i, flt in enumerate(address_filters(addresses))]


def holders_from(answers, subs):
    """{lower-case address: user} from the answers to address_requests' sub-requests."""
    users = []
    for sub in subs:
        answer = answers[sub.key]
        if not answer.ok:
            raise answer.error.for_object("GET /users (who holds the new addresses)")
        users.extend((answer.body or {}).get("value", []))
    return holders_by_address(users)


def read_address_holders(client, addresses):
    """The users holding any of addresses as mail or proxy address: {lower-case address: user}."""
    subs = address_requests(addresses)
    return holders_from(client.batch(subs), subs) if subs else {}


def is_own_create(current, spec):
    """True when the existing user is the one this job created before (same anchor as the create carries)."""
    anchor = spec.get("on_premises_immutable_id")
    return bool(anchor) and (current or {}).get("onPremisesImmutableId") == anchor


def taken_message(upn, current, how="UPN"):
    return "a cloud account already holds %s as its %s (%s, id %s): %s" % (
        upn, how, current.get("userPrincipalName"), current.get("id"), FIX)
