#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloud_license
short_description: Assign and remove Microsoft 365 licenses in bulk
version_added: 1.0.0
description:
  - Assigns and removes licenses (SKUs) of cloud users, by SKU part number (for example C(O365_BUSINESS_PREMIUM))
    or SKU id, optionally with service plans disabled by name.
  - Set-oriented; the tenant's SKUs are resolved once, all users are read in one go, and the assignments go
    through C($batch) requests of 20.
  - "Before anything is assigned, the free units of every SKU are counted for the whole run. Seats go to the
    users in list order while a SKU's free units last; the users left without one fail, naming the SKU, the
    counts and the fix (for example C(need 40 of O365_BUSINESS_PREMIUM, 12 free)). One user's shortage never
    fails another user: a user whose SKUs have seats is licensed whatever other SKUs lack."
  - A user gets all the new licenses it asks for or none (a seat is never spent on a user that fails anyway).
  - "Licenses need a usage location. A user without one gets O(users[].usage_location) (or O(usage_location))
    first; when neither exists the user fails, saying so."
  - Nothing is written for a user whose licenses are already as asked.
  - A user that is not found is looked up again for up to a minute (users created moments before are not
    listed at once, replication delay) before it fails; a C(404) on a user just read is retried the same way.
    E(HYBRID_IDENTITY_REPLICATION_WAIT) (seconds, default 120) caps these waits.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.STATE_MODULE
options:
  users:
    description:
      - The users whose licenses to manage. One user is a list of one.
    type: list
    elements: dict
    required: true
    suboptions:
      user:
        description: The user's UPN or object id.
        type: str
        required: true
        aliases: [user_principal_name, upn]
      licenses:
        description: The licenses of this user; defaults to O(licenses).
        type: list
        elements: dict
        suboptions:
          sku:
            description: SKU part number (C(O365_BUSINESS_PREMIUM), C(SPB), C(ENTERPRISEPACK), ...) or SKU id.
            type: str
            required: true
          disabled_plans:
            description:
              - Service plans of the SKU to disable, by name (for example C(TEAMS1)) or id. An empty list enables
                all of them.
              - When not set, a new assignment enables every plan and an existing one keeps its disabled plans.
            type: list
            elements: str
      usage_location:
        description: Usage location set when the user has none; defaults to O(usage_location).
        type: str
  licenses:
    description: The licenses of every user that does not list its own O(users[].licenses).
    type: list
    elements: dict
    suboptions:
      sku:
        description: SKU part number or SKU id.
        type: str
        required: true
      disabled_plans:
        description: Service plans to disable, by name or id (see O(users[].licenses[].disabled_plans)).
        type: list
        elements: str
  state:
    description:
      - V(present) assigns the licenses, V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also remove every license a user has that is not listed.
    type: bool
    default: false
  allow_partial:
    description:
      - When a SKU has fewer free units than the run needs, V(true) assigns it to the users in list order while
        units last and fails the others; V(false) assigns that SKU to nobody (all its users fail, naming the
        counts). Either way users of SKUs that have enough units are licensed.
    type: bool
    default: true
  usage_location:
    description: Two-letter country code set on users that have no usage location (see O(users[].usage_location)).
    type: str
attributes:
  action_group:
    description: Use C(group/hybrid.identity.cloud) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - hybrid.identity.cloud
seealso:
  - module: hybrid.identity.cloud_user
  - module: hybrid.identity.cloud_tenant_info
'''

EXAMPLES = r'''
- name: Give new users Microsoft 365 Business Premium without Teams
  hybrid.identity.cloud_license:
    usage_location: US
    licenses:
      - sku: O365_BUSINESS_PREMIUM
        disabled_plans: [TEAMS1]
    users:
      - user: alice@contoso.com
      - user: bob@contoso.com

- name: Exactly one license each (remove anything else)
  hybrid.identity.cloud_license:
    exclusive: true
    users:
      - user: carol@contoso.com
        licenses: [{sku: ENTERPRISEPACK}]
      - user: dave@contoso.com
        licenses: [{sku: O365_BUSINESS_PREMIUM}]

- name: Free the seats of former employees
  hybrid.identity.cloud_license:
    state: absent
    licenses: [{sku: O365_BUSINESS_PREMIUM}]
    users:
      - user: dave.former@contoso.com
      - user: erin.former@contoso.com
