"""Graph v1.0 handlers for users: CRUD, licenses, memberOf, deleted items, delta."""
import time

from . import passwords, schema, validation
from .errors import GraphError, bad_request, conflict, not_found, utc_now_iso
from .graph_common import (LICENSE_READ, LICENSE_WRITE, PASSWORD_RESET, READ_USERS, REVOKE_SESSIONS, ROLES_READ,
                           WRITE_USERS,
                           decode_token, encode_token, list_objects, next_link, project, selection)
from .model import DEFAULT_SELECT


def _user(ctx, ident):
    user = ctx.tenant.find_user(ident)
    if user is None:
        raise not_found(ident)
    return user


def _visible(tenant):
    now = time.monotonic()
    return [(u.seq, u.props) for u in tenant.users.values() if u.visible_at <= now]


def list_users(ctx):
    ctx.require(READ_USERS)
    with ctx.tenant.lock:
        records = _visible(ctx.tenant)
    return 200, list_objects(ctx, records, "users", "users"), None


def count_users(ctx):
    ctx.require(READ_USERS)
    if not ctx.advanced():
        raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
    with ctx.tenant.lock:
        return 200, str(len(_visible(ctx.tenant))), {"Content-Type": "text/plain"}


def get_user(ctx):
    ctx.require(READ_USERS)
    with ctx.tenant.lock:
        user = _user(ctx, ctx.params[0])
        body = project(user.props, selection(ctx))
    body = dict([("@odata.context", ctx.context_url("users/$entity"))] + list(body.items()))
    return 200, body, None


def create_user(ctx):
    ctx.require(WRITE_USERS)
    body = ctx.body
    tenant = ctx.tenant
    # Hash outside the tenant lock (hashlib releases the GIL): creates then run in parallel.
    profile = body.get("passwordProfile") if isinstance(body, dict) else None
    password = profile.get("password") if isinstance(profile, dict) else None
    pw_hash = passwords.hash_password(password) if isinstance(password, str) and password else None
    with tenant.lock:
        validation.check_create(tenant, body)
        props = {k: v for k, v in body.items() if k != "passwordProfile" and not k.startswith("@")}
        if validation.EXTENSION_ATTRIBUTES in props:
            props[validation.EXTENSION_ATTRIBUTES] = _extension_attributes({}, props[validation.EXTENSION_ATTRIBUTES])
        if props.get("mail"):
            props["proxyAddresses"] = ["SMTP:" + props["mail"]]
        delay = ctx.sim.faults.replication_delay_ms / 1000.0
        user = tenant.add_user(props, pw_hash, bool(profile.get("forceChangePasswordNextSignIn", False)),
                               delay_s=delay)
        out = project(user.props, DEFAULT_SELECT)
    out = dict([("@odata.context", ctx.context_url("users/$entity"))] + list(out.items()))
    return 201, out, {"Location": "%s/v1.0/users/%s" % (ctx.base, user.id)}


def update_user(ctx):
    body = ctx.body
    if isinstance(body, dict):
        # App-only password resets need their own permission; User.ReadWrite.All is not enough.
        if "passwordProfile" in body:
            ctx.require(PASSWORD_RESET)
        if set(body) - {"passwordProfile"}:
            ctx.require(WRITE_USERS)
    else:
        ctx.require(WRITE_USERS)
    tenant = ctx.tenant
    profile = body.get("passwordProfile") if isinstance(body, dict) else None
    password = profile.get("password") if isinstance(profile, dict) else None
    pw_hash = passwords.hash_password(password) if isinstance(password, str) and password else None
    with tenant.lock:
        user = _user(ctx, ctx.params[0])
        validation.check_update(tenant, user, body, app_only=ctx.principal.kind == "app")
        for key, value in body.items():
            if key.startswith("@"):
                continue
            if key == "passwordProfile":
                if pw_hash:
                    user.pw_hash = pw_hash
                if "forceChangePasswordNextSignIn" in value:
                    user.force_change = bool(value["forceChangePasswordNextSignIn"])
            elif key == "userPrincipalName":
                tenant.set_upn(user, value)
            elif key == "onPremisesImmutableId":
                tenant.set_immutable_id(user, value)
            elif key == validation.EXTENSION_ATTRIBUTES:
                user.props[key] = _extension_attributes(user.props.get(key), value)
            else:
                user.props[key] = value
                if key == "mail" and value:
                    user.props["proxyAddresses"] = _with_primary(user.props["proxyAddresses"], value)
        tenant.touch(user)
    return 204, None, None


