"""The Cognito identity fixes in emulator/fixes/cognito_identity.py restore documented AWS behaviour.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_cognito_identity.py
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError

AUTHENTICATED = "arn:aws:iam::123456789012:role/users-authenticated"


@pytest.fixture
def identity(fresh_emulator: Any, aws_client: Any) -> Any:
    return aws_client("cognito-identity")


# --- identity_pool_roles_can_be_set_and_read --------------------------------------------

def test_identity_pool_roles_are_stored_and_returned(identity: Any) -> None:
    pool_id = identity.create_identity_pool(IdentityPoolName="fix_pool",
                                            AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}

    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTHENTICATED})
    roles = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert roles["IdentityPoolId"] == pool_id and roles["Roles"] == {"authenticated": AUTHENTICATED}

    # SetIdentityPoolRoles replaces the roles.
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={})
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}


def test_identity_pool_roles_of_an_unknown_pool_are_not_found(identity: Any) -> None:
    with pytest.raises(ClientError) as error:
        identity.get_identity_pool_roles(IdentityPoolId="eu-west-1:00000000-0000-0000-0000-000000000000")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
