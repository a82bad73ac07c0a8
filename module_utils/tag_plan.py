# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag reconciliation shared by the custom modules."""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def plan_tags(current, desired, purge_tags):
    """Return (tags after the run, tags to set, tag keys to unset).

    desired None means "leave the tags alone".
    """
    current = current or {}
    if desired is None:
        return dict(current), {}, []
    to_set, to_unset = compare_aws_tags(current, desired, purge_tags)
    after = {key: value for key, value in current.items() if key not in to_unset}
    after.update(to_set)
    return after, to_set, to_unset