def _extension_attributes(current, value):
    merged = dict(current or schema.unset_value("user", validation.EXTENSION_ATTRIBUTES))
    merged.update((k, v) for k, v in value.items() if not k.startswith("@"))
    return merged


def _with_primary(addresses, mail):
    """proxyAddresses once mail is set: mail is the primary SMTP address, the former primary stays a secondary."""
    others = [a for a in addresses if a.lower() != "smtp:" + mail.lower()]
    return ["SMTP:" + mail] + ["smtp:" + a[5:] if a.startswith("SMTP:") else a for a in others]


def delete_user(ctx):
    ctx.require(WRITE_USERS)
    tenant = ctx.tenant
    with tenant.lock:
        user = _user(ctx, ctx.params[0])
        if user.props.get("onPremisesSyncEnabled"):
            raise bad_request(validation.SYNC_READ_ONLY)
        if user.roles:
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        tenant.soft_delete(user)
    return 204, None, None


def revoke_sessions(ctx):
    # Invalidates the user's refresh tokens and session cookies: signInSessionsValidFromDateTime becomes now.
    # Graph's answer is an Edm.Boolean; an admin's sessions need more than an app permission.
    ctx.require(REVOKE_SESSIONS)
    tenant = ctx.tenant
    with tenant.lock:
        user = _user(ctx, ctx.params[0])
        if user.roles and ctx.principal.kind == "app":
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        user.props["signInSessionsValidFromDateTime"] = utc_now_iso()
        tenant.touch(user)
    return 200, {"@odata.context": ctx.context_url("Edm.Boolean"), "value": True}, None


# licenses --------------------------------------------------------------------------------
def assign_license(ctx):
    ctx.require(LICENSE_WRITE)
    body = ctx.body
    tenant = ctx.tenant
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", code="BadRequest")
    for prop in ("addLicenses", "removeLicenses"):
        if not isinstance(body.get(prop), list):
            raise bad_request("Invalid value specified for property '%s' of resource 'User'." % prop)
    with tenant.lock:
        user = _user(ctx, ctx.params[0])
        current = {l["skuId"]: l for l in user.licenses}
        removes = [str(s) for s in body["removeLicenses"]]
        for sku_id in removes:
            if sku_id not in tenant.skus:
                raise _invalid_sku(sku_id)
            if sku_id not in current:
                raise bad_request("User does not have a corresponding license.")
        adds = []
        for item in body["addLicenses"]:
            sku_id = str((item or {}).get("skuId"))
            if sku_id not in tenant.skus:
                raise _invalid_sku(sku_id)
            plans = {p["servicePlanId"] for p in tenant.skus[sku_id]["servicePlans"]}
            disabled = [str(p) for p in item.get("disabledPlans") or []]
            for plan in disabled:
                if plan not in plans:
                    raise bad_request("Service plan %s is not part of license %s." % (plan, sku_id))
            adds.append({"skuId": sku_id, "disabledPlans": disabled})
        if (adds or removes) and not user.props.get("usageLocation"):
            raise bad_request("License assignment cannot be done for user with invalid usage location.")
        for lic in adds:
            if lic["skuId"] not in current and tenant.free_units(lic["skuId"]) < 1:
                raise bad_request("Subscription with SKU %s does not have any available licenses." % lic["skuId"])
        new = {k: v for k, v in current.items() if k not in removes}
        for lic in adds:
            new[lic["skuId"]] = lic
        tenant.set_licenses(user, list(new.values()))
        _provision_mailbox(tenant, user)
        tenant.touch(user)
        out = project(user.props, DEFAULT_SELECT)
    out = dict([("@odata.context", ctx.context_url("users/$entity"))] + list(out.items()))
    return 200, out, None


