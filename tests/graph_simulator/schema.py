"""Graph's published v1.0 metadata (reference/graph-v1.0-Prod.csdl.gz, Microsoft's msgraph-metadata
repository, schemas/v1.0-Prod.csdl) as the simulator's dictionary of entity properties.

$select accepts what the metadata declares (case-insensitively, as Graph does), and a property the
simulator does not store reads as Graph's unset value: null, or [] for a collection. The conformance
suite checks the simulator's responses against the same file (tests/integration/conformance)."""
import functools
import gzip
import os
import xml.etree.ElementTree as ET

CSDL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "graph-v1.0-Prod.csdl.gz")
_EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NAMESPACE = "microsoft.graph"


@functools.lru_cache(maxsize=1)
def _types():
    """{(namespace-qualified) type name: (kind, base type, {property: type}, {navigation: type})}."""
    root = ET.fromstring(gzip.open(CSDL).read())
    types = {}
    for schema in root.iter(_EDM + "Schema"):
        namespace = schema.get("Namespace")
        for kind in ("EntityType", "ComplexType"):
            for node in schema.findall(_EDM + kind):
                props = {p.get("Name"): p.get("Type") for p in node.findall(_EDM + "Property")}
                navs = {p.get("Name"): p.get("Type") for p in node.findall(_EDM + "NavigationProperty")}
                types["%s.%s" % (namespace, node.get("Name"))] = (kind, node.get("BaseType"), props, navs)
        for node in schema.findall(_EDM + "EnumType"):
            types["%s.%s" % (namespace, node.get("Name"))] = ("EnumType", None, {}, {})
    return types


def qualify(name):
    """'graph.user' / 'user' / 'microsoft.graph.user' -> 'microsoft.graph.user' (the CSDL's alias is graph)."""
    if name.startswith("graph."):
        return NAMESPACE + name[5:]
    return name if "." in name else "%s.%s" % (NAMESPACE, name)


def kind_of(type_name):
    entry = _types().get(qualify(type_name))
    return entry[0] if entry else None


@functools.lru_cache(maxsize=None)
def properties(type_name):
    """Structural properties of an entity or complex type with its base types': {name: type}."""
    out = {}
    name = qualify(type_name)
    while name:
        _kind, base, props, _navs = _types()[name]
        for prop, prop_type in props.items():
            out.setdefault(prop, prop_type)
        name = qualify(base) if base else None
    return out


@functools.lru_cache(maxsize=None)
def selectable(type_name):
    """{lower-case name: declared name} for $select's case-insensitive matching."""
    return {name.lower(): name for name in properties(type_name)}


def unset_value(type_name, prop):
    """What Graph answers for a property that holds nothing."""
    if properties(type_name).get(prop, "").startswith("Collection("):
        return []
    if prop == "onPremisesExtensionAttributes":
        # Graph returns the complex value with every attribute null rather than null itself.
        return {"extensionAttribute%d" % i: None for i in range(1, 16)}
    return None
