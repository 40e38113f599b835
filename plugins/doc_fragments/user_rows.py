# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The input of the onboarding roles' controller-side actions (user_input, method_run): the rows
    # and what they are checked against.
    DOCUMENTATION = r'''
options:
  users:
    description: The rows as a list of dictionaries. Mutually exclusive with O(csv).
    type: list
    elements: raw
  csv:
    description:
      - A CSV file on the controller, first line the column names. A relative path is relative to the
        directory ansible-playbook runs in. List columns (C(licenses), C(groups)) separate values with C(;).
    type: path
  verified_domains:
    description: The tenant's verified domains; UPNs in other domains are refused.
    type: list
    elements: str
    default: []
  skus:
    description: The tenant's SKU part numbers (and ids); other licenses are refused.
    type: list
    elements: str
    default: []
  upn_suffix:
    description: The domain of UPNs built from C(username) when a row has no C(upn).
    type: str
  licenses:
    description: Licenses of rows without a C(licenses) value.
    type: list
    elements: str
    default: []
  usage_location:
    description: Usage location of rows without one.
    type: str
  ou:
    description: The OU (DN) of rows without an C(ou) value.
    type: str
  groups:
    description: AD groups of rows without a C(groups) value.
    type: list
    elements: str
    default: []
  max_errors:
    description: How many bad rows the failure message lists (all are in RV(errors)).
    type: int
    default: 200
'''