def _invalid_sku(sku_id):
    return bad_request("License %s does not correspond to a valid company License." % sku_id)


def _provision_mailbox(tenant, user):
    # An Exchange plan gives the user a primary SMTP address (Exchange does this asynchronously).
    has_exchange = any(p["servicePlanName"].startswith("EXCHANGE_S_")
                       for lic in user.licenses for p in tenant.skus[lic["skuId"]]["servicePlans"]
                       if p["servicePlanId"] not in lic["disabledPlans"])
    if has_exchange and not user.props.get("mail") and user.props.get("userType") != "Guest":
        upn = user.props["userPrincipalName"]
        user.props["mail"] = upn
        if not user.props["proxyAddresses"]:
            user.props["proxyAddresses"] = ["SMTP:" + upn]


def license_details(ctx):
    # /me/licenseDetails is the signed-in user's own (delegated User.Read is enough); /users/{id} needs an app role.
    if ctx.params or ctx.principal.kind != "user":
        ctx.require(LICENSE_READ)
    with ctx.tenant.lock:
        user = _own_or(ctx)
        value = []
        for lic in user.licenses:
            sku = ctx.tenant.skus[lic["skuId"]]
            value.append({"id": "%s_%s" % (user.id[:8], sku["skuId"]), "skuId": sku["skuId"],
                          "skuPartNumber": sku["skuPartNumber"],
                          "servicePlans": [{"servicePlanId": p["servicePlanId"], "servicePlanName": p["servicePlanName"],
                                            "provisioningStatus": "Disabled" if p["servicePlanId"] in lic["disabledPlans"]
                                            else "Success", "appliesTo": "User"} for p in sku["servicePlans"]]})
    return 200, {"@odata.context": ctx.context_url("users('%s')/licenseDetails" % user.id), "value": value}, None


def member_of(ctx):
    ctx.require(ROLES_READ)
    with ctx.tenant.lock:
        user = _own_or(ctx)
        value = [_role_json(ctx.tenant.roles[rid]) for rid in sorted(user.roles) if rid in ctx.tenant.roles]
    return 200, {"@odata.context": ctx.context_url("directoryObjects"), "value": value}, None


def _own_or(ctx):
    if ctx.params:
        return _user(ctx, ctx.params[0])
    return _user(ctx, ctx.principal.user_id)


def _role_json(role):
    return {"@odata.type": "#microsoft.graph.directoryRole", "id": role["id"], "deletedDateTime": None,
            "description": role["description"], "displayName": role["displayName"],
            "roleTemplateId": role["roleTemplateId"]}


# /me for delegated (ROPC) tokens ------------------------------------------------------------
def me(ctx):
    if ctx.principal.kind != "user":
        raise bad_request("/me request is only valid with delegated authentication flow.", code="BadRequest")
    with ctx.tenant.lock:
        user = _user(ctx, ctx.principal.user_id)
        body = project(user.props, selection(ctx))
    return 200, dict([("@odata.context", ctx.context_url("users/$entity"))] + list(body.items())), None


def me_member_of(ctx):
    if ctx.principal.kind != "user":
        raise bad_request("/me request is only valid with delegated authentication flow.", code="BadRequest")
    with ctx.tenant.lock:
        user = _user(ctx, ctx.principal.user_id)
        value = [_role_json(ctx.tenant.roles[rid]) for rid in sorted(user.roles) if rid in ctx.tenant.roles]
    return 200, {"@odata.context": ctx.context_url("directoryObjects"), "value": value}, None


# deleted items ----------------------------------------------------------------------------
def list_deleted(ctx):
    ctx.require(READ_USERS)
    with ctx.tenant.lock:
        records = [(u.seq, u.props) for u in ctx.tenant.deleted.values()]
    if "$select" not in ctx.query:
        ctx.query = dict(ctx.query, **{"$select": ",".join(["deletedDateTime"] + DEFAULT_SELECT)})
    return 200, list_objects(ctx, records, "directory/deletedItems/microsoft.graph.user", "directory/deletedItems",
                             odata_type="#microsoft.graph.user"), None


