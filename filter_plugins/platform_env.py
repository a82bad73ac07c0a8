"""Environments are the folders under inventories/ that hold a hosts.yml."""

import os


def platform_environments(inventories_dir):
    """Sorted names of the environments found in inventories_dir."""
    try:
        entries = os.listdir(inventories_dir)
    except OSError:
        return []
    return sorted(e for e in entries if os.path.isfile(os.path.join(inventories_dir, e, "hosts.yml")))


class FilterModule:
    def filters(self):
        return {"platform_environments": platform_environments}
