"""What the project's layout declares: environments and roles with input checks."""

import os


def platform_environments(inventories_dir):
    """Sorted names of the environments: folders under inventories/ with a hosts.yml."""
    try:
        entries = os.listdir(inventories_dir)
    except OSError:
        return []
    return sorted(e for e in entries if os.path.isfile(os.path.join(inventories_dir, e, "hosts.yml")))


def platform_validated_roles(roles_dir):
    """Sorted names of the roles that ship tasks/validate.yml (checked in pre-flight)."""
    try:
        entries = os.listdir(roles_dir)
    except OSError:
        return []
    return sorted(e for e in entries if os.path.isfile(os.path.join(roles_dir, e, "tasks", "validate.yml")))


class FilterModule:
    def filters(self):
        return {
            "platform_environments": platform_environments,
            "platform_validated_roles": platform_validated_roles,
        }
