"""module_utils/bulk_tags.py: tags read in bulk, with the service's own call where the bulk read is silent or a change follows."""

from typing import Any

from ansible.module_utils.bulk_tags import TagReader


class FakeTagging:
    def __init__(self, tagged: dict[str, dict[str, str]]):
        self.tagged = tagged
        self.requests: list[list[str]] = []

    def get_resources(self, ResourceARNList: list[str], aws_retry: bool) -> dict[str, Any]:  # noqa: N803 (boto3 names)
        self.requests.append(ResourceARNList)
        return {"ResourceTagMappingList": [
            {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in self.tagged[arn].items()]}
            for arn in ResourceARNList if arn in self.tagged]}


class FakeModule:
    def __init__(self, tagging: FakeTagging):
        self.tagging = tagging

    def client(self, service: str, retry_decorator: Any = None) -> FakeTagging:
        assert service == "resourcegroupstaggingapi"
        return self.tagging


def reader_for(arns: list[str], bulk: dict[str, dict[str, str]], own: dict[str, dict[str, str]]):
    tagging, own_calls = FakeTagging(bulk), []

    def list_tags(arn: str) -> dict[str, str]:
        own_calls.append(arn)
        return own.get(arn, {})

    return TagReader(FakeModule(tagging), arns, list_tags), tagging, own_calls


def test_one_bulk_call_per_hundred_arns_and_the_own_call_only_for_arns_it_left_out():
    arns = [f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a{n:03}" for n in range(150)]
    bulk = {arn: {"Layer": "observability"} for arn in arns[1:]}
    reader, tagging, own_calls = reader_for(arns, bulk, {arns[0]: {}})

    assert [len(request) for request in tagging.requests] == [100, 50]
    assert all(reader.get(arn) == {"Layer": "observability"} for arn in arns[1:])
    assert reader.get(arns[0]) == {} and own_calls == [arns[0]]  # never tagged: not in GetResources


def test_confirm_reads_the_service_once_and_wins_over_the_bulk_answer():
    arns = ["arn:a", "arn:b"]
    reader, _, own_calls = reader_for(arns, {"arn:a": {"Owner": "stale"}, "arn:b": {}}, {"arn:a": {"Owner": "now"}})

    assert reader.get("arn:a") == {"Owner": "stale"}
    assert reader.confirm("arn:a") == {"Owner": "now"} and reader.get("arn:a") == {"Owner": "now"}
    assert own_calls == ["arn:a"]


def test_a_single_resource_uses_the_service_call_only():
    reader, tagging, own_calls = reader_for(["arn:a"], {"arn:a": {"k": "v"}}, {"arn:a": {"k": "v"}})

    assert reader.get("arn:a") == {"k": "v"}
    assert tagging.requests == [] and own_calls == ["arn:a"]
