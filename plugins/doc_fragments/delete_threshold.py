# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Delete protection, the same two options in every module that can delete (argument spec:
    # module_utils/_delete_guard.py delete_argument_spec; the logic and its reasons are there too).
    DOCUMENTATION = r'''
options:
  max_deletes:
    description:
      - The most deletes one run may make. A run that plans more is refused as a whole before anything is written,
        in check mode too, and the task fails naming the count and this option.
      - The default is Entra Connect's export deletion threshold. V(0) allows no delete at all.
      - Counted are the deletes the run would really make; a listed object that is gone already is not one.
    type: int
    default: 500
  max_delete_percent:
    description:
      - The largest share of the objects in scope (the module's description says what they are) that one run may
        delete, in percent. A run above it is refused like one above O(max_deletes); the smaller of the two limits
        wins.
      - A run of 10 deletes or fewer always passes this limit, so that deleting a few leavers of a small directory
        works with the defaults. V(100) turns it off.
      - The objects in scope are counted (one read) only for a run of more than 10 deletes, or one that
        O(max_deletes) refuses (the refusal names the scope).
    type: int
    default: 10
'''
