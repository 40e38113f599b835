# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading many users in few requests: OData filters and the read-strategy arithmetic (pure).

Two ways to read N named users:
- "filter": `userPrincipalName in (...)` / `id in (...)` queries of at most 15 values each,
  packed 20 to a $batch: 300 users per HTTP request;
- "listing": page through all of /users with $select, 999 per page: ceil(tenant size / 999).
The cheaper one wins; for a handful of users a single filtered GET needs no batch at all.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

try:
    from urllib.parse import quote as _urlquote
except ImportError:  # pragma: no cover - Python 2 is not supported by the modules anyway
    from urllib import quote as _urlquote

MAX_IN = 15          # Graph: at most 15 values in an `in` clause (OR clauses)
MAX_BATCH = 20
PAGE_SIZE = 999      # GET /users $top maximum
USERS_PER_FILTER_BATCH = MAX_IN * MAX_BATCH

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ADVANCED_RE = re.compile(r"(?<![\w'])(ne|not|endswith)(?![\w'])|\$count|\$search", re.I)


def is_guid(value):
    return bool(value) and bool(GUID_RE.match(str(value)))


def ceil_div(a, b):
    return -(-int(a) // int(b))


def quote(value):
    """An OData string literal."""
    return "'%s'" % str(value).replace("'", "''")


def urlencode_query(params):
    """A query string for Graph (keeps $ and , readable; encodes everything OData-significant)."""
    parts = []
    for key, value in params:
        parts.append("%s=%s" % (key, _urlquote(str(value), safe="$,/:@")))
    return "&".join(parts)


def split_keys(keys):
    """User references -> (ids, upns), each de-duplicated case-insensitively, order kept."""
    ids, upns, seen = [], [], set()
    for key in keys:
        if key is None:
            continue
        key = str(key).strip()
        fold = key.lower()
        if not key or fold in seen:
            continue
        seen.add(fold)
        (ids if is_guid(key) else upns).append(key)
    return ids, upns


def in_filters(prop, values, size=MAX_IN):
    """`prop in ('a','b',...)` filters, at most `size` values each."""
    values = list(values)
    return ["%s in (%s)" % (prop, ",".join(quote(v) for v in values[i:i + size]))
            for i in range(0, len(values), size)]


def key_filters(ids, upns):
    return in_filters("id", ids) + in_filters("userPrincipalName", upns)


def needs_advanced(filter_text):
    """Whether a filter needs ConsistencyLevel: eventual + $count=true (ne, not, endsWith)."""
    if not filter_text:
        return False
    bare = re.sub(r"'(?:[^']|'')*'", "''", filter_text)   # words inside string literals do not count
    return bool(ADVANCED_RE.search(bare))


def filter_requests(n_keys):
    """HTTP requests the filter strategy needs for n keys (1 plain GET up to 15, then batches)."""
    if n_keys <= 0:
        return 0
    if n_keys <= MAX_IN:
        return 1
    return ceil_div(ceil_div(n_keys, MAX_IN), MAX_BATCH)


def listing_requests(tenant_users):
    return max(1, ceil_div(max(0, tenant_users), PAGE_SIZE))


def choose_read(n_keys, tenant_users=None):
    """'filter' or 'listing', whichever needs fewer HTTP requests (ties go to filter: it reads
    only what it needs). Without a tenant size, filter (its cost is known in advance)."""
    if n_keys <= 0:
        return "filter"
    if tenant_users is None:
        return "filter"
    return "listing" if listing_requests(tenant_users) < filter_requests(n_keys) else "filter"


def worth_counting(n_keys):
    """Whether asking the tenant size first can pay: only when the filter strategy needs more
    than one request (below that nothing can beat it)."""
    return filter_requests(n_keys) > 1
