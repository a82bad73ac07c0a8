"""Stateful-resource guards (issue 12) on the emulator: a converge that would replace or delete a
table, stream, bucket, key or user pool is refused, before any change, naming the resource and
the allow variable; with the variable the change is made. Asserts on the emulator's state
(tests/reliability/stateful.py reads it with boto3 after each run)."""

import pytest

from tests.reliability import stateful


@pytest.fixture
def env(aws_env):
    return aws_env


@pytest.fixture
def aws(emulator):
    return stateful.Clients(emulator)


@pytest.mark.parametrize("guard", sorted(stateful.GUARDS))
def test_refused_without_the_allow_variable_and_done_with_it(guard, env, aws):
    result = stateful.GUARDS[guard](env, aws)
    assert result["refused_without_allowance"], result
    assert result["done_with_allowance"], result


def test_a_protected_user_pool_is_not_replaced_even_when_allowed(env, aws):
    idp = aws.cognito_idp
    stateful.drop_pools(idp)
    try:
        protected = dict(stateful.COGNITO_VARS, cognito_username_attributes=["email"], cognito_deletion_protection=True)
        first = stateful.run_role(env, "cognito", **protected)
        assert first.returncode == 0, first.output[-3000:]
        before = stateful.pool_state(idp)
        assert before["deletion_protection"] == "ACTIVE", before

        replace = dict(protected, cognito_username_attributes=[], cognito_allow_pool_replacement=True)
        run = stateful.run_role(env, "cognito", **replace)
        assert stateful.refused(run, stateful.NAME, "deletion protection is on"), run.output[-3000:]
        assert stateful.pool_state(idp) == before
    finally:
        for pool in stateful.pools_named(idp):
            idp.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
        stateful.drop_pools(idp)


def test_prod_turns_deletion_protection_on():
    assert stateful.prod_deletion_protection() == {"dynamodb_deletion_protection": True,
                                                   "cognito_deletion_protection": True}