'''

RETURN = r'''
users:
  description: One entry per user, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user as given.
      type: str
    action:
      description: What happened (or would happen in check mode).
      type: str
      choices: [updated, unchanged, failed]
    id:
      description: The user's object id.
      type: str
      returned: when the user exists
    changed_attributes:
      description: C(licenses) and/or C(usage_location) when they change.
      type: list
      elements: str
    added:
      description: SKU part numbers assigned or whose disabled plans change.
      type: list
      elements: str
      returned: when action is updated
    removed:
      description: SKU part numbers removed.
      type: list
      elements: str
      returned: when action is updated
    error:
      description: Why the user failed.
      type: str
      returned: when action is failed
summary:
  description: The number of users per action, and the total.
  returned: always
  type: dict
shortages:
  description: SKUs with fewer free units than the run needs.
  returned: when a SKU is short
  type: list
  elements: dict
  sample: [{sku_part_number: O365_BUSINESS_PREMIUM, needed: 40, free: 12}]
graph:
  description: Request statistics of the run.
  returned: always
  type: dict
diff:
  description: Per user, the licenses before and after, in diff mode.
  returned: when diff mode is on
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._bulk import BulkResults
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import (
    cloud_argument_spec, connect, fail_graph)
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_license_math import (
    SkuCatalog, free_units, plan_user, shortages)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError

LICENSE_OPTIONS = dict(
    sku=dict(type="str", required=True),
    disabled_plans=dict(type="list", elements="str"),
)
SELECT = "id,userPrincipalName,assignedLicenses,usageLocation,onPremisesSyncEnabled"
MISSING_USER_WAIT = 60.0   # capped by HYBRID_IDENTITY_REPLICATION_WAIT


class Entry(object):
    def __init__(self, index, spec, params):
        self.index = index
        self.name = spec["user"]
        self.licenses = spec.get("licenses") if spec.get("licenses") is not None else (params["licenses"] or [])
        self.usage_location = spec.get("usage_location") or params["usage_location"]
        self.user = None
        self.error = None
        self.add, self.remove, self.new_ids = [], [], []
        self.set_location = None


def shown(licenses, catalog):
    return dict((catalog.part(lic["skuId"]), catalog.plan_names(lic["skuId"], lic.get("disabledPlans")))
                for lic in licenses or [])


def resolve_wanted(entry, catalog):
    wanted = []
    for lic in entry.licenses:
        sku = catalog.resolve(lic["sku"])
        if sku is None:
            known = ", ".join(catalog.known_parts()) or "none"
            raise ValueError("the tenant has no SKU %s (it has: %s)" % (lic["sku"], known))
        disabled = None
        if lic.get("disabled_plans") is not None:
            disabled, unknown = catalog.plan_ids(sku, lic["disabled_plans"])
            if unknown:
                names = sorted(p["servicePlanName"] for p in sku.get("servicePlans") or [])
                raise ValueError("%s has no service plan %s (its plans: %s)" % (
                    sku["skuPartNumber"], ", ".join(unknown), ", ".join(names)))
        wanted.append((sku["skuId"], disabled))
    return wanted


def allocate(entries, catalog, strict=False):
    """Seats per SKU in list order, each user all its new SKUs or none: sets the error of every user
    that cannot have them (strict: nobody gets a short SKU). Returns the shortages [(part, need, free)]."""
    needed = {}
    for entry in entries:
        if entry.error is None:
            for sku_id in entry.new_ids:
                needed[sku_id] = needed.get(sku_id, 0) + 1
    short = shortages(needed, catalog)
    counts = dict((part, (need, free)) for part, need, free in short)
    remaining = dict((sku["skuId"], max(0, free_units(sku))) for sku in catalog.skus)
    for entry in entries:
        if entry.error is not None or not entry.new_ids:
            continue
        lacking = [catalog.part(s) for s in entry.new_ids
                   if remaining.get(s, 0) < 1 or (strict and catalog.part(s) in counts)]
        if not lacking:
            for sku_id in entry.new_ids:
                remaining[sku_id] -= 1
            continue
        need_free = [counts.get(part, (1, 0)) for part in lacking]
        what = "; ".join("need %d of %s, %d free" % (need, part, free) for part, (need, free) in zip(lacking, need_free))
        fix = "; ".join("buy or free %d unit(s) of %s" % (need - free, part) for part, (need, free) in zip(lacking, need_free))
        rule = "allow_partial is false, so nobody gets it" if strict else "the seats went to the users listed before"
        entry.error = "no free seat of %s for this user (%s; %s); nothing was assigned to it. Fix: %s, then rerun" % (
            ", ".join(lacking), what, rule, fix)
    return short