def get_deleted(ctx):
    ctx.require(READ_USERS)
    with ctx.tenant.lock:
        user = ctx.tenant.deleted.get(ctx.params[0])
        if user is None:
            raise not_found(ctx.params[0])
        # $select as on /users/{id} (id always comes back); without it the default set and deletedDateTime
        names = selection(ctx) if "$select" in ctx.query else ["deletedDateTime"] + DEFAULT_SELECT
        body = project(user.props, names if "id" in names else ["id"] + names)
    return 200, dict([("@odata.type", "#microsoft.graph.user")] + list(body.items())), None


def restore_deleted(ctx):
    ctx.require(WRITE_USERS)
    tenant = ctx.tenant
    with tenant.lock:
        user = tenant.deleted.get(ctx.params[0])
        if user is None:
            raise not_found(ctx.params[0])
        if user.props["userPrincipalName"].lower() in tenant.by_upn:
            raise conflict("userPrincipalName")
        tenant.restore(user)
        body = project(user.props, DEFAULT_SELECT)
    return 200, dict([("@odata.context", ctx.context_url("directoryObjects/$entity")),
                      ("@odata.type", "#microsoft.graph.user")] + list(body.items())), None


def purge_deleted(ctx):
    ctx.require(WRITE_USERS)
    tenant = ctx.tenant
    with tenant.lock:
        user = tenant.deleted.pop(ctx.params[0], None)
        if user is None:
            raise not_found(ctx.params[0])
        held = user.props.get("onPremisesImmutableId")
        if held and tenant.by_immutable.get(held) == user.id:
            del tenant.by_immutable[held]
    return 204, None, None


# delta ------------------------------------------------------------------------------------
def delta(ctx):
    """Initial round: every user, paged; then a deltaLink whose token replays later changes."""
    ctx.require(READ_USERS)
    tenant = ctx.tenant
    select = selection(ctx)
    if "id" not in select:
        select.append("id")
    page = 100
    prefer = ctx.headers.get("prefer", "")
    if "odata.maxpagesize=" in prefer:
        page = max(1, min(999, int(prefer.split("odata.maxpagesize=")[1].split(",")[0].strip() or 100)))
    with tenant.lock:
        if ctx.query.get("$deltatoken"):
            state = decode_token(ctx.query["$deltatoken"])
            if state.get("e") != tenant.epoch:
                raise GraphError(410, "resyncRequired", "Resync required. Replace any local cached copies of the "
                                 "directoryObjects with the results of the delta request.")
            state = {"e": tenant.epoch, "since": state["upto"], "upto": tenant.current_seq, "o": 0}
        elif ctx.query.get("$skiptoken"):
            state = decode_token(ctx.query["$skiptoken"])
            if state.get("e") != tenant.epoch:
                raise GraphError(410, "resyncRequired", "Resync required.")
        else:
            state = {"e": tenant.epoch, "since": 0, "upto": tenant.current_seq, "o": 0}
        since, upto = state["since"], state["upto"]
        items = [(u.changed, project(u.props, select)) for u in tenant.users.values() if since < u.changed <= upto]
        if since:
            items += [(seq, {"id": uid, "@removed": {"reason": "changed"}})
                      for seq, uid in tenant.removed_log if since < seq <= upto and uid not in tenant.users]
    items.sort(key=lambda r: r[0])
    start = state["o"]
    chunk = [item for _seq, item in items[start:start + page]]
    body = {"@odata.context": ctx.context_url("users")}
    if start + page < len(items):
        body["@odata.nextLink"] = next_link(ctx, "users/delta", "$skiptoken", encode_token(dict(state, o=start + page)))
    else:
        body["@odata.deltaLink"] = next_link(ctx, "users/delta", "$deltatoken",
                                             encode_token({"e": state["e"], "upto": upto}))
    body["value"] = chunk
    return 200, body, None
