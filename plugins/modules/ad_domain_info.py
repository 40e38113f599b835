#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ad_domain_info
short_description: Facts about the Active Directory domain and the DC answering
version_added: 1.0.0
description:
  - Reads the DC's RootDSE and the domain's partition, and returns the DNS and NetBIOS names, naming contexts, functional levels,
    the forest's UPN suffixes, whether the link attribute exists in the schema, and the DC's name and time.
  - Useful as a first connectivity and readiness check before the other AD modules.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options:
  link_attribute:
    description:
      - The attribute the collection uses to record a user's linked cloud object id; RV(link_attribute_in_schema)
        says whether the schema has it.
    type: str
    default: msDS-cloudExtensionAttribute1
  count_users:
    description:
      - Also count the domain's user accounts (RV(user_count)), with one DN-only search.
    type: bool
    default: false
seealso:
  - module: hybrid.identity.ad_upn_suffix
'''

EXAMPLES = r'''
- name: Check the domain
  hybrid.identity.ad_domain_info:
  register: domain

- name: Refuse non-routable UPN suffixes without an alternative
  ansible.builtin.assert:
    that: domain.upn_suffixes | length > 0 or not domain.dns_domain.endswith('.local')
    fail_msg: Add the tenant's verified domain with hybrid.identity.ad_upn_suffix first
'''

RETURN = r'''
dns_domain:
  description: The domain's DNS name.
  returned: always
  type: str
  sample: corp.example.local
netbios_name:
  description: The domain's NetBIOS (pre-Windows 2000) name.
  returned: always
  type: str
  sample: CORP
default_naming_context:
  description: The domain's DN (the base of every search).
  returned: always
  type: str
  sample: DC=corp,DC=example,DC=local
configuration_naming_context:
  description: The configuration partition's DN.
  returned: always
  type: str
schema_naming_context:
  description: The schema partition's DN.
  returned: always
  type: str
root_domain_naming_context:
  description: The forest root domain's DN.
  returned: always
  type: str
naming_contexts:
  description: Every naming context the DC holds.
  returned: always
  type: list
  elements: str
forest_dns_name:
  description: The forest root domain's DNS name.
  returned: always
  type: str
domain_functional_level:
  description: The domain functional level (name and number).
  returned: always
  type: dict
  sample: {level: 4, name: Windows2008R2}
forest_functional_level:
  description: The forest functional level (name and number).
  returned: always
  type: dict
  sample: {level: 4, name: Windows2008R2}
dc_functional_level:
  description: The DC's own functional level (name and number).
  returned: always
  type: dict
upn_suffixes:
  description: The forest's alternative UPN suffixes (the DNS domain itself is implicit).
  returned: always
  type: list
  elements: str
upn_suffix_routable:
  description: Whether a routable suffix is available (the DNS domain is not C(.local)-style, or an alternative exists).
  returned: always
  type: bool
link_attribute:
  description: The attribute checked.
  returned: always
  type: str
link_attribute_in_schema:
  description: Whether O(link_attribute) exists in the schema.
  returned: always
  type: bool
dc_dns_name:
  description: The answering DC's DNS host name.
  returned: always
  type: str
  sample: dc1.corp.example.local
dc_server_name:
  description: The DN of the DC's server object (tells the site).
  returned: always
  type: str
dc_time:
  description: The DC's current time (ISO 8601 UTC); Kerberos needs clocks within 5 minutes.
  returned: always
  type: str
  sample: "2026-01-01T12:00:00Z"
global_catalog_ready:
  description: Whether the DC is a ready global catalog.
  returned: always
  type: bool
domain_controller:
  description: The host:port the module talked to.
  returned: always
  type: str
