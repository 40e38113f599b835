# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Shared attribute descriptions, as community.crypto does.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    # Modules that only read.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
'''

    # Set-oriented state modules: the whole plan in check mode, per-object diffs.
    STATE_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Check mode computes the whole plan for every object and writes nothing.
  diff_mode:
    support: full
    details:
      - The diff holds, per object, the attributes that change; passwords are shown as C((hidden)).
'''
