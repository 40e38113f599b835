# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The four methods as declarations for the engine (_engine.py): where the users come from, the steps,
and who owns an account found under a name the method wants. The mapping and the rules themselves are
pure logic in module_utils (_role_logic, _role_input, _preflight)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _preflight as preflight
from ansible_collections.hybrid.identity.plugins.module_utils._offboard_logic import marker_date, reactivation_refusal
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import validate_pairs
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import (
    ad_to_cloud, already_linked, classify_import, cloud_to_ad, licensed_already, link_records, method_entries,
    onboard_entries, result_index, select_ad_users, user_key)
from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import Step
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import (
    check_new_users, input_failure, load_rows)

AD_USER, CLOUD_USER = "hybrid.identity.ad_user", "hybrid.identity.cloud_user"
LICENSE, LINK = "hybrid.identity.cloud_license", "hybrid.identity.account_link"


class Refused(Exception):
    """The input cannot be used: nothing is written. errors: one line per object, each with its fix."""

    def __init__(self, msg, errors=None):
        Exception.__init__(self, msg)
        self.errors = errors or [msg]


def _link_args(engine, pairs, force=None):
    args = engine.args
    out = {"pairs": pairs, "link_attribute": args["link_attribute"],
           "force_password_change": args["force_password_change"] if force is None else force}
    if args.get("allow_privileged"):
        out["allow_privileged"] = True
    return out


def _with_licenses(engine, users, done):
    return [u for u in users if u.get("licenses")]


def _licensed(engine, users, done):
    return licensed_already(users, done["cloud"]["items"], engine.args["sku_ids"])


def _unanchored(engine, users, done):
    """A cloud user is never created without the anchor of the AD user AD has just created (a DC lost right
    after the add cannot give the objectGUID back): such a user fails this step, and the rerun finds both."""
    index = result_index((done.get("ad") or {}).get("items"))   # in the plan both are read at once
    out = {}
    for user in users:
        item = index.get(str(user.get("upn")).casefold()) or {}
        if item.get("action") == "created" and not item.get("immutable_id"):
            out[user_key(user)] = {"upn": user["upn"], "name": user["upn"], "action": "failed",
                                   "error": "AD created the user but did not return its objectGUID, so the cloud account "
                                            "was not created without its anchor; a rerun creates it"}
    return out


def _named(engine, user):
    names = set(str(n).casefold() for n in engine.args.get("reactivate") or [])
    return any(str(user.get(f)).casefold() in names for f in ("upn", "sam_account_name", "name") if user.get(f))


def _reactivated(engine, users, entries, side):
    """Users named in reactivate are enabled again on both sides and lose the offboarded marker; the others
    are left as offboarding left them (the preflight refuses those that carry the marker)."""
    for user, entry in zip(users, entries):
        if not _named(engine, user):
            continue
        if side == "ad":
            entry["enabled"] = True
            entry.setdefault("attributes", {}).setdefault("set", {})[engine.args["offboard_attribute"]] = []
        else:
            entry["account_enabled"] = True
    return entries


def linked_account_refusals(engine, users, plan, step):
    """The users of an onboarding run whose AD user (as the plan read it) carries the offboarded marker and
    who are not named in reactivate: {user key: message}. Nothing of theirs is enabled or licensed. Also
    those whose AD user is linked to a cloud account that is gone: a new one would be a duplicate."""
    out = {}
    for user in users:
        item = plan.get(step, {}).get(user_key(user)) or {}
        attributes = item.get("attributes") or {}
        raw = attributes.get(engine.args["offboard_attribute"])
        marker = marker_date(raw)
        if marker and not _named(engine, user):
            out[user_key(user)] = reactivation_refusal(
                (user.get("upn"), user.get("sam_account_name"), user.get("name")), marker, [])
        elif raw and not marker and _named(engine, user):
            # reactivating clears the marker: an attribute someone else uses is never cleared
            out[user_key(user)] = ("%s: %s holds %r, which is not an offboarded marker; reactivate would clear it. "
                                   "Fix: leave it out of reactivate, or give the offboard_attribute the offboarding "
                                   "used" % (user["upn"], engine.args["offboard_attribute"], str(raw)[:60]))
        elif item.get("action") not in ("created", "failed", None) and attributes.get(engine.args["link_attribute"]) \
                and (plan.get("cloud", {}).get(user_key(user)) or {}).get("action") == "created":
            out[user_key(user)] = vanished_link(user["upn"], attributes[engine.args["link_attribute"]])
    return out


