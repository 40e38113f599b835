#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ad_upn_suffix
short_description: Manage the forest's alternative UPN suffixes
version_added: 1.0.0
description:
  - Ensures a UPN suffix is (or is not) in the forest's list of alternative UPN suffixes (the multi-valued
    C(uPNSuffixes) of C(CN=Partitions,CN=Configuration,<forest>)), as "Active Directory Domains and Trusts" does.
  - This is the fix for C(.local) (non-routable) domains. Add the tenant's verified domain (for example
    C(contoso.com)) as a suffix, then give users UPNs in it with M(hybrid.identity.ad_user) so their on-premises
    sign-in name is also a valid Microsoft 365 sign-in name.
  - The forest's own DNS domain names are implicit suffixes and are never listed or removed.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.STATE_MODULE
options:
  name:
    description:
      - The suffix, a DNS domain name such as C(contoso.com). Compared case-insensitively.
    type: str
    required: true
    aliases: [suffix]
  state:
    description:
      - V(present) adds the suffix when it is missing; V(absent) removes it when present.
      - Removing a suffix does not change users whose UPN uses it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: hybrid.identity.ad_user
  - module: hybrid.identity.ad_domain_info
'''

EXAMPLES = r'''
- name: Make the tenant's verified domain a UPN suffix of the .local forest
  hybrid.identity.ad_upn_suffix:
    name: contoso.com

- name: Remove an old suffix
  hybrid.identity.ad_upn_suffix:
    name: old-brand.com
    state: absent
'''

RETURN = r'''
suffixes:
  description: The forest's alternative UPN suffixes after the change (as they would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [contoso.com]
dns_domain:
  description: The domain's own DNS name (always a valid suffix; not in RV(suffixes)).
  returned: always
  type: str
  sample: corp.example.local
partitions_dn:
  description: The DN of the object holding the suffixes.
  returned: always
  type: str
  sample: CN=Partitions,CN=Configuration,DC=corp,DC=example,DC=local
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient, ad_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError, describe
from ansible_collections.hybrid.identity.plugins.module_utils._ad_names import validate_dns_name


def main():
    module = AnsibleModule(
        argument_spec=ad_argument_spec(
            name=dict(type="str", required=True, aliases=["suffix"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"].strip().rstrip(".")
    state = module.params["state"]
    reason = validate_dns_name(name)
    if reason:
        module.fail_json(msg="name: " + reason)
    try:
        client = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    try:
        partitions = "CN=Partitions," + client.config_nc
        entry = client.read(partitions, ["uPNSuffixes"])
        if entry is None:
            module.fail_json(msg="%s not found: is this an Active Directory forest?" % partitions)
        current = entry.texts("uPNSuffixes")
        present = [s for s in current if s.casefold() == name.casefold()]
        changed = False
        after = list(current)
        if state == "present" and not present:
            if name.casefold() == client.dns_domain.casefold():
                module.exit_json(changed=False, suffixes=current, dns_domain=client.dns_domain, partitions_dn=partitions,
                                 msg="%s is the domain's own DNS name: it is always a valid UPN suffix" % name)
            after.append(name)
            changed = True
            op = ("add", [name])
        elif state == "absent" and present:
            after = [s for s in current if s.casefold() != name.casefold()]
            changed = True
            op = ("delete", present)
        if changed and not module.check_mode:
            ok, result = client.modify(partitions, {"uPNSuffixes": [op]})
            if not ok:
                module.fail_json(msg="cannot %s UPN suffix %s: %s" % (
                    "add" if state == "present" else "remove", name,
                    describe(result, op="change the UPN suffixes on", dn=partitions, account=client.username)))
    except ADError as exc:
        module.fail_json(msg=exc.message)
    finally:
        client.close()
    result = dict(changed=changed, suffixes=after, dns_domain=client.dns_domain, partitions_dn=partitions)
    if module._diff:
        result["diff"] = {"before": {"suffixes": current}, "after": {"suffixes": after}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
