"""Fixes for places where moto deviates from documented AWS behaviour.

This package is the one place where moto is corrected, one module per AWS
service. Each fix is a small function named after the AWS behaviour it
restores; it patches moto's Python code in the server process (emulator/server.py
applies them before the server starts) and has a test in
tests/emulator/test_fixes.py that fails without it. A new fix goes into its
service's module and that module's FIXES list; a new module is added below.

moto is imported inside each fix so that importing this package stays cheap.
"""

from collections.abc import Callable, Collection

from emulator.fixes import apigateway, apigateway_usage_plans, applicationautoscaling, awslambda, backup, client_tokens, cloudtrail, cognito_identity, config, dax, dynamodb, ec2, ecr, ecs, eks, elbv2, kinesis, kms, latency, logs, resourcegroupstaggingapi, s3, sns, sqs, wafv2

FIXES: list[Callable[[], None]] = [*ec2.FIXES, *kms.FIXES, *s3.FIXES, *dynamodb.FIXES, *dax.FIXES, *kinesis.FIXES, *sqs.FIXES, *sns.FIXES, *backup.FIXES, *awslambda.FIXES, *cognito_identity.FIXES, *apigateway.FIXES, *apigateway_usage_plans.FIXES, *eks.FIXES, *ecr.FIXES, *ecs.FIXES, *elbv2.FIXES, *logs.FIXES, *wafv2.FIXES, *config.FIXES, *cloudtrail.FIXES, *resourcegroupstaggingapi.FIXES,
                                   *client_tokens.FIXES, *applicationautoscaling.FIXES,
                                   *latency.FIXES]  # last: it wraps operations the fixes above add


def apply(disabled: Collection[str] = ()) -> list[str]:
    """Apply every fix not named in disabled ("all" disables all); return the names applied."""
    applied = []
    for fix in FIXES:
        if "all" in disabled or fix.__name__ in disabled:
            continue
        fix()
        applied.append(fix.__name__)
    return applied