def vanished_link(name, cloud_id):
    return ("%s's AD user is linked to the cloud account %s, which the tenant does not hold under this name (deleted? "
            "it stays 30 days in the deleted users; or renamed); a new account would be a duplicate. Fix: restore it "
            "from the deleted users (Entra admin center, Users, Deleted users; hybrid.identity.restore_users when an "
            "offboarding removed it), or unlink the AD user (hybrid.identity.account_link state=absent) to give it a "
            "new one" % (name, cloud_id))


class Method(object):
    name = title = None
    steps = ()
    passwords = True          # the method sets generated passwords (a password file)
    # Users of ours without a recorded password are reported (and reset on request). Not for method 2: its
    # cloud password is a placeholder that password sync replaces, and a reset would break a working one.
    reports_unknown = True
    columns = None            # the report's columns (None: the default ones)

    # load(engine) -> (users, excluded): each method reads its own input (below); Refused stops the run.

    def judge(self, user, plan, row):
        """(verdict, side, message, anchor) of the accounts the plan found; see _preflight.judge."""
        return "new", None, None, None

    def records(self, users, results, excluded, merge):
        return merge(users, results, excluded)

    def delete_scope(self, engine, step, users):
        """(size, what) of the scope a deleting step's share limit is taken of: by default the users the run was
        given (a reconciliation's whole managed set); a job deleting a list of leavers counts its directory."""
        return len(users), "this run's input"

    def direct(self, engine, check_mode):
        """Work that is no list of users (link rules): extra link items, or []."""
        return []

    def plan_refusals(self, engine, users, plan):
        """{user key: refusal} for users the plan shows this run must leave alone: an offboarding's leavers, a pair
        whose cloud account is gone (the onboarding methods)."""
        return {}

    def allows_empty(self, args):
        """Whether an input that selects nobody is a run with nothing to do (a scope), not a mistake."""
        return False

    def before_write(self, engine, batch):
        """Before a write chunk's first write (the password file has its own, RunSafety.record)."""

    def finish(self, engine, users, results, check_mode):
        """After the writes, with every step's results: lines for the summary."""
        return []