vendor_name:
  description: The RootDSE's C(vendorName); Samba sets it, Windows DCs do not.
  returned: always
  type: str
  sample: Samba Team (https://www.samba.org)
dc_vendor:
  description:
    - V(samba) for a Samba AD DC, V(windows) otherwise (Windows DCs publish no C(vendorName)). Tells which
      password-sync story applies (see the C(enable_integration) role).
  returned: always
  type: str
  choices: [samba, windows]
user_count:
  description:
    - The domain's user accounts (C(objectCategory=person)), counted with a DN-only search; the scope of the
      delete limits' share (docs/deleting.md).
  returned: when O(count_users=true)
  type: int
  sample: 412
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient, ad_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import DEFAULT_LINK_ATTRIBUTE, USER_FILTER

FUNCTIONAL_LEVELS = {0: "Windows2000", 1: "Windows2003Interim", 2: "Windows2003", 3: "Windows2008",
                     4: "Windows2008R2", 5: "Windows2012", 6: "Windows2012R2", 7: "Windows2016", 10: "Windows2025"}
NON_ROUTABLE = (".local", ".lan", ".internal", ".corp", ".home", ".localdomain", ".intra", ".private")


def level(value):
    number = codecs.to_int(value)
    return {"level": number, "name": FUNCTIONAL_LEVELS.get(number, "unknown") if number is not None else None}


def main():
    module = AnsibleModule(
        argument_spec=ad_argument_spec(link_attribute=dict(type="str", default=DEFAULT_LINK_ATTRIBUTE),
                                       count_users=dict(type="bool", default=False)),
        supports_check_mode=True,
    )
    try:
        client = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    try:
        dse = client.root_dse
        partitions = "CN=Partitions," + client.config_nc
        holder = client.read(partitions, ["uPNSuffixes"])
        suffixes = holder.texts("uPNSuffixes") if holder else []
        refs = client.search(partitions, "(&(objectClass=crossRef)(nCName=%s))" % codecs.escape_filter_value(
            client.default_nc), ["nETBIOSName", "dnsRoot"], scope="one_level")
        netbios = refs[0].text("nETBIOSName") if refs else None
        link = module.params["link_attribute"]
        in_schema = bool(client.search(client.schema_nc, "(lDAPDisplayName=%s)" % codecs.escape_filter_value(link),
                                       ["lDAPDisplayName"], scope="one_level")) if link else False
        # DNs only: the size of the scope delete protection takes its share of
        user_count = len(client.search(client.default_nc, USER_FILTER, ["1.1"])) if module.params["count_users"] else None
    except ADError as exc:
        module.fail_json(msg=exc.message)
    finally:
        client.close()
    dns_domain = client.dns_domain
    root_nc = dse.text("rootDomainNamingContext")
    routable = not dns_domain.endswith(NON_ROUTABLE) or any(not s.lower().endswith(NON_ROUTABLE) for s in suffixes)
    module.exit_json(
        changed=False,
        dns_domain=dns_domain,
        netbios_name=netbios,
        default_naming_context=client.default_nc,
        configuration_naming_context=client.config_nc,
        schema_naming_context=client.schema_nc,
        root_domain_naming_context=root_nc,
        naming_contexts=dse.texts("namingContexts"),
        forest_dns_name=codecs.domain_from_dn(root_nc) if root_nc else None,
        domain_functional_level=level(dse.values("domainFunctionality")),
        forest_functional_level=level(dse.values("forestFunctionality")),
        dc_functional_level=level(dse.values("domainControllerFunctionality")),
        upn_suffixes=suffixes,
        upn_suffix_routable=routable,
        link_attribute=link,
        link_attribute_in_schema=in_schema,
        dc_dns_name=dse.text("dnsHostName"),
        dc_server_name=dse.text("serverName"),
        dc_time=codecs.generalized_time_to_iso(dse.value("currentTime")),
        global_catalog_ready=(dse.text("isGlobalCatalogReady") or "").upper() == "TRUE",
        domain_controller=client.server,
        vendor_name=dse.text("vendorName"),
        dc_vendor="samba" if "samba" in (dse.text("vendorName") or "").lower() else "windows",
        user_count=user_count,
    )


if __name__ == "__main__":
    main()
