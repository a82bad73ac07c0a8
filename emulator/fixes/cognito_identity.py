"""Amazon Cognito identity pools: the roles of an identity pool, which moto does not implement."""

import json
from typing import Any


def identity_pool_roles_can_be_set_and_read() -> None:
    """SetIdentityPoolRoles and GetIdentityPoolRoles work.

    AWS: https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_SetIdentityPoolRoles.html
    (IdentityPoolId, Roles: a map of "authenticated"/"unauthenticated" to role ARNs, optional
    RoleMappings; replaces the pool's roles, empty response; ResourceNotFoundException for an
    unknown pool) and API_GetIdentityPoolRoles.html (returns IdentityPoolId, Roles and
    RoleMappings). moto 5.2.5 has neither operation: every call answers HTTP 500, so an identity
    pool cannot be given the role its signed-in users assume.
    """
    from moto.cognitoidentity.exceptions import ResourceNotFoundError
    from moto.cognitoidentity.responses import CognitoIdentityResponse

    def pool(self: Any) -> Any:
        pool_id = self._get_param("IdentityPoolId")
        found = self.backend.identity_pools.get(pool_id)
        if found is None:
            raise ResourceNotFoundError(pool_id)
        return found

    def set_identity_pool_roles(self: Any) -> str:
        found = pool(self)
        found.platform_roles = dict(self._get_param("Roles") or {})
        found.platform_role_mappings = dict(self._get_param("RoleMappings") or {})
        return ""

    def get_identity_pool_roles(self: Any) -> str:
        found = pool(self)
        answer = {"IdentityPoolId": found.identity_pool_id, "Roles": getattr(found, "platform_roles", {})}
        mappings = getattr(found, "platform_role_mappings", {})
        if mappings:
            answer["RoleMappings"] = mappings
        return json.dumps(answer)

    CognitoIdentityResponse.set_identity_pool_roles = set_identity_pool_roles
    CognitoIdentityResponse.get_identity_pool_roles = get_identity_pool_roles


FIXES = [identity_pool_roles_can_be_set_and_read]