# ------------------------------------------------------------------ method 1: new users in AD and the cloud
class OnboardNewUsers(Method):
    name, title = "onboard_new_users", "Onboard new users"
    steps = (
        # ad_user returns the link attribute it reads anyway (users linked already skip account_link) and
        # whenCreated (an account an interrupted run created is proven ours by the password file).
        Step("ad", AD_USER, lambda e, users, done: {
            "users": _reactivated(e, users, onboard_entries(users, "ad"), "ad"),
            "return_attributes": [e.args["link_attribute"], "whenCreated", e.args["offboard_attribute"]]},
            side="ad", creates=True, password=True, required=True),
        # A user AD has just created is linked in the cloud create itself (its anchor is known now). In the
        # plan the cloud step needs nothing from AD, so both are read at once.
        Step("cloud", CLOUD_USER, lambda e, users, done: {
            "users": _reactivated(e, users, onboard_entries(users, "cloud", done["ad"]["items"]), "cloud"),
            "update_immutable_id": "on_create"},
            after=["ad"], plan_after=[], settled=_unanchored, side="cloud", creates=True, password=True,
            required=True),
        Step("license", LICENSE, lambda e, users, done: {"users": onboard_entries(users, "license")},
             after=["ad", "cloud"], existing=True, select=_with_licenses, settled=_licensed, side="cloud"),
        Step("link", LINK, lambda e, users, done: _link_args(e, onboard_entries(users, "link")),
             after=["ad", "cloud"], existing=True, side="both", required=True,
             settled=lambda e, users, done: already_linked(users, done["ad"]["items"], done["cloud"]["items"],
                                                           e.args["link_attribute"])),
    )

    def load(self, engine):
        args = engine.args
        rows, source = load_rows(args["csv"], args["users"], "new_users")
        users, errors = check_new_users(rows, source, args)
        if errors:
            raise Refused(input_failure(errors, len(rows), "new_users", args["max_errors"]), errors)
        return users, []

    def plan_refusals(self, engine, users, plan):
        return linked_account_refusals(engine, users, plan, "ad")

    def judge(self, user, plan, row):
        key = user_key(user)
        ad, cloud = plan["ad"].get(key), plan["cloud"].get(key)
        if user.get("plan_refusal"):
            return "refused", "ad", user["plan_refusal"], None
        verdict, side, message = preflight.judge(ad, cloud, row)
        anchor = None
        if verdict == "ours" and (ad or {}).get("action") != "created" and (cloud or {}).get("action") == "created":
            anchor = ad.get("immutable_id")
        return verdict, side, message, anchor


# ------------------------------------------------------------------ method 2: cloud accounts for AD users
def _ad_facts(users):
    """What account_link would read of the AD side, from ad_user_info's answer (no second read)."""
    return [{"upn": u["upn"], "action": "unchanged", "immutable_id": u["ad_immutable_id"], "dn": u["ad_dn"],
             "sam_account_name": u.get("sam_account_name"), "attributes": {LINK_KEY: u.get("link_value")}}
            for u in users]


LINK_KEY = "link"


def _without_offboarded(engine, selected, excluded):
    """AD users an offboarding marked get no cloud account (nor a licence) unless named in reactivate."""
    kept, out = [], list(excluded)
    for ad in selected:
        marker = marker_date((ad.get("attributes") or {}).get(engine.args["offboard_attribute"]))
        user = {"upn": ad.get("upn"), "sam_account_name": ad.get("sam_account_name"), "name": ad.get("name")}
        if marker and not _named(engine, user):
            out.append({"key": str(ad.get("upn") or ad.get("sam_account_name")).lower(), "upn": ad.get("upn"),
                        "name": ad.get("display_name") or ad.get("name"),
                        "reason": reactivation_refusal((ad.get("upn") or ad.get("sam_account_name"),), marker, [])})
        else:
            kept.append(ad)
    return kept, out


