"""OData query options for users: $filter parser/evaluator, $select, $orderby, $search.

$filter compiles to a predicate over a user's property dict. Supported: eq ne gt ge lt le,
in (...), startswith(), endswith(), and/or/not, parentheses, and any() lambdas on
collections (assignedLicenses/any(x:x/skuId eq GUID), proxyAddresses/any(p:startswith(p,'smtp:'))).
Operators Graph calls "advanced" (ne, not, endswith) need ConsistencyLevel: eventual + $count=true.
"""
import re

from . import schema
from .errors import GraphError

FILTERABLE = {
    "id", "userPrincipalName", "mail", "mailNickname", "onPremisesImmutableId", "accountEnabled",
    "employeeId", "displayName", "givenName", "surname", "userType", "usageLocation", "department",
    "jobTitle", "companyName", "city", "country", "state", "onPremisesSyncEnabled", "createdDateTime",
    "employeeType", "officeLocation", "postalCode", "preferredLanguage", "creationType",
    "externalUserState", "onPremisesSamAccountName", "onPremisesUserPrincipalName",
}
# collection -> sub-property allowed inside any() (None = the element itself)
COLLECTIONS = {"assignedLicenses": {"skuId"}, "assignedPlans": {"servicePlanId", "capabilityStatus"},
               "proxyAddresses": {None}, "otherMails": {None}, "businessPhones": {None}}
