#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: user_input
short_description: Read and check the input of an onboarding role, before anything is written
version_added: 0.1.0
description:
  - Runs on the controller (action plugin). Reads users (or link pairs) from a YAML list or a CSV file and checks
    every row against the rules Active Directory and Microsoft Graph apply, reporting every bad row at once with
    what to fix. Nothing is written anywhere.
  - "Checks for new users: required columns, unknown columns, names AD cannot take (sAMAccountName rules, lengths),
    UPNs Graph cannot take (characters, unverified domains), unknown licenses, missing usage location, passwords
    AD or Entra would refuse, the same user twice (UPN, username, or name in one OU)."
  - Returns the normalized rows and the chunks the role processes them in. When rows carry passwords
    (given, or generated with O(generate_passwords)), the result is hidden from the output (no_log).
author:
  - hybrid.identity contributors (@hybrid-identity)
options:
  kind:
    description: V(new_users) (onboard_new_users) or V(pairs) (link_accounts, columns C(ad) and C(cloud)).
    type: str
    default: new_users
    choices: [new_users, pairs]
  chunk_size:
    description: How many rows each chunk holds.
    type: int
    default: 500
  generate_passwords:
    description: Give rows without a password one from the collection's password generator.
    type: bool
    default: false
extends_documentation_fragment:
  - hybrid.identity.user_rows
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only.
'''

EXAMPLES = r'''
- name: Check the new users
  hybrid.identity.user_input:
    csv: new_users.csv
    verified_domains: "{{ tenant.verified_domains }}"
    skus: "{{ tenant.skus | map(attribute='sku_part_number') }}"
    upn_suffix: contoso.com
    usage_location: US
    generate_passwords: true
  register: checked
  no_log: true
'''

RETURN = r'''
rows:
  description: The checked rows, normalized (users with C(key), C(upn), C(sam_account_name), C(name), C(licenses), ...).
  returned: success
  type: list
  elements: dict
count:
  description: How many rows.
  returned: always
  type: int
chunks:
  description: The chunks, each with C(start), C(end) (slice bounds) and C(label) (for example C(users 501-1,000 of 10,000)).
  returned: success
  type: list
  elements: dict
errors:
  description: One sentence per bad row, naming the row (CSV line or list item) and what to fix.
  returned: failure
  type: list
  elements: str
'''