class AddCloudAccounts(Method):
    name, title = "add_cloud_accounts", "Add cloud accounts"
    reports_unknown = False
    steps = (
        Step("cloud", CLOUD_USER, lambda e, users, done: {
            "users": [dict(method_entries([u], "cloud")[0], on_premises_immutable_id=u["ad_immutable_id"])
                      for u in users], "update_immutable_id": "on_create"},
             side="cloud", creates=True, password=True, required=True),
        Step("license", LICENSE, lambda e, users, done: {"users": method_entries(users, "license", e.args["licenses"])},
             after=["cloud"], existing=True, select=_with_licenses, settled=_licensed, side="cloud"),
        Step("link", LINK, lambda e, users, done: _link_args(e, method_entries(users, "link")),
             after=["cloud"], existing=True, side="both", required=True,
             settled=lambda e, users, done: already_linked(users, _ad_facts(users), done["cloud"]["items"], LINK_KEY)),
    )

    def load(self, engine):
        args = engine.args
        if not (args["ad_search_base"] or args["ad_filter"] or args["ad_group"] or args["ad_users"]):
            raise Refused("Choose the AD users with ad_search_base, ad_filter, ad_group or ad_users.")
        selection = dict((k, v) for k, v in (("search_base", args["ad_search_base"]), ("filter", args["ad_filter"]),
                                             ("group", args["ad_group"]), ("identity", args["ad_users"])) if v)
        if args["ad_group"]:
            selection["nested"] = True
        selection["link_attribute"] = args["link_attribute"]
        selection["properties"] = [args["offboard_attribute"]]
        info = engine.run_module("hybrid.identity.ad_user_info", selection)
        if info.get("failed"):
            raise Refused("cannot read the AD users: %s" % info.get("msg"))
        selected, excluded = select_ad_users(info.get("users") or [], args["include_disabled"])
        selected, excluded = _without_offboarded(engine, selected, excluded)
        entries, problems = ad_to_cloud(selected, args["verified_domains"],
                                        args["cloud_domain"] or args["default_domain"], args["attribute_map"],
                                        args["usage_location"] or None)
        problems = list(problems) + ["no such AD user: %s" % m for m in info.get("missing") or []]
        known = set(s.casefold() for s in args["skus"])
        problems += ["unknown license (not in the tenant): %s" % s for s in args["licenses"] if s.casefold() not in known]
        if args["licenses"] and any(not e["cloud"].get("usage_location") for e in entries):
            problems.append("licenses need a usage location: set usage_location")
        if problems:
            raise Refused("Nothing was written. Fix these and run again:\n" + "\n".join(problems), problems)
        facts = dict((u.get("object_guid"), u) for u in selected)
        users = []
        for entry in entries:
            ad = facts.get(entry["ad"]) or {}
            users.append(dict(entry, upn=entry["cloud"]["user_principal_name"], licenses=list(args["licenses"]),
                              display_name=entry.get("name"), ad_immutable_id=ad.get("immutable_id"),
                              ad_dn=ad.get("dn"), link_value=ad.get("link_value")))
        return users, excluded

    def judge(self, user, plan, row):
        cloud = plan["cloud"].get(user_key(user))
        if user.get("link_value") and (cloud or {}).get("action") == "created":
            return "refused", "cloud", vanished_link(user["upn"], user["link_value"]), None
        if cloud is None or cloud.get("action") in ("created", "failed"):
            return "new", None, None, None
        if cloud.get("on_premises_immutable_id") == user["ad_immutable_id"]:
            return "ours", None, None, None
        return "refused", "cloud", preflight.cloud_taken(cloud), None


# ------------------------------------------------------------------ method 3: AD users for cloud accounts
def _needs_cloud_password(engine, users, done):
    """Users whose temporary password the cloud does not have yet: AD has just created them, or an
    interrupted run recorded and set it in AD but never reached the cloud."""
    created = set(k for k, item in result_index(done["ad"]["items"]).items() if item.get("action") == "created")
    rows = engine.safety.pwfile.rows if engine.safety and engine.safety.pwfile else {}
    out = []
    for user in users:
        row = rows.get(user["upn"].lower()) or {}
        if user["upn"].casefold() in created or (row.get("recorded") and "cloud" not in row.get("set_in", "").split()):
            out.append(user)
    return out


