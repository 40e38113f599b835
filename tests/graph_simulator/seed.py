"""Load a tenant from a seed (YAML file or an already-parsed dict)."""
import hashlib
import logging
import os
import uuid

import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import passwords
from .model import App

log = logging.getLogger("graph_simulator")

_USER_META = {"password", "forceChangePasswordNextSignIn", "licenses", "roles", "replication_delay_ms"}


def load_seed_file(path):
    with open(path) as handle:
        data = yaml.safe_load(handle) or {}
    return data, os.path.dirname(os.path.abspath(path))


def load_certificate(path):
    """The app certificate (PEM) or None with a warning: a missing file disables that credential."""
    try:
        with open(path, "rb") as handle:
            return x509.load_pem_x509_certificate(handle.read())
    except (OSError, ValueError) as exc:
        log.warning("app certificate %s unavailable (%s): certificate credential disabled", path, exc)
        return None


def thumbprints(cert):
    der = cert.public_bytes(Encoding.DER)
    return hashlib.sha1(der).digest(), hashlib.sha256(der).digest()  # nosec - x5t is SHA-1 by definition


def apply_seed(tenant, data, base_dir):
    """Replace the tenant's whole state with the seed's."""
    tenant.clear()
    # tenant_id at the top level (what the lab reads); "organization" (alias "tenant") holds the rest.
    info = dict(data.get("tenant") or {}, **(data.get("organization") or {}))
    if data.get("tenant_id") and info.get("id") and str(data["tenant_id"]) != str(info["id"]):
        raise ValueError("seed: tenant_id and organization id differ")
    tenant.tenant_id = str(data.get("tenant_id") or info.get("id") or uuid.uuid4())
    tenant.organization = {
        "id": tenant.tenant_id,
        "displayName": info.get("displayName", "Simulated Tenant"),
        "onPremisesSyncEnabled": info.get("onPremisesSyncEnabled"),
        "onPremisesLastSyncDateTime": info.get("onPremisesLastSyncDateTime"),
        "countryLetterCode": info.get("countryLetterCode", "US"),
        "preferredLanguage": info.get("preferredLanguage", "en"),
        "tenantType": "AAD",
        "createdDateTime": info.get("createdDateTime", "2020-01-01T00:00:00Z"),
        "verifiedDomains": [],
        "assignedPlans": [],
        "businessPhones": [],
        "city": None, "country": None, "postalCode": None, "state": None, "street": None,
        "technicalNotificationMails": [], "securityComplianceNotificationMails": [],
    }
    for dom in data.get("domains") or []:
        tenant.domains.append({
            "id": dom["id"], "authenticationType": dom.get("authenticationType", "Managed"),
            "isAdminManaged": True, "isDefault": bool(dom.get("isDefault", False)),
            "isInitial": bool(dom.get("isInitial", False)), "isRoot": True,
            "isVerified": bool(dom.get("isVerified", False)),
            "supportedServices": dom.get("supportedServices", ["Email", "OfficeCommunicationsOnlineService"]
                                         if dom.get("isVerified") else []),
            "passwordValidityPeriodInDays": 2147483647, "passwordNotificationWindowInDays": 14,
            "availabilityStatus": None, "state": None,
        })
    tenant.organization["verifiedDomains"] = [
        {"capabilities": "Email, OfficeCommunicationsOnlineService", "isDefault": d["isDefault"],
         "isInitial": d["isInitial"], "name": d["id"], "type": d["authenticationType"]}
        for d in tenant.domains if d["isVerified"]]
    for sku in data.get("skus") or []:
        sku_id = str(sku["skuId"])
        tenant.skus[sku_id] = {
            "skuId": sku_id, "skuPartNumber": sku["skuPartNumber"],
            "enabled": int(sku.get("enabled", 0)), "suspended": int(sku.get("suspended", 0)),
            "warning": int(sku.get("warning", 0)), "consumed": 0,
            "appliesTo": sku.get("appliesTo", "User"), "capabilityStatus": sku.get("capabilityStatus", "Enabled"),
            "servicePlans": [{"servicePlanId": str(p["servicePlanId"]), "servicePlanName": p["servicePlanName"],
                              "provisioningStatus": "Success", "appliesTo": "User",
                              "service": p.get("service", p["servicePlanName"])}
                             for p in sku.get("servicePlans") or []],
        }
    for app in data.get("apps") or []:
        cert = cert_file = None
        if app.get("certificate_file"):
            cert_file = os.path.normpath(os.path.join(base_dir, app["certificate_file"]))
            cert = load_certificate(cert_file)
        secret = app.get("client_secret")
        tenant.apps[str(app["client_id"])] = App(
            str(app["client_id"]), app.get("display_name", app.get("displayName", "app")),
            app.get("permissions") or [], passwords.hash_password(secret) if secret else None, cert, cert_file)
    for name in data.get("directoryRoles") or []:
        tenant.ensure_role(name)
    for raw in data.get("users") or []:
        _seed_user(tenant, raw)


def _seed_user(tenant, raw):
    props = {k: v for k, v in raw.items() if k not in _USER_META}
    props.setdefault("accountEnabled", True)
    upn = props["userPrincipalName"]
    props.setdefault("mailNickname", upn.split("@")[0].replace("#EXT#", ""))
    props.setdefault("displayName", props["mailNickname"])
    if props.get("id"):
        props["id"] = str(props["id"])
    if props.get("userType") == "Guest":
        props.setdefault("externalUserState", "Accepted")
        props.setdefault("creationType", "Invitation")
    if props.get("mail") and not props.get("proxyAddresses"):
        props["proxyAddresses"] = ["SMTP:" + props["mail"]]
    pw_hash = passwords.hash_password(str(raw["password"])) if raw.get("password") is not None else None
    user = tenant.add_user(props, pw_hash, bool(raw.get("forceChangePasswordNextSignIn", False)))
    licenses = []
    for ref in raw.get("licenses") or []:
        sku = tenant.sku_by_any(ref)
        if sku is None:
            raise ValueError("seed user %s: unknown SKU %s" % (upn, ref))
        licenses.append({"skuId": sku["skuId"], "disabledPlans": []})
    tenant.set_licenses(user, licenses)
    for name in raw.get("roles") or []:
        role = tenant.ensure_role(name)
        role["members"].add(user.id)
        user.roles.add(role["id"])
