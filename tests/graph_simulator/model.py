"""The tenant's state: users, deleted items, domains, SKUs, apps, directory roles.

Pure data plus indexes; the rules live in validation.py and the HTTP shapes in graph_*.py.
Every public method expects the caller to hold ``tenant.lock``.
"""
import threading
import time
import uuid

from .errors import utc_now_iso

# Every user property the simulator knows, with the value an unset property reads as.
USER_PROPERTIES = {
    "id": None, "accountEnabled": None, "assignedLicenses": [], "assignedPlans": [],
    "businessPhones": [], "city": None, "companyName": None, "country": None,
    "createdDateTime": None, "creationType": None, "deletedDateTime": None, "department": None,
    "displayName": None, "employeeId": None, "employeeType": None, "externalUserState": None,
    "givenName": None, "jobTitle": None, "mail": None, "mailNickname": None, "mobilePhone": None,
    "officeLocation": None, "onPremisesDistinguishedName": None, "onPremisesDomainName": None,
    "onPremisesImmutableId": None, "onPremisesLastSyncDateTime": None,
    "onPremisesSamAccountName": None, "onPremisesSecurityIdentifier": None,
    "onPremisesSyncEnabled": None, "onPremisesUserPrincipalName": None, "otherMails": [],
    "passwordPolicies": None, "postalCode": None, "preferredLanguage": None, "proxyAddresses": [],
    "showInAddressList": None, "state": None, "streetAddress": None, "surname": None,
    "usageLocation": None, "userPrincipalName": None, "userType": None,
}
# What GET returns without $select (documented v1.0 default set).
DEFAULT_SELECT = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                  "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"]
# Properties a client may write (POST/PATCH); passwordProfile is write-only and handled apart.
WRITABLE = {
    "accountEnabled", "businessPhones", "city", "companyName", "country", "department",
    "displayName", "employeeId", "employeeType", "givenName", "jobTitle", "mail", "mailNickname",
    "mobilePhone", "officeLocation", "onPremisesImmutableId", "otherMails", "passwordPolicies",
    "postalCode", "preferredLanguage", "showInAddressList", "state", "streetAddress", "surname",
    "usageLocation", "userPrincipalName", "userType",
}
# Well-known directory role templates (ids are the real, global template ids).
ROLE_TEMPLATES = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
}


class User(object):
    """One user: Graph-visible properties plus the simulator's private bookkeeping."""
    __slots__ = ("props", "pw_hash", "force_change", "licenses", "seq", "visible_at", "changed", "roles")

    def __init__(self, props, seq):
        self.props = props
        self.pw_hash = None
        self.force_change = False
        self.licenses = []      # [{"skuId": str, "disabledPlans": [str]}]
        self.seq = seq          # creation order: stable paging cursor
        self.visible_at = 0.0   # monotonic time before which by-id access answers 404
        self.changed = seq      # change sequence number, for /users/delta
        self.roles = set()      # directory role ids

    @property
    def id(self):
        return self.props["id"]


class App(object):
    """A registered application (service principal) with its credentials and app roles."""

    def __init__(self, client_id, display_name, permissions, secret_hash=None, certificate=None,
                 certificate_file=None):
        self.client_id = client_id
        self.display_name = display_name
        self.permissions = list(permissions)
        self.secret_hash = secret_hash
        self.certificate = certificate          # cryptography x509 object or None
        self.certificate_file = certificate_file
        self.object_id = str(uuid.uuid4())

    def public(self):
        return {"client_id": self.client_id, "displayName": self.display_name,
                "permissions": self.permissions, "has_secret": bool(self.secret_hash),
                "certificate_file": self.certificate_file,
                "certificate_loaded": self.certificate is not None}


