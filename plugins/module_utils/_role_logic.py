# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions the onboarding roles make between module calls (pure logic, no I/O).

- the least Graph permissions each playbook needs, and which are missing;
- the attribute mapping AD -> cloud (add_cloud_accounts) and cloud -> AD (import_cloud_accounts);
- which cloud users an import leaves out, and why;
- the readiness checks of enable_integration.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import judge_link
from ansible_collections.hybrid.identity.plugins.module_utils._passwords import generate_password, password_problems
from ansible_collections.hybrid.identity.plugins.module_utils import _pwsync_platform as pwsync_platform

# Least application permissions per playbook. A broader permission satisfies a narrower one.
PLAYBOOK_PERMISSIONS = {
    "enable_integration": ["Organization.Read.All", "Domain.Read.All", "User.Read.All"],
    "onboard_new_users": ["User.ReadWrite.All", "LicenseAssignment.ReadWrite.All", "Organization.Read.All",
                          "Domain.Read.All"],
    "add_cloud_accounts": ["User.ReadWrite.All", "LicenseAssignment.ReadWrite.All", "Organization.Read.All",
                           "Domain.Read.All"],
    "import_cloud_accounts": ["User.ReadWrite.All", "User-PasswordProfile.ReadWrite.All",
                              "RoleManagement.Read.Directory", "Organization.Read.All"],
    "link_accounts": ["User.ReadWrite.All", "RoleManagement.Read.Directory"],
    "audit": ["User.Read.All"],
    # User.ReadWrite.All covers revokeSignInSessions (User.RevokeSessions.All is the narrower grant).
    "offboard_users": ["User.ReadWrite.All", "LicenseAssignment.ReadWrite.All", "Organization.Read.All"],
    "restore_users": ["User.ReadWrite.All", "LicenseAssignment.ReadWrite.All", "Organization.Read.All"],
}
COVERED_BY = {
    "User.Read.All": ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    "User.ReadWrite.All": ["Directory.ReadWrite.All"],
    "Organization.Read.All": ["Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
                              "LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"],
    "Domain.Read.All": ["Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    "LicenseAssignment.ReadWrite.All": ["User.ReadWrite.All", "Directory.ReadWrite.All"],
    "RoleManagement.Read.Directory": ["RoleManagement.ReadWrite.Directory", "Directory.Read.All",
                                      "Directory.ReadWrite.All"],
    "User-PasswordProfile.ReadWrite.All": [],
}


def missing_permissions(granted, playbook):
    have = set(p.lower() for p in granted or [])
    missing = []
    for need in PLAYBOOK_PERMISSIONS[playbook]:
        if need.lower() in have or any(p.lower() in have for p in COVERED_BY.get(need, [])):
            continue
        missing.append(need)
    return missing


# --- passwords -----------------------------------------------------------------------------

def with_passwords(users, length=20, overwrite=False):
    """Copies of users, each with a generated password AD and Entra both accept (checked
    against its sAMAccountName and display name). Existing passwords are kept unless overwrite."""
    out = []
    for user in users:
        user = dict(user)
        if overwrite or not user.get("password"):
            while True:
                candidate = generate_password(length)
                if not password_problems(candidate, user.get("sam_account_name"), user.get("display_name") or user.get("name")):
                    break
            user["password"] = candidate
            user["password_generated"] = True
        out.append(user)
    return out


def without_secrets(users):
    return [dict((k, v) for k, v in u.items() if k != "password") for u in users]


# --- AD -> cloud (add_cloud_accounts) ------------------------------------------------------

# cloud_user option: ad_user_info field. The role's attribute_map overrides entries (null drops one).
AD_TO_CLOUD = {
    "given_name": "given_name", "surname": "surname", "display_name": "display_name",
    "job_title": "title", "department": "department", "office_location": "office",
    "company_name": "company", "mobile_phone": "mobile", "business_phones": "telephone_number",
    "employee_id": "employee_id", "street_address": "street", "city": "city",
    "state_province": "state_province", "postal_code": "postal_code", "mail_nickname": "sam_account_name",
}


def cloud_upn_for(ad_user, verified_domains, cloud_domain):
    """The AD UPN when its suffix is a verified domain, else local part @ cloud_domain (.local forests)."""
    upn = ad_user.get("upn") or ""
    verified = set(d.lower() for d in verified_domains or [])
    if "@" in upn and upn.rsplit("@", 1)[1].lower() in verified:
        return upn
    local = upn.split("@", 1)[0] if upn else ad_user.get("sam_account_name")
    return "%s@%s" % (local, cloud_domain)


def ad_to_cloud(ad_users, verified_domains, cloud_domain, attribute_map=None, usage_location=None):
    """ad_user_info users -> (cloud_user entries, problems). Entries carry key (cloud UPN, lower),
    ad (the objectGUID, for the link) and the mapped attributes."""
    mapping = dict(AD_TO_CLOUD)
    problems = []
    for option, field in (attribute_map or {}).items():
        if option not in AD_TO_CLOUD:
            # A typo (or a key such as manager that cloud_user cannot set) would map nothing, silently.
            import difflib
            close = difflib.get_close_matches(str(option), list(AD_TO_CLOUD), n=1)
            problems.append("attribute_map: unknown key %s%s; the keys are the cloud attributes it can fill: %s"
                            % (option, " (did you mean %s?)" % close[0] if close else "", ", ".join(sorted(AD_TO_CLOUD))))
        elif field in (None, ""):
            mapping.pop(option, None)
        else:
            mapping[option] = field
    entries, seen = [], {}
    for user in ad_users:
        upn = cloud_upn_for(user, verified_domains, cloud_domain)
        entry = {"user_principal_name": upn}
        for option, field in mapping.items():
            value = user.get(field)
            if field == "display_name" and not value:
                value = user.get("name")
            if value in (None, "", []):
                continue
            entry[option] = [value] if option == "business_phones" and not isinstance(value, list) else value
        location = usage_location or (user.get("country") if user.get("country") and len(user["country"]) == 2 else None)
        if location:
            entry["usage_location"] = location.upper()
        key = upn.lower()
        label = user.get("sam_account_name") or user.get("dn")
        if key in seen:
            problems.append("AD users %s and %s would both become cloud user %s; give one of them another UPN"
                            % (seen[key], label, upn))
            continue
        seen[key] = label
        entries.append({"key": key, "ad": user.get("object_guid"), "sam_account_name": user.get("sam_account_name"),
                        "ad_upn": user.get("upn"), "name": user.get("display_name") or user.get("name"),
                        "enabled": user.get("enabled"), "cloud": entry})
    return entries, problems


# --- cloud -> AD (import_cloud_accounts) ---------------------------------------------------

CLOUD_TO_AD = {
    "given_name": "given_name", "surname": "surname", "display_name": "display_name", "email": "mail",
    "title": "job_title", "department": "department", "office": "office_location", "company": "company_name",
    "mobile": "mobile_phone", "employee_id": "employee_id", "street": "street_address", "city": "city",
    "state_province": "state_province", "postal_code": "postal_code",
}
EXCLUSIONS = ("guests", "synced", "admins", "shared_mailboxes", "disabled")


def classify_import(cloud_users, admin_accounts=None, include=()):
    """Split cloud users into (selected, excluded [{upn, name, reason}]). include names the
    EXCLUSIONS to take anyway (never 'synced': such users cannot be written in the cloud)."""
    admins = dict(((a.get("id") or "").lower(), a) for a in admin_accounts or [])
    include = set(include or [])
    selected, excluded = [], []
    for user in cloud_users:
        upn = user.get("user_principal_name")
        licensed = bool(user.get("assigned_licenses"))
        enabled = user.get("account_enabled") is not False
        reason = None
        if (user.get("user_type") or "Member").lower() == "guest" and "guests" not in include:
            reason = "guest account (B2B); guests stay cloud-only"
        elif user.get("on_premises_sync_enabled"):
            reason = "mastered by a directory sync engine (onPremisesSyncEnabled); it already has an on-premises source"
        elif user.get("on_premises_immutable_id"):
            reason = "already linked to an AD user (onPremisesImmutableId is set); run the audit playbook to see which"
        elif (user.get("id") or "").lower() in admins and "admins" not in include:
            reason = ("holds an admin role (%s); keep admin accounts cloud-only (Entra Connect never matches them)"
                      % ", ".join(admins[user["id"].lower()].get("roles") or []))
        elif not enabled and not licensed and user.get("mail") and "shared_mailboxes" not in include:
            reason = "shared-mailbox-like (sign-in blocked, a mailbox address, no license); it needs no AD account"
        elif not enabled and "disabled" not in include:
            reason = "account disabled (sign-in blocked)"
        if reason:
            excluded.append({"key": (upn or "").lower(), "upn": upn, "name": user.get("display_name"), "reason": reason})
        else:
            selected.append(user)
    return selected, excluded


def cloud_to_ad(cloud_users, path=None, groups=None):
    """cloud_user_info users -> ad_user entries (no passwords yet). The object name is the display
    name; two users with the same display name get their UPN's local part appended."""
    names = {}
    for user in cloud_users:
        names.setdefault((user.get("display_name") or "").casefold(), []).append(user)
    entries = []
    for user in cloud_users:
        upn = user["user_principal_name"]
        local = upn.split("@", 1)[0]
        name = user.get("display_name") or local
        if len(names.get(name.casefold(), [])) > 1:
            name = "%s (%s)" % (name, local)
        entry = {"name": name[:64], "upn": upn}
        for option, field in CLOUD_TO_AD.items():
            value = user.get(field)
            if value not in (None, "", []):
                entry[option] = value
        phones = user.get("business_phones") or []
        if phones:
            entry["telephone_number"] = phones[0]
        if path:
            entry["path"] = path
        if groups:
            entry["groups"] = {"add": list(groups)}
        entries.append({"key": upn.lower(), "cloud_id": user.get("id"), "name": name, "upn": upn, "ad": entry})
    return entries


# --- enable_integration readiness --------------------------------------------------------

def password_sync_row(tenant, domain, dc_vendor=None, password_sync_agent=False):
    """The readiness row saying which password-sync case applies (_pwsync_platform.password_sync_mode), or
    None when neither side could be read. dc_vendor overrides what ad_domain_info detected."""
    sync_engine = bool(not tenant.get("failed") and tenant.get("directory_sync_enabled"))
    vendor = dc_vendor or (None if domain.get("failed") else domain.get("dc_vendor"))
    if not vendor and not sync_engine:
        return None
    mode, message = pwsync_platform.password_sync_mode(vendor or "unknown", sync_engine, bool(password_sync_agent))
    status, fix = "warn", ""
    if mode == pwsync_platform.SAMBA_AGENT:
        status = "ok"
    elif mode == pwsync_platform.SAMBA_NOT_INSTALLED:
        fix = ("apply the hybrid.identity.password_sync role to every DC of the domain, then rerun with "
               "password_sync_agent=true (docs/password-sync.md)")
    elif mode == pwsync_platform.WINDOWS_SET_BOTH:
        fix = ("set and reset passwords through the collection's playbooks; for on-premises changes to follow, move "
               "to Entra Connect / Cloud Sync instead of this collection (docs/entra-connect-migration.md)")
    elif password_sync_agent:
        status = "FAIL"
        fix = ("stop the hybrid-identity-pwsync agent: two engines would write the same users' passwords; or turn "
               "the sync engine off")
    else:
        fix = "do not apply the hybrid.identity.password_sync role while the sync engine runs"
    return {"check": "password sync", "status": status, "detail": "%s: %s" % (mode, message), "fix": fix,
            "mode": mode}


def readiness(tenant, access, domain, verified_domain=None, allow_sync_engine=False, upn_suffix_added=False,
              licenses=None, playbooks=None, dc_vendor=None, password_sync_agent=False):
    """Rows {check, status (ok | warn | FAIL | fixed), detail, fix}; blocking rows have status FAIL."""
    rows = []

    def row(check, status, detail, fix=""):
        rows.append({"check": check, "status": status, "detail": detail, "fix": fix})

    if tenant.get("failed"):
        row("tenant connection", "FAIL", tenant.get("msg", "cannot sign in to the tenant"),
            "check AZURE_TENANT_ID / AZURE_CLIENT_ID and the secret or certificate; an admin account with MFA "
            "cannot be used for app-only sign-in (see docs/troubleshooting.md)")
    else:
        row("tenant connection", "ok", "signed in to %s (%s)" % (tenant.get("display_name"), tenant.get("tenant_id")))
    if access.get("failed"):
        row("graph permissions", "FAIL", access.get("msg", "cannot read the token"), "")
    elif not tenant.get("failed"):
        for playbook in playbooks or sorted(PLAYBOOK_PERMISSIONS):
            missing = (access.get("missing") or {}).get(playbook, [])
            if missing:
                row("permissions: %s" % playbook, "FAIL" if playbook == "enable_integration" else "warn",
                    "missing %s" % ", ".join(missing),
                    "grant the application permission(s) %s to the app registration and give admin consent"
                    % ", ".join(missing))
            else:
                row("permissions: %s" % playbook, "ok", "all granted")
    if not tenant.get("failed"):
        verified = [d.lower() for d in tenant.get("verified_domains") or []]
        target = (verified_domain or tenant.get("default_domain") or "").lower()
        if target and target in verified:
            row("verified domain", "ok", "%s is verified" % target)
        else:
            row("verified domain", "FAIL", "%s is not a verified domain of the tenant (verified: %s)"
                % (target or "(none)", ", ".join(verified)),
                "verify the domain in the Microsoft 365 admin center (DNS TXT record), or set verified_domain")
        if tenant.get("directory_sync_enabled"):
            detail = ("a directory sync engine (Entra Connect or Cloud Sync) masters this tenant (last sync %s): "
                      "two engines writing the same users overwrite each other"
                      % (tenant.get("directory_sync_last_sync") or "unknown"))
            row("no sync engine in charge", "warn" if allow_sync_engine else "FAIL", detail,
                "" if allow_sync_engine else "turn the sync engine off first, or set allow_sync_engine=true if you "
                "know it no longer runs")
        else:
            row("no sync engine in charge", "ok", "no directory sync engine is active")
        for sku in tenant.get("skus") or []:
            wanted = [lic for lic in licenses or [] if lic.lower() in (sku["sku_part_number"].lower(), sku["sku_id"])]
            status = "ok" if sku.get("free", 0) > 0 else ("FAIL" if wanted else "warn")
            row("licenses: %s" % sku["sku_part_number"], status, "%d of %d free" % (sku.get("free", 0), sku.get("enabled", 0)),
                "" if status == "ok" else "buy more units or free some seats")
        for lic in licenses or []:
            if not any(lic.lower() in (s["sku_part_number"].lower(), s["sku_id"]) for s in tenant.get("skus") or []):
                row("licenses: %s" % lic, "FAIL", "the tenant has no such license", "use one of the tenant's SKUs")
    if domain.get("failed"):
        row("domain connection", "FAIL", domain.get("msg", "cannot connect to the domain controller"),
            "check HYBRID_IDENTITY_DOMAIN_SERVER / _USERNAME / _PASSWORD and HYBRID_IDENTITY_CA_PATH")
    else:
        row("domain connection", "ok", "%s (%s) via %s" % (domain.get("dns_domain"), domain.get("netbios_name"),
                                                           domain.get("domain_controller")))
        if not tenant.get("failed"):
            target = (verified_domain or tenant.get("default_domain") or "").lower()
            suffixes = [s.lower() for s in domain.get("upn_suffixes") or []] + [(domain.get("dns_domain") or "").lower()]
            if upn_suffix_added == "planned":
                row("UPN suffix", "fixed", "%s would be added to the forest's UPN suffixes (check mode)" % target)
            elif upn_suffix_added:
                row("UPN suffix", "fixed", "%s added to the forest's UPN suffixes" % target)
            elif target in suffixes:
                row("UPN suffix", "ok", "%s is a UPN suffix of the forest" % target)
            else:
                row("UPN suffix", "FAIL", "%s is not a UPN suffix of the forest %s; users cannot get cloud sign-in names "
                    "on-premises" % (target, domain.get("dns_domain")), "rerun with add_upn_suffix=true")
        if domain.get("link_attribute_in_schema"):
            row("link attribute", "ok", "%s exists in the schema" % domain.get("link_attribute"))
        else:
            row("link attribute", "FAIL", "%s is not in the schema" % domain.get("link_attribute"),
                "set link_attribute to an attribute your schema has (msDS-cloudExtensionAttribute1..20 exist from "
                "Windows Server 2012 schema on)")
    pwsync = password_sync_row(tenant, domain, dc_vendor, password_sync_agent)
    if pwsync:
        rows.append(pwsync)
    return rows


# --- building module input from checked rows, and passing users from step to step ---------

AD_FIELDS = ("given_name", "surname", "display_name", "email", "department", "company", "office",
             "telephone_number", "mobile", "employee_id", "street", "city", "state_province", "postal_code",
             "country", "description")
CLOUD_FIELDS = {"given_name": "given_name", "surname": "surname", "display_name": "display_name",
                "department": "department", "job_title": "job_title", "office": "office_location",
                "company": "company_name", "mobile": "mobile_phone", "employee_id": "employee_id",
                "street": "street_address", "city": "city", "state_province": "state_province",
                "postal_code": "postal_code", "country": "country", "usage_location": "usage_location"}


def onboard_entries(users, step, ad_results=None):
    """Checked new-user rows -> the users: list of ad_user ('ad'), cloud_user ('cloud'),
    cloud_license ('license') or the pairs: of account_link ('link').

    For 'cloud', ad_results (ad_user's results of the same rows) give each user that AD has just
    created its anchor, so the cloud create carries the link (cloud_user's update_immutable_id
    on_create keeps it from touching users that already exist)."""
    created = {}
    if step == "cloud" and ad_results:
        index = result_index(ad_results)
        for user in users:
            item = index.get(str(user.get("upn") or "").casefold())
            if item and item.get("action") == "created" and item.get("immutable_id"):
                created[user["upn"]] = item["immutable_id"]
    out = []
    for user in users:
        if step == "ad":
            entry = dict((f, user[f]) for f in AD_FIELDS if user.get(f) not in (None, ""))
            entry.update(name=user["name"], upn=user["upn"], sam_account_name=user["sam_account_name"])
            if user.get("job_title"):
                entry["title"] = user["job_title"]
            if user.get("path"):
                entry["path"] = user["path"]
            if user.get("groups"):
                entry["groups"] = {"add": list(user["groups"])}
            if "enabled" in user:
                entry["enabled"] = user["enabled"]
            if user.get("password"):
                entry["password"] = user["password"]
        elif step == "cloud":
            entry = dict((option, user[f]) for f, option in CLOUD_FIELDS.items() if user.get(f) not in (None, ""))
            entry.update(user_principal_name=user["upn"], mail_nickname=user["sam_account_name"])
            if user.get("telephone_number"):
                entry["business_phones"] = [user["telephone_number"]]
            if "enabled" in user:
                entry["account_enabled"] = user["enabled"]
            if user.get("password"):
                entry["password"] = user["password"]
                entry["force_change_password_next_sign_in"] = False
            if user["upn"] in created:
                entry["on_premises_immutable_id"] = created[user["upn"]]
        elif step == "license":
            if not user.get("licenses"):
                continue
            entry = {"user": user["upn"], "licenses": [{"sku": s} for s in user["licenses"]]}
            if user.get("usage_location"):
                entry["usage_location"] = user["usage_location"]
        elif step == "link":
            entry = {"ad": user["sam_account_name"], "cloud": user["upn"]}
        else:
            raise ValueError("unknown step %r" % step)
        out.append(entry)
    return out


RESULT_KEYS = ("upn", "user_principal_name", "cloud_upn", "key", "name", "user")


def result_index(results):
    """{casefolded UPN / name / key: item} of a step's per-object results."""
    index = {}
    for item in results or []:
        for field in RESULT_KEYS:
            value = item.get(field)
            if isinstance(value, str) and value:
                index.setdefault(value.casefold(), item)
    return index


def ok_users(users, results, exclude_actions=("failed",), key="upn"):
    """The users whose result in results exists and has an action not in exclude_actions."""
    index = result_index(results)
    kept = []
    for user in users:
        item = index.get(str(user.get(key) or "").casefold())
        if item is not None and item.get("action") not in exclude_actions:
            kept.append(user)
    return kept


def failed_items(users, msg, key="upn"):
    """Per-user failed results for a step whose module failed as a whole (no per-user results)."""
    return [{"upn": u.get(key), "name": u.get("name"), "action": "failed", "error": msg or "the step failed"}
            for u in users]


# Fields of a step's result item that may name its user, and the fields of a user they may equal.
ITEM_USER_FIELDS = RESULT_KEYS + ("sam_account_name", "cloud_id", "id", "ad")
USER_ITEM_FIELDS = ("upn", "key", "sam_account_name", "cloud_id", "cloud", "ad")


def _whole_step_error(result):
    """What a module result that failed as a whole says (its msg, else the last line it printed)."""
    if result.get("msg"):
        return str(result["msg"])
    lines = str(result.get("module_stderr") or "").strip().splitlines()
    return "the module crashed: %s" % lines[-1] if lines else "the step failed"


def step_results(result, users, key="upn", rename=False):
    """The per-object results of a registered module result, or failed items when it has none.

    Every item that is about one of `users` carries that user's `key` value under "upn" (an
    account_link result that found no cloud user names the AD user only, and would otherwise
    match no report line: the failure would vanish); rename: also an item that names the user by another
    UPN (an AD UPN beside the cloud one the run knows it by). When the module failed, every user it
    returned no item for gets a failed item with the module's message: a step that failed for
    a user is never silently absent from its results."""
    result = result or {}
    if result.get("skipped"):
        return []
    items = None
    for field in ("users", "links"):
        if isinstance(result.get(field), list):
            items = result[field]
            break
    if items is None:
        return failed_items(users, _whole_step_error(result), key)
    index = {}
    for user in users or []:
        for field in USER_ITEM_FIELDS:
            value = user.get(field)
            if isinstance(value, str) and value:
                index.setdefault(value.casefold(), user)
    out, seen = [], set()
    for item in items:
        user = None
        for field in ITEM_USER_FIELDS:
            value = item.get(field) if isinstance(item, dict) else None
            if isinstance(value, str) and value and value.casefold() in index:
                user = index[value.casefold()]
                break
        if user is not None:
            seen.add(id(user))
            if user.get(key) and (not item.get("upn") or (
                    rename and str(item["upn"]).casefold() != str(user[key]).casefold())):
                item = dict(item, upn=user.get(key))
        out.append(item)
    if result.get("failed"):
        missing = [u for u in users or [] if id(u) not in seen]
        out.extend(failed_items(missing, "no result for this user: %s" % _whole_step_error(result), key))
    return out


def password_entries(users, ad_results):
    """Lines for the password file: users created in AD this run that carry a generated password."""
    created = set(str(u).casefold() for u in
                  [i.get("upn") for i in ad_results or [] if i.get("action") == "created"] if u)
    return [{"upn": u["upn"], "sam_account_name": u.get("sam_account_name") or "", "name": u.get("name") or "",
             "password": u["password"]}
            for u in users if u.get("password_generated") and str(u.get("upn")).casefold() in created]


def report_users(users):
    return [{"key": u.get("key") or str(u.get("upn")).lower(), "name": u.get("name"),
             "upn": u.get("upn") or (u.get("cloud") or {}).get("user_principal_name"),
             "row": u.get("row", ""),
             "keys": [k for k in (u.get("sam_account_name"), u.get("cloud_id"), u.get("ad")) if isinstance(k, str) and k]}
            for u in users]


# --- link_accounts and audit reports -------------------------------------------------------

def link_records(links):
    """account_link results -> report lines (status = the link action)."""
    out = []
    for item in links or []:
        out.append({"key": (item.get("cloud_upn") or item.get("name") or "").lower(), "status": item.get("action"),
                    "name": item.get("sam_account_name") or item.get("name"), "upn": item.get("cloud_upn") or "",
                    "ad": item.get("ad_dn") or "", "rule": item.get("rule") or "",
                    "reason": item.get("message") or item.get("reason") or item.get("warning") or ""})
    return out


AUDIT_CATEGORIES = ("linked", "mismatched", "broken_cloud", "broken_ad", "outside_scope", "ambiguous",
                    "proposed", "unlinked_ad", "unlinked_cloud")


def audit_records(info):
    """account_link_info result -> report lines, one per user or pair, status = the category."""
    out = []
    for category in AUDIT_CATEGORIES:
        for item in info.get(category) or []:
            ad = item.get("ad")
            cloud = item.get("cloud")
            reason = item.get("reason") or item.get("message") or ""
            if category == "proposed":
                reason = "rule %s: %s%s" % (item.get("rule"), item.get("verdict"), (" (%s)" % reason) if reason else "")
            elif category == "outside_scope":
                reason = "the %s side is outside the scope" % item.get("outside")
            elif category == "broken_ad" and not reason:
                reason = "its link attribute names cloud id %s, which no cloud user has" % (item.get("link_value") or "?")
            elif category == "broken_cloud" and not reason:
                reason = "its immutable id names objectGUID %s, which no AD user has" % (item.get("object_guid") or "?")
            out.append({"status": category,
                        "name": item.get("sam_account_name") or (ad if isinstance(ad, str) else "") or item.get("cloud_upn") or "",
                        "upn": item.get("upn") or "", "ad": item.get("ad_dn") or (ad if isinstance(ad, str) else ""),
                        "cloud": item.get("cloud_upn") or (cloud if isinstance(cloud, str) else ""),
                        "reason": reason})
    return out


def method_entries(users, step, licenses=None):
    """Module input for add_cloud_accounts (steps cloud, license, link) and
    import_cloud_accounts (steps ad, reset, import_link) from the role's prepared users."""
    out = []
    for user in users:
        if step == "cloud":
            entry = dict(user["cloud"])
            if user.get("password"):
                entry.update(password=user["password"], force_change_password_next_sign_in=False)
        elif step == "license":
            if not licenses:
                continue
            entry = {"user": user["cloud"]["user_principal_name"], "licenses": [{"sku": s} for s in licenses]}
        elif step == "link":
            entry = {"ad": user["ad"], "cloud": user["cloud"]["user_principal_name"]}
        elif step == "ad":
            entry = dict(user["ad"])
            if user.get("password"):
                entry.update(password=user["password"], password_expired=True)
        elif step == "reset":
            entry = {"id": user["cloud_id"], "user_principal_name": user["upn"], "password": user["password"],
                     "force_change_password_next_sign_in": False}
        elif step == "import_link":
            entry = {"ad": user["upn"], "cloud": user["cloud_id"]}
        else:
            raise ValueError("unknown step %r" % step)
        out.append(entry)
    return out


SYSTEM_ACCOUNTS = ("administrator", "guest", "krbtgt", "defaultaccount")


def select_ad_users(ad_users, include_disabled=False):
    """(selected, excluded) among ad_user_info users: built-in accounts and (unless asked) disabled ones stay out."""
    selected, excluded = [], []
    for user in ad_users:
        sam = (user.get("sam_account_name") or "").lower()
        reason = None
        if sam in SYSTEM_ACCOUNTS or sam.endswith("$"):
            reason = "built-in account"
        elif user.get("enabled") is False and not include_disabled:
            reason = "disabled in AD"
        if reason:
            excluded.append({"key": (user.get("upn") or sam).lower(), "upn": user.get("upn"), "name": user.get("name"),
                             "reason": reason})
        else:
            selected.append(user)
    return selected, excluded


ONBOARD_STEPS = ("ad", "cloud", "license", "link")


def user_key(user):
    return user.get("key") or str(user.get("upn")).lower()


def results_by_user(users, items):
    """{user key: its item} for one step's results of these users (matched by UPN, as ok_users does)."""
    index = result_index(items)
    out = {}
    for user in users:
        item = index.get(str(user.get("upn") or "").casefold())
        if item is not None:
            out[user_key(user)] = item
    return out


def settled(user, plan, steps=ONBOARD_STEPS):
    """Nothing to do for this user in any step of the plan ({step: {user key: item}}); the license
    step counts only when the row asks for licenses."""
    for step in steps:
        if step == "license" and not user.get("licenses"):
            continue
        item = plan[step].get(user_key(user))
        if item is None or item.get("action") != "unchanged":
            return False
    return True


# Results whose object the run left in place: its link and licenses are as they were read.
KEPT_ACTIONS = ("unchanged", "updated")


def already_linked(users, ad_results, cloud_results, link_attribute):
    """The users whose AD and cloud halves already name each other, from ad_user's results (with
    return_attributes: [link_attribute]) and cloud_user's: {user key: the item account_link would
    return for the pair (action unchanged)}. account_link need not read these users again.

    account_link's own rule decides (judge_link's "linked"), with what account_link would know for
    explicit pairs: another listed AD user naming the same cloud user makes it a conflict, which
    is left to account_link to report."""
    ad_index, cloud_index = result_index(ad_results), result_index(cloud_results)
    pairs, naming = [], {}
    for user in users:
        upn = str(user.get("upn") or "").casefold()
        ad, cloud = ad_index.get(upn), cloud_index.get(upn)
        link = ((ad or {}).get("attributes") or {}).get(link_attribute)
        if isinstance(link, str) and link:
            naming.setdefault(link.casefold(), []).append(ad)
        # An update of other attributes leaves a link as it is (onboarding never writes the link attribute).
        if ad and cloud and ad.get("action") in KEPT_ACTIONS and cloud.get("action") in KEPT_ACTIONS \
                and ad.get("immutable_id") and cloud.get("id") and isinstance(link, str):
            pairs.append((user, ad, cloud, link))
    out = {}
    for user, ad, cloud, link in pairs:
        ad_side = {"immutable_id": ad["immutable_id"], "link": link, "sam": ad.get("sam_account_name"),
                   "dn": ad.get("dn")}
        cloud_side = {"id": cloud["id"], "upn": cloud.get("name"), "immutable_id": cloud.get("on_premises_immutable_id"),
                      "guest": str(cloud.get("user_type") or "").casefold() == "guest"}
        others = [a for a in naming.get(cloud["id"].casefold(), []) if a is not ad]
        holder = {"immutable_id": others[0].get("immutable_id"), "sam": others[0].get("sam_account_name"),
                  "dn": others[0].get("dn")} if others else None
        if judge_link(ad_side, cloud_side, link_holder=holder)[0] != "linked":
            continue
        out[user_key(user)] = {
            "name": user["sam_account_name"], "action": "unchanged", "rule": "pair", "ad_dn": ad.get("dn"),
            "sam_account_name": ad.get("sam_account_name"), "object_guid": ad.get("object_guid"),
            "immutable_id": ad["immutable_id"], "cloud_id": cloud["id"], "cloud_upn": cloud.get("name"),
            "changed_attributes": [], "password_change_forced": False,
        }
    return out


def licensed_already(users, cloud_results, sku_ids):
    """The users whose cloud user (cloud_user's results: assigned_sku_ids) holds every license their
    row asks for: {user key: the item cloud_license would return (action unchanged)}. cloud_license
    need not read these users again. sku_ids: the tenant's {skuPartNumber: skuId}; a row's license
    is a part number or an id. The row's usage location is cloud_user's to set, so it is not
    looked at here; a license the map does not know leaves the user to cloud_license."""
    known = {}
    for part, sku_id in (sku_ids or {}).items():
        known[str(part).casefold()] = str(sku_id).casefold()
        known[str(sku_id).casefold()] = str(sku_id).casefold()
    index = result_index(cloud_results)
    out = {}
    for user in users:
        wanted = user.get("licenses") or []
        cloud = index.get(str(user.get("upn") or "").casefold())
        if not wanted or not cloud or cloud.get("action") not in KEPT_ACTIONS or not cloud.get("id"):
            continue
        ids = [known.get(str(sku).casefold()) for sku in wanted]
        have = set(str(s).casefold() for s in cloud.get("assigned_sku_ids") or [])
        if all(ids) and all(i in have for i in ids):
            out[user_key(user)] = {"name": user["upn"], "action": "unchanged", "id": cloud["id"],
                                   "changed_attributes": []}
    return out
