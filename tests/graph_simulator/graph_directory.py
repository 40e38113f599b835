"""Graph v1.0 handlers for tenant-wide objects: subscribedSkus, domains, organization, directoryRoles."""
from .errors import not_found
from .graph_common import DOMAIN_READ, ORG_READ, ROLES_READ, SKU_READ, project
from .graph_users import _role_json
from .model import DEFAULT_SELECT


def _sku_json(tenant, sku):
    return {"accountId": tenant.tenant_id, "accountName": tenant.organization.get("displayName"),
            "appliesTo": sku["appliesTo"], "capabilityStatus": sku["capabilityStatus"],
            "consumedUnits": sku["consumed"], "id": "%s_%s" % (tenant.tenant_id, sku["skuId"]),
            "skuId": sku["skuId"], "skuPartNumber": sku["skuPartNumber"], "subscriptionIds": [],
            "prepaidUnits": {"enabled": sku["enabled"], "suspended": sku["suspended"], "warning": sku["warning"],
                             "lockedOut": 0},
            "servicePlans": [{"servicePlanId": p["servicePlanId"], "servicePlanName": p["servicePlanName"],
                              "provisioningStatus": p["provisioningStatus"], "appliesTo": p["appliesTo"]}
                             for p in sku["servicePlans"]]}


def list_skus(ctx):
    ctx.require(SKU_READ)
    with ctx.tenant.lock:
        value = [_sku_json(ctx.tenant, s) for s in ctx.tenant.skus.values()]
    return 200, {"@odata.context": ctx.context_url("subscribedSkus"), "value": value}, None


def get_sku(ctx):
    ctx.require(SKU_READ)
    ident = ctx.params[0]
    with ctx.tenant.lock:
        for sku in ctx.tenant.skus.values():
            if ident in (sku["skuId"], "%s_%s" % (ctx.tenant.tenant_id, sku["skuId"])):
                return 200, dict([("@odata.context", ctx.context_url("subscribedSkus/$entity"))]
                                 + list(_sku_json(ctx.tenant, sku).items())), None
    raise not_found(ident)


def list_domains(ctx):
    ctx.require(DOMAIN_READ)
    with ctx.tenant.lock:
        value = [dict(d) for d in ctx.tenant.domains]
    return 200, {"@odata.context": ctx.context_url("domains"), "value": value}, None


def get_domain(ctx):
    ctx.require(DOMAIN_READ)
    with ctx.tenant.lock:
        for dom in ctx.tenant.domains:
            if dom["id"].lower() == ctx.params[0].lower():
                return 200, dict([("@odata.context", ctx.context_url("domains/$entity"))] + list(dom.items())), None
    raise not_found(ctx.params[0])


def list_organization(ctx):
    ctx.require(ORG_READ)
    with ctx.tenant.lock:
        org = dict(ctx.tenant.organization)
    return 200, {"@odata.context": ctx.context_url("organization"), "value": [org]}, None


def get_organization(ctx):
    ctx.require(ORG_READ)
    with ctx.tenant.lock:
        org = dict(ctx.tenant.organization)
    if ctx.params[0] != org["id"]:
        raise not_found(ctx.params[0])
    return 200, dict([("@odata.context", ctx.context_url("organization/$entity"))] + list(org.items())), None


def list_roles(ctx):
    ctx.require(ROLES_READ)
    with ctx.tenant.lock:
        value = [_role_json(r) for r in ctx.tenant.roles.values()]
    for item in value:
        item.pop("@odata.type")
    return 200, {"@odata.context": ctx.context_url("directoryRoles"), "value": value}, None


def role_members(ctx):
    ctx.require(ROLES_READ)
    tenant = ctx.tenant
    with tenant.lock:
        role = tenant.roles.get(ctx.params[0])
        if role is None:
            for candidate in tenant.roles.values():
                if candidate["roleTemplateId"] == ctx.params[0].replace("roleTemplateId=", "").strip("'"):
                    role = candidate
        if role is None:
            raise not_found(ctx.params[0])
        value = [dict([("@odata.type", "#microsoft.graph.user")] + list(project(tenant.users[uid].props, DEFAULT_SELECT).items()))
                 for uid in sorted(role["members"]) if uid in tenant.users]
    return 200, {"@odata.context": ctx.context_url("directoryObjects"), "value": value}, None
