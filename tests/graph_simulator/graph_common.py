"""Shared pieces of the Graph handlers: request context, permissions, projection, paging."""
import base64
import json
import urllib.parse

from . import odata, schema
from .errors import GraphError, denied
from .model import DEFAULT_SELECT

READ_USERS = {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
WRITE_USERS = {"User.ReadWrite.All", "Directory.ReadWrite.All"}
PASSWORD_RESET = {"User-PasswordProfile.ReadWrite.All"}
REVOKE_SESSIONS = {"User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
LICENSE_WRITE = {"LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
LICENSE_READ = READ_USERS | {"LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"}
SKU_READ = {"Organization.Read.All", "Organization.ReadWrite.All", "LicenseAssignment.Read.All",
            "LicenseAssignment.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
DOMAIN_READ = {"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
ORG_READ = {"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
ROLES_READ = {"Directory.Read.All", "Directory.ReadWrite.All", "RoleManagement.Read.Directory",
              "RoleManagement.ReadWrite.Directory", "RoleManagement.Read.All"}

DEFAULT_PAGE = 100
MAX_PAGE = 999


class Ctx(object):
    """One Graph request (an HTTP request or a $batch sub-request)."""
    __slots__ = ("sim", "method", "path", "segments", "query", "headers", "body", "principal", "base", "params")

    def __init__(self, sim, method, path, query, headers, body, principal, base):
        self.sim = sim
        self.method = method
        self.path = path
        self.segments = []
        self.query = query
        self.headers = headers
        self.body = body
        self.principal = principal
        self.base = base
        self.params = []

    @property
    def tenant(self):
        return self.sim.tenant

    def require(self, allowed):
        """403 unless the caller is an app holding one of the allowed application permissions."""
        p = self.principal
        if p.kind != "app" or not (p.roles & allowed):
            raise denied()

    def advanced(self):
        return self.headers.get("consistencylevel", "").lower() == "eventual"

    def context_url(self, fragment):
        return "%s/v1.0/$metadata#%s" % (self.base, fragment)


def project(props, select):
    # A declared property the simulator does not store reads as Graph's unset value.
    return {name: _copy(props[name]) if name in props else schema.unset_value("user", name) for name in select}


def _copy(value):
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    return value


def selection(ctx):
    raw = ctx.query.get("$select")
    return odata.parse_select(raw) if raw else list(DEFAULT_SELECT)


def page_size(ctx):
    raw = ctx.query.get("$top")
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        # Graph's code for a page size above the maximum is Request_UnsupportedQuery.
        code = "Request_UnsupportedQuery" if raw.isdigit() and int(raw) > MAX_PAGE else "Request_BadRequest"
        raise GraphError(400, code,
                         "Invalid page size specified: '%s'. Must be between 1 and %d inclusive." % (raw, MAX_PAGE))
    return int(raw)


def encode_token(data):
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(text):
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        raise GraphError(400, "Request_BadRequest", "Invalid skip token '%s'." % text)


def next_link(ctx, path, token_name, token):
    query = [(k, v) for k, v in ctx.query.items() if k not in ("$skiptoken", "$deltatoken")]
    query.append((token_name, token))
    return "%s/v1.0/%s?%s" % (ctx.base, path, urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()"))


def list_objects(ctx, records, path, context_fragment, odata_type=None):
    """$filter/$search/$orderby/$count/$select/$top + @odata.nextLink over (seq, props) records."""
    query = ctx.query
    advanced = ctx.advanced()
    want_count = query.get("$count", "").lower() == "true"
    if want_count and not advanced:
        # Graph ignores $count=true without ConsistencyLevel: eventual (200, no @odata.count); without both
        # it also runs none of the advanced query options.
        want_count = False
    if "$search" in query and not advanced:
        raise GraphError(400, "Request_UnsupportedQuery",
                         "Request with $search query parameter only works through MSGraph with a special request "
                         "header: 'ConsistencyLevel: eventual'")
    select = selection(ctx)
    top = page_size(ctx)
    pred = odata.compile_filter(query["$filter"], advanced and want_count) if query.get("$filter") else None
    search = odata.compile_search(query["$search"]) if query.get("$search") else None
    matched = [(seq, props) for seq, props in records
               if (pred is None or pred(props)) and (search is None or search(props))]
    order = query.get("$orderby")
    cursor = decode_token(query["$skiptoken"]) if query.get("$skiptoken") else {}
    if order:
        prop, desc = odata.order_key(order, advanced and (want_count or search is not None), bool(pred or search))
        matched.sort(key=lambda r: ((r[1].get(prop) or "").lower(), r[0]), reverse=desc)
        start = int(cursor.get("o", 0))
        page = matched[start:start + top]
        more = start + top < len(matched)
        token = encode_token({"o": start + top})
    else:
        matched.sort(key=lambda r: r[0])
        after = int(cursor.get("a", 0))
        rest = [r for r in matched if r[0] > after]
        page = rest[:top]
        more = len(rest) > top
        token = encode_token({"a": page[-1][0]}) if page else ""
    body = {"@odata.context": ctx.context_url(context_fragment)}
    if want_count:
        body["@odata.count"] = len(matched)
    if more:
        body["@odata.nextLink"] = next_link(ctx, path, "$skiptoken", token)
    items = []
    for _seq, props in page:
        item = project(props, select)
        if odata_type:
            item = dict([("@odata.type", odata_type)] + list(item.items()))
        items.append(item)
    body["value"] = items
    return body
