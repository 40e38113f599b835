#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ad_user_restore
short_description: Bring deleted AD users back from Deleted Objects, by objectGUID
version_added: 1.0.0
description:
  - Reanimates deleted users (tombstones, or deleted objects when the AD Recycle Bin is on) the way
    C(Restore-ADObject) does, over LDAP - one modify with the Show Deleted control that removes C(isDeleted) and
    gives the object a DN again. The user comes back with its objectGUID and objectSid, so a cloud account's
    anchor (the base64 objectGUID) and the ACLs naming its SID still match it.
  - Without the Recycle Bin (the default on Windows and in a new Samba domain) a tombstone keeps little more than
    its objectGUID, objectSid, sAMAccountName and password; the UPN, the names, the link attribute and the group
    memberships are gone. Set them again with M(hybrid.identity.ad_user); the C(restore_users) job does, from its
    restore record. On Samba the reanimated user must change its password at the next logon (C(pwdLastSet) 0).
  - A user that is not deleted (found under its objectGUID) is V(unchanged); one in neither place fails.
  - Set-oriented; each user's tombstone is found with one search.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.STATE_MODULE
options:
  users:
    description: The users to bring back.
    type: list
    elements: dict
    required: true
    suboptions:
      identity:
        description: The user's objectGUID (as M(hybrid.identity.ad_user_info) returns it, braces optional).
        type: str
        required: true
        aliases: [object_guid]
      path:
        description: The OU or container to restore into (a DN). Default the one it was deleted from (C(lastKnownParent)).
        type: str
      name:
        description: The object's name (C(cn)) once restored. Default the name it had.
        type: str
seealso:
  - module: hybrid.identity.ad_user
  - module: hybrid.identity.cloud_user
'''

EXAMPLES = r'''
- name: Bring back a user deleted by mistake, where it was
  hybrid.identity.ad_user_restore:
    users:
      - identity: 5b0f6f4e-9a1c-4a57-8d77-2f0f3e8d1a10

- name: Bring it back into the leavers' OU
  hybrid.identity.ad_user_restore:
    users:
      - identity: 5b0f6f4e-9a1c-4a57-8d77-2f0f3e8d1a10
        path: OU=Leavers,DC=corp,DC=example,DC=local
'''

RETURN = r'''
users:
  description: One entry per user, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The identity as given.
      type: str
    action:
      description: V(updated) (restored, with C(restored) in RV(users[].changed_attributes)), V(unchanged) or V(failed).
      type: str
      choices: [updated, unchanged, failed]
    changed_attributes:
      description: V([restored]) for a user brought back (or, in check mode, one that would be), else empty.
      type: list
      elements: str
      sample: [restored]
    dn:
      description: The user's DN, as restored (or, in check mode, as it would be).
      type: str
      returned: unless failed
    object_guid:
      description: The objectGUID.
      type: str
    sam_account_name:
      description: The sAMAccountName.
      type: str
      returned: unless failed
    error:
      description: Why it failed, naming the fix.
      type: str
      returned: when action is failed
summary:
  description: The number of users per action, and the total.
  returned: always
  type: dict
ldap_operations:
  description: LDAP statistics of the run.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError, describe
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import user_dn
from ansible_collections.hybrid.identity.plugins.module_utils._bulk import BulkResults
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient, ad_argument_spec

SHOW_DELETED = ("1.2.840.113556.1.4.417", True, None)
USER_OPTIONS = dict(
    identity=dict(type="str", required=True, aliases=["object_guid"]),
    path=dict(type="str"),
    name=dict(type="str"),
)


def live_name(tombstone_name):
    """A tombstone's name is '<name>\\nDEL:<guid>' (shown as \\0ADEL: in its DN): the name it had."""
    return tombstone_name.split("\nDEL:", 1)[0]


def restore_one(client, spec, check_mode):
    """(action, facts, error) for one user."""
    guid = spec["identity"].strip().strip("{}")
    try:
        term = "(objectGUID=%s)" % codecs.guid_filter_value(guid)
    except ValueError:
        return "failed", {}, "'%s' is not an objectGUID; give the user's objectGUID (ad_user_info returns it)" % guid
    live = client.search(client.default_nc, "(&(objectClass=user)%s)" % term, ["sAMAccountName"])
    if live:
        return "unchanged", {"dn": live[0].dn, "sam_account_name": live[0].text("sAMAccountName")}, None
    found = client.search(client.default_nc, "(&(isDeleted=TRUE)%s)" % term,
                          ["name", "lastKnownParent", "sAMAccountName", "objectClass"], controls=[SHOW_DELETED])
    if not found:
        return "failed", {}, ("no deleted object has the objectGUID %s: it was never here, or its tombstone "
                              "lifetime is over (it cannot be restored)" % guid)
    tomb = found[0]
    classes = [c.casefold() for c in tomb.texts("objectClass")]
    if "user" not in classes or "computer" in classes:
        return "failed", {}, "the deleted object %s is not a user" % guid
    parent = spec.get("path") or tomb.text("lastKnownParent")
    if not parent or not client.exists(parent):
        return "failed", {}, "the OU '%s' to restore into does not exist. Fix: create it, or give path" % parent
    dn = user_dn(spec.get("name") or live_name(tomb.text("name") or ""), parent)
    if client.exists(dn):
        return "failed", {}, "%s is taken by another object. Fix: give another name or path" % dn
    facts = {"dn": dn, "sam_account_name": tomb.text("sAMAccountName")}
    if check_mode:
        return "updated", facts, None
    ok, result = client.modify(tomb.dn, {"isDeleted": [("delete", [])], "distinguishedName": [("replace", [dn])]},
                               controls=[SHOW_DELETED])
    if not ok:
        return "failed", {}, describe(result, op="restore", dn=dn, account=client.username)
    return "updated", facts, None


def main():
    module = AnsibleModule(
        argument_spec=ad_argument_spec(users=dict(type="list", elements="dict", required=True, options=USER_OPTIONS)),
        supports_check_mode=True,
    )
    results = BulkResults(module, key="users")
    try:
        client = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    try:
        for spec in module.params["users"]:
            action, facts, error = restore_one(client, spec, module.check_mode)
            guid = spec["identity"].strip().strip("{}")
            if error:
                results.fail(spec["identity"], error, object_guid=guid)
            else:
                results.add(spec["identity"], action, changed=["restored"] if action == "updated" else (),
                            before={"deleted": True}, after={"deleted": False, "dn": facts["dn"]}, object_guid=guid,
                            **facts)
    except ADError as exc:
        module.fail_json(msg=exc.message, ldap_operations=client.stats)
    finally:
        client.close()
    results.exit(ldap_operations=client.stats, domain_controller=client.server)


if __name__ == "__main__":
    main()