class Tenant(object):
    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self):
        self.tenant_id = None
        self.organization = {}
        self.domains = []            # Graph domain objects
        self.skus = {}               # skuId -> sku dict (consumed kept up to date)
        self.apps = {}               # client_id -> App
        self.users = {}              # id -> User
        self.by_upn = {}             # lower(UPN) -> id
        self.by_immutable = {}       # onPremisesImmutableId -> id (active and deleted: both block reuse)
        self.deleted = {}            # id -> User (soft-deleted)
        self.roles = {}              # role object id -> role dict
        self.removed_log = []        # (change seq, id) for delta
        self._seq = 0
        self.epoch = str(uuid.uuid4())[:8]

    # sequence numbers -------------------------------------------------------------------
    def next_seq(self):
        self._seq += 1
        return self._seq

    @property
    def current_seq(self):
        return self._seq

    # lookups ----------------------------------------------------------------------------
    def find_user(self, ident, include_hidden=False):
        """By id or UPN; hidden (replication-delayed) users are invisible unless asked."""
        user = self.users.get(ident)
        if user is None:
            uid = self.by_upn.get(ident.lower())
            user = self.users.get(uid) if uid else None
        if user is not None and not include_hidden and time.monotonic() < user.visible_at:
            return None
        return user

    def proxy_address_holder(self, address, self_id=None):
        """The id of another active user with SMTP proxy address `address` (any case), else None."""
        wanted = "smtp:" + address.lower()
        for user in self.users.values():
            if user.id != self_id and any(a.lower() == wanted for a in user.props.get("proxyAddresses") or []):
                return user.id
        return None

    def verified_domains(self):
        return {d["id"].lower() for d in self.domains if d.get("isVerified")}

    def sku_by_any(self, ref):
        """A SKU by skuId or skuPartNumber (seed files may use either)."""
        if ref in self.skus:
            return self.skus[ref]
        for sku in self.skus.values():
            if sku["skuPartNumber"].lower() == str(ref).lower():
                return sku
        return None

    def role_by_name(self, name):
        for role in self.roles.values():
            if role["displayName"].lower() == name.lower() or role["roleTemplateId"] == name:
                return role
        return None

    def ensure_role(self, name):
        role = self.role_by_name(name)
        if role is None:
            template = ROLE_TEMPLATES.get(name, str(uuid.uuid4()))
            role = {"id": str(uuid.uuid4()), "displayName": name, "description": name,
                    "roleTemplateId": template, "deletedDateTime": None, "members": set()}
            self.roles[role["id"]] = role
        return role

    def tenant_size_users(self):
        return len(self.users)

    # mutations --------------------------------------------------------------------------
    def add_user(self, props, pw_hash=None, force_change=False, delay_s=0.0):
        seq = self.next_seq()
        full = dict((k, list(v) if isinstance(v, list) else v) for k, v in USER_PROPERTIES.items())
        full.update(props)
        full.setdefault("id", None)
        if not full["id"]:
            full["id"] = str(uuid.uuid4())
        if not full.get("createdDateTime"):
            full["createdDateTime"] = utc_now_iso()
        if not full.get("userType"):
            full["userType"] = "Member"
        user = User(full, seq)
        user.pw_hash = pw_hash
        user.force_change = force_change
        user.visible_at = time.monotonic() + delay_s if delay_s else 0.0
        self.users[user.id] = user
        self.by_upn[full["userPrincipalName"].lower()] = user.id
        if full.get("onPremisesImmutableId"):
            self.by_immutable[full["onPremisesImmutableId"]] = user.id
        return user

    def touch(self, user):
        user.changed = self.next_seq()

    def set_upn(self, user, upn):
        self.by_upn.pop(user.props["userPrincipalName"].lower(), None)
        user.props["userPrincipalName"] = upn
        self.by_upn[upn.lower()] = user.id

    def set_immutable_id(self, user, value):
        old = user.props.get("onPremisesImmutableId")
        if old and self.by_immutable.get(old) == user.id:
            del self.by_immutable[old]
        user.props["onPremisesImmutableId"] = value
        if value:
            self.by_immutable[value] = user.id

    def set_licenses(self, user, licenses):
        for lic in user.licenses:
            self.skus[lic["skuId"]]["consumed"] -= 1
        user.licenses = licenses
        for lic in licenses:
            self.skus[lic["skuId"]]["consumed"] += 1
        self._refresh_license_props(user)

    def _refresh_license_props(self, user):
        user.props["assignedLicenses"] = [{"disabledPlans": list(l["disabledPlans"]), "skuId": l["skuId"]}
                                          for l in user.licenses]
        plans = []
        for lic in user.licenses:
            for plan in self.skus[lic["skuId"]]["servicePlans"]:
                if plan["servicePlanId"] not in lic["disabledPlans"]:
                    plans.append({"assignedDateTime": utc_now_iso(), "capabilityStatus": "Enabled",
                                  "service": plan.get("service", plan["servicePlanName"]),
                                  "servicePlanId": plan["servicePlanId"]})
        user.props["assignedPlans"] = plans

    def soft_delete(self, user):
        # Deleting frees the seats; the assignment is remembered for a restore.
        held = user.licenses
        self.set_licenses(user, [])
        user.licenses = held
        del self.users[user.id]
        self.by_upn.pop(user.props["userPrincipalName"].lower(), None)
        user.props["deletedDateTime"] = utc_now_iso()
        for role in self.roles.values():
            role["members"].discard(user.id)
        self.deleted[user.id] = user
        self.removed_log.append((self.next_seq(), user.id))

    def restore(self, user):
        del self.deleted[user.id]
        user.props["deletedDateTime"] = None
        held, user.licenses = user.licenses, []
        # Re-take the seats that are still free; the others are dropped, as a full SKU would.
        kept = [l for l in held if l["skuId"] in self.skus and self.free_units(l["skuId"]) > 0]
        self.users[user.id] = user
        self.by_upn[user.props["userPrincipalName"].lower()] = user.id
        self.set_licenses(user, kept)
        for rid in user.roles:
            if rid in self.roles:
                self.roles[rid]["members"].add(user.id)
        self.touch(user)

    def free_units(self, sku_id):
        sku = self.skus[sku_id]
        return sku["enabled"] - sku["consumed"]
