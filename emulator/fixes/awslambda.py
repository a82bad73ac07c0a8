"""Lambda: one event source mapping per event source and function."""

from typing import Any


def event_source_mapping_is_unique_per_source_and_function() -> None:
    """CreateEventSourceMapping refuses a second mapping of the same source to the same function.

    AWS: https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
    (Errors: ResourceConflictException, HTTP 409, "The resource already exists"); AWS answers
    "The event source arn (...) and function (...) provided mapping already exists. Please
    update or delete the existing mapping with UUID ...". moto's
    LambdaBackend.create_event_source_mapping creates another mapping every time, so a
    retried create would silently make a second consumer of every record, and code that
    handles the conflict (find the existing mapping, update it) is never exercised.

    The function is compared by its resolved ARN (a name, an ARN and a partial ARN of the
    same function and qualifier are the same function).
    """
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.models import LambdaBackend

    class MappingAlreadyExists(LambdaClientError):
        code = 409

        def __init__(self, source_arn: str, function_arn: str, uuid: str) -> None:
            super().__init__(
                "ResourceConflictException",
                f"The event source arn ({source_arn}) and function ({function_arn}) provided mapping already exists. "
                f"Please update or delete the existing mapping with UUID {uuid}",
            )

    original = LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        source_arn, function_name = spec.get("EventSourceArn"), spec.get("FunctionName")
        if source_arn and function_name:
            function = self._lambdas.get_function_by_name_or_arn_with_qualifier(function_name)
            for mapping in self._event_source_mappings.values():
                if mapping.event_source_arn == source_arn and mapping.function_arn == function.function_arn:
                    raise MappingAlreadyExists(source_arn, function.function_arn, mapping.uuid)
        return original(self, spec)

    LambdaBackend.create_event_source_mapping = create_event_source_mapping


FIXES = [event_source_mapping_is_unique_per_source_and_function]
