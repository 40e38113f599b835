# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The AD connection options shared by every ad_* module (argument spec:
    # module_utils/_ldap_client.py AD_CONNECTION_ARGSPEC).
    DOCUMENTATION = r'''
options:
  domain_server:
    description:
      - The domain controllers to talk to, tried in order until one answers (failover).
      - Each entry is a host name or address, optionally with C(:port) (for example C(dc2.corp.example.com:3269)).
      - If not set, the environment variable E(HYBRID_IDENTITY_DOMAIN_SERVER) is used (comma-separated for several
        DCs). An option always beats the environment.
      - The module uses the first DC that answers for the whole run (one connection).
    type: list
    elements: str
  domain_username:
    description:
      - The account to bind as, as a UPN (C(admin@corp.example.com)), a down-level name (C(CORP\admin)) or a DN.
      - If not set, the environment variable E(HYBRID_IDENTITY_DOMAIN_USERNAME) is used.
    type: str
  domain_password:
    description:
      - The password of O(domain_username).
      - If not set, the environment variable E(HYBRID_IDENTITY_DOMAIN_PASSWORD) is used.
      - It is only ever sent on an encrypted connection (LDAPS or StartTLS).
    type: str
  domain_port:
    description:
      - The LDAP port. Defaults to V(636) for O(domain_encryption=ldaps) and V(389) for O(domain_encryption=starttls).
      - A port given in a O(domain_server) entry wins for that entry.
    type: int
  domain_encryption:
    description:
      - How the connection is encrypted. There is no unencrypted mode; simple binds and passwords are never sent in clear.
      - V(ldaps) is LDAP over TLS (port 636); V(starttls) upgrades a plain LDAP connection (port 389) before binding.
    type: str
    choices: [ldaps, starttls]
    default: ldaps
  validate_certs:
    description:
      - Whether the DC's certificate must validate (chain and host name).
      - Only set to V(false) in a lab; passwords then travel encrypted but to a server that is not authenticated.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file (or a directory of hashed certificates) with the CA that signed the DC's certificate.
        Without it the system trust store is used.
      - If not set, the environment variable E(HYBRID_IDENTITY_CA_PATH) is used.
    type: path
notes:
  - Connection options are resolved per option; an option given to the task (or through C(module_defaults) for the
    action group C(group/hybrid.identity.ad)) beats the E(HYBRID_IDENTITY_*) environment variables.
  - The base DN is the domain's C(defaultNamingContext), read from the DC's RootDSE.
requirements:
  - ldap3 >= 2.9 (on the host that runs the module)
'''