def main():
    module = AnsibleModule(
        argument_spec=cloud_argument_spec(
            users=dict(type="list", elements="dict", required=True, options=dict(
                user=dict(type="str", required=True, aliases=["user_principal_name", "upn"]),
                licenses=dict(type="list", elements="dict", options=LICENSE_OPTIONS),
                usage_location=dict(type="str"),
            )),
            licenses=dict(type="list", elements="dict", options=LICENSE_OPTIONS),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            exclusive=dict(type="bool", default=False),
            allow_partial=dict(type="bool", default=True),
            usage_location=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    results = BulkResults(module, key="users")
    entries = [Entry(i, spec, params) for i, spec in enumerate(params["users"])]
    client = connect(module)
    try:
        found, extra, _strategy = client.read_users([e.name for e in entries], SELECT.split(","),
                                                    extra=[SubRequest("skus", "GET", "/subscribedSkus")])
        skus = extra["skus"]
        if not skus.ok:
            raise skus.error.for_object("GET /subscribedSkus")
        catalog = SkuCatalog((skus.body or {}).get("value"))
        missing = [e.name for e in entries if e.name.lower() not in found]
        if missing:
            # Users created moments ago (cloud_user in the previous task) are not listed yet.
            found.update(client.wait_for_users(missing, SELECT.split(","), budget=MISSING_USER_WAIT))
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)

    # plan ----------------------------------------------------------------------------------
    seen = {}
    for entry in entries:
        entry.user = found.get(entry.name.lower())
        if entry.user is None:
            entry.error = ("no such user in the tenant, also after waiting for replication (create it first, for example "
                           "with hybrid.identity.cloud_user; if it was created moments ago, rerun later)")
            continue
        if entry.user["id"] in seen:
            entry.error = "listed twice in users (also entry %d); list each user once" % (seen[entry.user["id"]] + 1)
            continue
        seen[entry.user["id"]] = entry.index
        try:
            wanted = resolve_wanted(entry, catalog)
        except ValueError as exc:
            entry.error = str(exc)
            continue
        entry.add, entry.remove, entry.new_ids = plan_user(entry.user.get("assignedLicenses"), wanted, state=state,
                                                           exclusive=params["exclusive"])
        if entry.add and not entry.user.get("usageLocation"):
            if entry.usage_location:
                entry.set_location = entry.usage_location.upper()
            else:
                entry.error = ("the user has no usage location, which licenses need; set usage_location "
                               "(two-letter country code)")

    short_info = [{"sku_part_number": part, "needed": need, "free": free}
                  for part, need, free in allocate(entries, catalog, strict=not params["allow_partial"])]

    # write ---------------------------------------------------------------------------------
    if not module.check_mode:
        try:
            locate = [SubRequest(e.index, "PATCH", "/users/%s" % e.user["id"], body={"usageLocation": e.set_location},
                                 target=e.name, known_object=True)
                      for e in entries if e.error is None and e.set_location]
            for key, answer in client.batch(locate).items() if locate else []:
                if not answer.ok:
                    entries[key].error = "setting usage location failed: %s" % answer.error.text(False)
            assign = [SubRequest(e.index, "POST", "/users/%s/assignLicense" % e.user["id"],
                                 body={"addLicenses": e.add, "removeLicenses": e.remove}, target=e.name,
                                 known_object=True)
                      for e in entries if e.error is None and (e.add or e.remove)]
            for key, answer in client.batch(assign).items() if assign else []:
                if not answer.ok:
                    entries[key].error = answer.error.text(False)
        except GraphError as exc:
            fail_graph(module, exc, graph=client.stats)

    # results -------------------------------------------------------------------------------
    for entry in entries:
        uid = (entry.user or {}).get("id")
        if entry.error is not None:
            results.fail(entry.name, entry.error, id=uid) if uid else results.fail(entry.name, entry.error)
            continue
        if not (entry.add or entry.remove or entry.set_location):
            results.add(entry.name, "unchanged", id=uid)
            continue
        changed = (["licenses"] if entry.add or entry.remove else []) + (["usage_location"] if entry.set_location else [])
        before_lic = entry.user.get("assignedLicenses") or []
        removed = set(s.lower() for s in entry.remove) | set(a["skuId"].lower() for a in entry.add)
        after_lic = [lic for lic in before_lic if lic["skuId"].lower() not in removed] + entry.add
        before = {"licenses": shown(before_lic, catalog)}
        after = {"licenses": shown(after_lic, catalog)}
        if entry.set_location:
            before["usage_location"] = entry.user.get("usageLocation")
            after["usage_location"] = entry.set_location
        results.add(entry.name, "updated", id=uid, changed=changed, before=before, after=after,
                    added=sorted(catalog.part(a["skuId"]) for a in entry.add),
                    removed=sorted(catalog.part(s) for s in entry.remove))
    extra = {"graph": client.stats}
    if short_info:
        extra["shortages"] = short_info
    results.exit(**extra)


if __name__ == "__main__":
    main()