class ImportCloudAccounts(Method):
    name, title = "import_cloud_accounts", "Import cloud accounts"
    steps = (
        Step("ad", AD_USER, lambda e, users, done: {
            "users": method_entries(users, "ad"), "return_attributes": [e.args["link_attribute"], "whenCreated"]},
            side="ad", creates=True, password=True, required=True),
        Step("cloud_password", CLOUD_USER, lambda e, users, done: {
            "users": method_entries(users, "reset"), "update_password": "always"},
            after=["ad"], select=_needs_cloud_password, side="cloud", password=True),
        Step("link", LINK, lambda e, users, done: _link_args(e, method_entries(users, "import_link"), force=False),
             after=["ad"], existing=True, side="both", required=True),
    )

    def load(self, engine):
        args = engine.args
        query = dict((k, v) for k, v in (("filter", args["cloud_filter"]), ("users", args["cloud_users"])) if v)
        if not query and not args["cloud_all"]:
            # every imported user's cloud password becomes its temporary one: the whole tenant only when asked
            raise Refused("Nothing was written. Choose the cloud users to import with cloud_filter or cloud_users, or "
                          "set all_users: true to import every cloud user of the tenant (each imported user's cloud "
                          "password becomes its temporary one).")
        info = engine.run_module("hybrid.identity.cloud_user_info", query or {"all": True})
        if info.get("failed"):
            raise Refused("cannot read the cloud users: %s" % info.get("msg"))
        if info.get("missing"):
            raise Refused("Nothing was written. These cloud users do not exist: %s" % ", ".join(info["missing"]))
        access = engine.run_module("hybrid.identity.cloud_access_info", {"read_roles": "admins" not in args["include"]})
        if access.get("roles_error"):
            raise Refused("Cannot read the directory roles (%s); grant RoleManagement.Read.Directory to the app, or "
                          "set include=[admins]." % access["roles_error"])
        selected, excluded = classify_import(info.get("users") or [], access.get("admin_accounts") or [],
                                             args["include"])
        users = cloud_to_ad(selected, args["ou"] or None, args["ad_groups"])
        for user in users:
            user["sam_account_name"] = user["ad"].get("sam_account_name")
            user["display_name"] = user["name"]
        return users, excluded

    def judge(self, user, plan, row):
        ad = plan["ad"].get(user_key(user))
        if ad is None or ad.get("action") not in ("updated", "unchanged"):
            return "new", None, None, None
        if preflight.created_by_journal(row, ad.get("sam_account_name"), (ad.get("attributes") or {}).get("whenCreated")):
            return "ours", None, None, None
        return "refused", "ad", preflight.ad_taken(ad), None


# ------------------------------------------------------------------ method 4: pair existing accounts
class LinkAccounts(Method):
    name, title = "link_accounts", "Link accounts"
    passwords = False
    columns = ["name", "upn", "ad", "status", "rule", "reason"]
    steps = (
        Step("link", LINK, lambda e, users, done: _link_args(e, [{"ad": u["ad"], "cloud": u["cloud"]} for u in users]),
             side="both", required=True),
    )

    def load(self, engine):
        args = engine.args
        if not (args["users"] or args["csv"]):
            if not args["rules"]:
                raise Refused("Give pairs, pairs_csv or rules (see ansible-doc -t role hybrid.identity.link_accounts).")
            return [], []
        rows, source = load_rows(args["csv"], args["users"], "pairs")
        pairs, errors = validate_pairs(rows, source)
        if errors:
            raise Refused(input_failure(errors, len(rows), "pairs", args["max_errors"]), errors)
        return [dict(p, upn=p["cloud"], name=p["ad"]) for p in pairs], []

    def direct(self, engine, check_mode):
        args = engine.args
        if not args["rules"]:
            return []
        query = dict((k, v) for k, v in (("ad_search_base", args["ad_search_base"]), ("ad_filter", args["ad_filter"]),
                                         ("ad_group", args["ad_group"]), ("cloud_filter", args["cloud_filter"])) if v)
        query.update(rules=args["rules"])
        query.update((k, v) for k, v in _link_args(engine, []).items() if k != "pairs")
        result = engine.run_module(LINK, query)
        if isinstance(result.get("links"), list):
            return result["links"]
        return [{"name": "rules", "action": "failed", "message": result.get("msg") or "linking by rules failed"}]

    def records(self, users, results, excluded, merge):
        return link_records(results["link"])


METHODS = dict((m.name, m) for m in (OnboardNewUsers(), AddCloudAccounts(), ImportCloudAccounts(), LinkAccounts()))
