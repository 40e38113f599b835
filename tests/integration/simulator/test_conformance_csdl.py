"""Conformance of the simulator's shapes with Graph's published v1.0 metadata (the CSDL vendored in
tests/graph_simulator/reference/): every property of every object served by every endpoint exists
on its entity type (or one of its base types) with a compatible value."""
import re

import pytest

from graph_simulator import schema
from sim_helpers import ALICE_ID, FULL_APP, FULL_SECRET, TENANT_ID, new_user_body

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_PRIMITIVE = {
    "Edm.String": lambda v: isinstance(v, str),
    "Edm.Boolean": lambda v: isinstance(v, bool),
    "Edm.Int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Edm.Int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Edm.Guid": lambda v: isinstance(v, str) and bool(GUID.match(v)),
    "Edm.DateTimeOffset": lambda v: isinstance(v, str) and bool(DATETIME.match(v)),
    "Edm.Binary": lambda v: isinstance(v, str),
}


def problems(value, type_name, where):
    """Where a JSON value does not fit a CSDL type (annotations such as @odata.type are OData's own)."""
    if value is None:
        return []
    if type_name.startswith("Collection("):
        if not isinstance(value, list):
            return ["%s: %r is not a collection" % (where, value)]
        inner = type_name[len("Collection("):-1]
        return [p for i, item in enumerate(value) for p in problems(item, inner, "%s[%d]" % (where, i))]
    if type_name in _PRIMITIVE:
        return [] if _PRIMITIVE[type_name](value) else ["%s: %r is not %s" % (where, value, type_name)]
    kind = schema.kind_of(type_name)
    if kind == "EnumType":
        return [] if isinstance(value, str) else ["%s: %r is not an enum member" % (where, value)]
    if kind is None:
        return ["%s: unknown type %s" % (where, type_name)]
    if not isinstance(value, dict):
        return ["%s: %r is not a %s object" % (where, value, type_name)]
    declared_type = value.get("@odata.type", "").lstrip("#")
    declared = schema.properties(declared_type or type_name)
    out = []
    for name, item in value.items():
        if name.startswith("@odata."):
            continue
        if name not in declared:
            out.append("%s.%s: not a property of %s" % (where, name, declared_type or type_name))
        else:
            out += problems(item, declared[name], "%s.%s" % (where, name))
    return out


def _everything(graph):
    """A user with most properties set, licensed, deleted and restored: every shape has data in it."""
    body = new_user_body("shapes@corp.example.com", usageLocation="US", jobTitle="Tester", city="Oslo",
                         businessPhones=["+47 1"], otherMails=["x@example.org"], employeeId="E9", mail=None)
    user = graph.post(graph.v1("users"), json=body).json()
    graph.post(graph.v1("users/%s/assignLicense" % user["id"]),
               json={"addLicenses": [{"skuId": "f245ecc8-75af-4f8e-b61f-27d8114de5f3"}], "removeLicenses": []})
    gone = graph.post(graph.v1("users"), json=new_user_body("shapes.gone@corp.example.com")).json()
    graph.delete(graph.v1("users/" + gone["id"]))
    role = graph.get(graph.v1("directoryRoles")).json()["value"][0]["id"]
    return {"new": user["id"], "gone": gone["id"], "role": role, "admin": "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d01",
            "sku": "f245ecc8-75af-4f8e-b61f-27d8114de5f3", "org": TENANT_ID}


ALL_USER = ",".join(sorted(set(schema.properties("user")) - {"passwordProfile"}))
# (path, query, entity type of each object in "value" or of the body itself)
ENDPOINTS = [
    ("users", {}, "user"),
    ("users", {"$select": ALL_USER}, "user"),
    ("users/{new}", {}, "user"),
    ("users/{new}", {"$select": ALL_USER}, "user"),
    ("users/delta", {}, "user"),
    ("users/{new}/licenseDetails", {}, "licenseDetails"),
    ("users/{admin}/memberOf", {}, "directoryObject"),
    ("directory/deletedItems/graph.user", {"$select": ALL_USER}, "directoryObject"),
    ("directory/deletedItems/{gone}", {}, "directoryObject"),
    ("subscribedSkus/{sku}", {}, "subscribedSku"),
    ("organization/{org}", {}, "organization"),
    ("directoryRoles/{role}/members", {}, "directoryObject"),
    ("subscribedSkus", {}, "subscribedSku"),
    ("domains", {}, "domain"),
    ("domains/corp.example.com", {}, "domain"),
    ("organization", {}, "organization"),
    ("directoryRoles", {}, "directoryRole"),
    ("me", {}, "user"),                          # the /me paths with a delegated (password grant) token
    ("me/memberOf", {}, "directoryObject"),
    ("me/licenseDetails", {}, "licenseDetails"),
]


@pytest.fixture(scope="module")
def shaped(sim):
    sim.reset()
    graph = sim.graph()
    ids = _everything(graph)
    token = sim.session().post(sim.token_url, data={
        "grant_type": "password", "client_id": FULL_APP, "client_secret": FULL_SECRET, "scope": "User.Read",
        "username": "admin@corp.example.com", "password": "Lab-Admin-Passw0rd!"}).json()["access_token"]
    delegated = sim.graph(token=token)
    answers = {}
    for path, query, _type in ENDPOINTS:
        url = path.format(**ids)
        response = (delegated if path.startswith("me") else graph).get(graph.v1(url), params=query)
        assert response.status_code == 200, (url, response.text)
        answers[(path, tuple(query))] = response.json()
    return answers


@pytest.mark.parametrize("path, query, type_name", ENDPOINTS, ids=["%s%s" % (p, "+select" if q else "")
                                                                   for p, q, _t in ENDPOINTS])
def test_shapes_match_the_published_metadata(shaped, path, query, type_name):
    body = shaped[(path, tuple(query))]
    objects = body["value"] if "value" in body else [body]
    assert objects, "nothing to check at %s" % path
    found = [p for i, obj in enumerate(objects) for p in problems(obj, type_name, "%s[%d]" % (path, i))]
    assert found == []


def test_the_checker_catches_wrong_shapes():
    assert problems({"id": ALICE_ID, "shoeSize": 9}, "user", "u") == ["u.shoeSize: not a property of user"]
    assert problems({"accountEnabled": "yes"}, "user", "u") == ["u.accountEnabled: 'yes' is not Edm.Boolean"]
    assert problems({"assignedLicenses": [{"skuId": "nope"}]}, "user", "u") == \
        ["u.assignedLicenses[0].skuId: 'nope' is not Edm.Guid"]
    assert problems({"@odata.type": "#microsoft.graph.directoryRole", "roleTemplateId": "x"}, "directoryObject",
                    "d") == []