ADVANCED_OPS = {"ne", "not", "endswith"}
MAX_OR_CLAUSES = 15

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T[0-9:.]+Z?)
  | (?P<punct>[(),:/])
  | (?P<word>[A-Za-z0-9_.\-@#$+]+)
)""", re.X)


def _unsupported(prop):
    return GraphError(400, "Request_UnsupportedQuery",
                      "Unsupported or invalid query filter clause specified for property '%s' of resource 'User'." % prop)


def _syntax(text, pos):
    return GraphError(400, "BadRequest", "Invalid filter clause: syntax error at position %d in '%s'." % (pos, text))


def advanced_required(op):
    return GraphError(400, "Request_UnsupportedQuery",
                      "Operator '%s' is not supported because the required parameters might be missing. "
                      "Try adding $count=true query parameter and ConsistencyLevel:eventual header. "
                      "Refer to https://aka.ms/graph-docs/advanced-queries for more information" % op)


def _fold(value):
    return value.lower() if isinstance(value, str) else value


class _Parser(object):
    def __init__(self, text, advanced):
        self.text = text
        self.advanced = advanced
        self.tokens = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise _syntax(text, pos)
            kind = match.lastgroup
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        self.i = 0
        self.or_clauses = 0

    # token helpers
    def peek(self, offset=0):
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else (None, None, len(self.text))

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1].lower() != value):
            raise _syntax(self.text, tok[2])
        self.i += 1
        return tok

    def at_word(self, word):
        tok = self.peek()
        return tok[0] == "word" and tok[1].lower() == word

    def need_advanced(self, op):
        if not self.advanced:
            raise advanced_required(op)

    # grammar
    def parse(self):
        pred = self.expr(None)
        if self.peek()[0] is not None:
            raise _syntax(self.text, self.peek()[2])
        # The 15-value cap is the default query engine's; advanced queries take longer lists.
        if self.or_clauses > MAX_OR_CLAUSES and not self.advanced:
            raise GraphError(400, "Request_UnsupportedQuery",
                             "Too many child clauses specified in search filter expression containing 'OR' "
                             "operators: %d. Max allowed: %d." % (self.or_clauses, MAX_OR_CLAUSES))
        return pred

    def expr(self, var):
        parts = [self.and_expr(var)]
        while self.at_word("or"):
            self.i += 1
            parts.append(self.and_expr(var))
        if len(parts) == 1:
            return parts[0]
        self.or_clauses += len(parts)
        return lambda obj: any(p(obj) for p in parts)

    def and_expr(self, var):
        parts = [self.not_expr(var)]
        while self.at_word("and"):
            self.i += 1
            parts.append(self.not_expr(var))
        if len(parts) == 1:
            return parts[0]
        return lambda obj: all(p(obj) for p in parts)

    def not_expr(self, var):
        if self.at_word("not"):
            self.need_advanced("not")
            self.i += 1
            inner = self.not_expr(var)
            return lambda obj: not inner(obj)
        return self.primary(var)

    def primary(self, var):
        tok = self.peek()
        if tok[0] == "punct" and tok[1] == "(":
            self.i += 1
            inner = self.expr(var)
            self.take("punct", ")")
            return inner
        if tok[0] == "word" and tok[1].lower() in ("startswith", "endswith") and self.peek(1)[1] == "(":
            return self.function(var)
        getter, name = self.operand(var)
        if self.peek()[1] == "/" and var is None:
            return self.lambda_any(name)
        op_tok = self.take("word")
        op = op_tok[1].lower()
        if op == "in":
            self.take("punct", "(")
            values = [self.literal()]
            while self.peek()[1] == ",":
                self.i += 1
                values.append(self.literal())
            self.take("punct", ")")
            self.or_clauses += len(values)
            folded = {_fold(v) for v in values}
            return lambda obj: _fold(getter(obj)) in folded
        if op not in ("eq", "ne", "gt", "ge", "lt", "le"):
            raise _syntax(self.text, op_tok[2])
        if op in ADVANCED_OPS:
            self.need_advanced(op)
        value = _fold(self.literal())
        return _comparison(getter, op, value)

    def function(self, var):
        name = self.take("word")[1].lower()
        if name in ADVANCED_OPS:
            self.need_advanced(name)
        self.take("punct", "(")
        getter, _prop = self.operand(var)
        self.take("punct", ",")
        needle = _fold(self.literal())
        self.take("punct", ")")
        if name == "startswith":
            return lambda obj: isinstance(getter(obj), str) and getter(obj).lower().startswith(needle)
        return lambda obj: isinstance(getter(obj), str) and getter(obj).lower().endswith(needle)

    def operand(self, var):
        """A property reference: returns (getter, name)."""
        tok = self.take("word")
        name = tok[1]
        if var is not None:
            if name != var:
                raise _syntax(self.text, tok[2])
            if self.peek()[1] == "/":
                self.i += 1
                sub = self.take("word")[1]
                if sub not in self.allowed_sub:
                    raise _unsupported(sub)
                return (lambda elem: elem.get(sub) if isinstance(elem, dict) else None), sub
            if None not in self.allowed_sub:
                raise _unsupported(name)
            return (lambda elem: elem), name
        if name in COLLECTIONS:
            if self.peek()[1] != "/":
                raise _unsupported(name)
            return None, name
        if name not in FILTERABLE:
            raise _unsupported(name)
        return (lambda obj: obj.get(name)), name

    def lambda_any(self, collection):
        self.take("punct", "/")
        self.take("word", "any")
        self.take("punct", "(")
        var = self.take("word")[1]
        self.take("punct", ":")
        self.allowed_sub = COLLECTIONS[collection]
        inner = self.expr(var)
        self.take("punct", ")")
        return lambda obj: any(inner(elem) for elem in obj.get(collection) or [])

    def literal(self):
        kind, value, pos = self.take()
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "datetime":
            return value
        if kind == "word":
            low = value.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
            if re.fullmatch(r"-?\d+", value):
                return int(value)
            if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value):
                return value
        raise _syntax(self.text, pos)


def _comparison(getter, op, value):
    if op == "eq":
        return lambda obj: _fold(getter(obj)) == value
    if op == "ne":
        return lambda obj: _fold(getter(obj)) != value

    def ordered(obj):
        current = _fold(getter(obj))
        if current is None or value is None:
            return False
        try:
            return {"gt": current > value, "ge": current >= value, "lt": current < value, "le": current <= value}[op]
        except TypeError:
            return False
    return ordered


def compile_filter(text, advanced):
    return _Parser(text, advanced).parse()


def parse_select(text):
    """$select -> list of declared property names. Graph matches names case-insensitively and accepts every
    structural property its metadata declares for user (and directoryObject), stored here or not."""
    known = schema.selectable("user")
    names = []
    for name in (n.strip() for n in text.split(",")):
        if not name:
            continue
        if name.lower() not in known:
            raise GraphError(400, "BadRequest", "Parsing OData Select and Expand failed: Could not find a property "
                                                "named '%s' on type 'microsoft.graph.user'." % name)
        names.append(known[name.lower()])
    return names


# Sortable on their own; with advanced query parameters (ConsistencyLevel: eventual + $count=true) also the
# others below, and after a $filter or $search (https://learn.microsoft.com/graph/aad-advanced-queries).
ORDERABLE = {"displayname": "displayName", "userprincipalname": "userPrincipalName",
             "createddatetime": "createdDateTime"}
ORDERABLE_ADVANCED = dict(ORDERABLE, mail="mail", givenname="givenName", surname="surname")


def order_key(text, advanced=False, filtered=False):
    """$orderby prop [asc|desc] -> (declared name, descending)."""
    parts = text.strip().split()
    prop = (ORDERABLE_ADVANCED if advanced else ORDERABLE).get(parts[0].lower()) if parts else None
    if (prop is None or (filtered and not advanced) or len(parts) > 2
            or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc"))):
        raise GraphError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.")
    return prop, len(parts) == 2 and parts[1].lower() == "desc"


def compile_search(text):
    """$search="prop:word" [AND|OR "prop:word"]: tokenised prefix match, as Graph does on names."""
    clauses = re.findall(r'"([^":]+):([^"]*)"|\b(AND|OR)\b', text)
    terms, joiner = [], "AND"
    for prop, word, conj in clauses:
        if conj:
            joiner = conj
            continue
        if prop not in ("displayName", "mail", "userPrincipalName", "givenName", "surname", "mailNickname"):
            raise GraphError(400, "Request_UnsupportedQuery", "Unsupported property '%s' in $search." % prop)
        terms.append((prop, word.lower()))
    if not terms:
        raise GraphError(400, "BadRequest", "Syntax error: invalid $search clause.")

    def match(obj, prop, word):
        value = (obj.get(prop) or "").lower()
        return any(tok.startswith(word) for tok in re.split(r"[\s.@_\-]+", value)) or value.startswith(word)
    if joiner == "OR":
        return lambda obj: any(match(obj, p, w) for p, w in terms)
    return lambda obj: all(match(obj, p, w) for p, w in terms)
