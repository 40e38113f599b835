# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""License arithmetic (pure logic): resolving SKUs and service plans, per-user license plans,
and the free-unit check a whole run must pass before anything is assigned."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class SkuCatalog(object):
    """The tenant's subscribedSkus, resolved once per run, by skuId or skuPartNumber."""

    def __init__(self, skus):
        self.skus = list(skus or [])
        self.by_id = dict((s["skuId"].lower(), s) for s in self.skus)
        self.by_part = dict((s["skuPartNumber"].lower(), s) for s in self.skus if s.get("skuPartNumber"))

    def resolve(self, ref):
        ref = str(ref or "").strip().lower()
        return self.by_id.get(ref) or self.by_part.get(ref)

    def part(self, sku_id):
        sku = self.by_id.get(str(sku_id).lower())
        return sku["skuPartNumber"] if sku else sku_id

    def known_parts(self):
        return sorted(s["skuPartNumber"] for s in self.skus)

    def plan_ids(self, sku, names):
        """Service plan names (or ids) -> (ids, unknown names)."""
        plans = sku.get("servicePlans") or []
        by_name = dict((p["servicePlanName"].lower(), p["servicePlanId"]) for p in plans if p.get("servicePlanName"))
        by_id = dict((p["servicePlanId"].lower(), p["servicePlanId"]) for p in plans)
        ids, unknown = [], []
        for name in names or []:
            key = str(name).strip().lower()
            found = by_name.get(key) or by_id.get(key)
            (ids.append(found) if found else unknown.append(name))
        return ids, unknown

    def plan_names(self, sku_id, plan_ids):
        sku = self.by_id.get(str(sku_id).lower())
        names = dict((p["servicePlanId"].lower(), p.get("servicePlanName")) for p in (sku or {}).get("servicePlans", []))
        return sorted(names.get(str(pid).lower(), pid) for pid in plan_ids or [])


def free_units(sku):
    """enabled - consumed (prepaidUnits.enabled; suspended / warning units are not assignable)."""
    prepaid = sku.get("prepaidUnits") or {}
    return int(prepaid.get("enabled") or 0) - int(sku.get("consumedUnits") or 0)


def plan_user(assigned, wanted, state="present", exclusive=False):
    """One user's license change.

    assigned: Graph assignedLicenses [{skuId, disabledPlans}]; wanted: [(skuId, disabled plan ids or
    None = leave as is)]. Returns (add, remove, new_ids): add = [{"skuId", "disabledPlans"}] for
    assignLicense, remove = [skuId], new_ids = skuIds this user newly takes a unit of."""
    have = dict((a["skuId"].lower(), a) for a in assigned or [])
    add, remove, new_ids = [], [], []
    wanted_ids = set()
    for sku_id, disabled in wanted:
        key = sku_id.lower()
        wanted_ids.add(key)
        if state == "absent":
            if key in have:
                remove.append(have[key]["skuId"])
            continue
        if key not in have:
            add.append({"skuId": sku_id, "disabledPlans": list(disabled or [])})
            new_ids.append(sku_id)
        elif disabled is not None:
            current = set(p.lower() for p in have[key].get("disabledPlans") or [])
            if current != set(p.lower() for p in disabled):
                add.append({"skuId": have[key]["skuId"], "disabledPlans": list(disabled)})
    if state == "present" and exclusive:
        for key, lic in have.items():
            if key not in wanted_ids:
                remove.append(lic["skuId"])
    return add, remove, new_ids


def shortages(needed, catalog):
    """needed: {skuId: users newly taking a unit} -> [(skuPartNumber, need, free)] for every SKU
    that has fewer free units than the run needs."""
    out = []
    for sku_id, need in sorted(needed.items()):
        sku = catalog.by_id.get(sku_id.lower())
        free = free_units(sku) if sku else 0
        if need > free:
            out.append((sku["skuPartNumber"] if sku else sku_id, need, max(0, free)))
    return out


def shortage_message(items):
    return "not enough licenses: " + "; ".join("need %d of %s, %d free" % (need, part, free)
                                               for part, need, free in items)
