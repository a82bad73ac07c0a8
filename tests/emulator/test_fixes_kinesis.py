"""The Kinesis fixes in emulator/fixes/kinesis.py restore documented AWS behaviour.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_kinesis.py
"""

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]


@pytest.fixture
def kinesis(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("kinesis")


def make_stream(kinesis: Any, name: str, shards: int) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def open_shards(kinesis: Any, name: str) -> list[dict[str, Any]]:
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def assert_cover_hash_space(shards: list[dict[str, Any]]) -> None:
    ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                    for s in shards)
    assert ranges[0][0] == 0 and ranges[-1][1] == 2**128 - 1, ranges
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        assert start == end + 1, ranges


# --- resharding_keeps_records_in_closed_parent_shards -----------------------------------

@pytest.mark.parametrize("steps", [[2, 3], [2, 4, 3], [2, 4, 5, 3, 2, 1]])
def test_update_shard_count_opens_the_target_shard_count(kinesis: Any, steps: list[int]) -> None:
    make_stream(kinesis, "reshard", 1)
    for target in steps:
        kinesis.update_shard_count(StreamName="reshard", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        shards = open_shards(kinesis, "reshard")
        assert len(shards) == target, shards
        assert_cover_hash_space(shards)
        summary = kinesis.describe_stream_summary(StreamName="reshard")["StreamDescriptionSummary"]
        assert summary["OpenShardCount"] == target


def test_split_parent_keeps_its_records(kinesis: Any) -> None:
    make_stream(kinesis, "keep", 1)
    kinesis.put_record(StreamName="keep", Data=b"before", PartitionKey="user-1")
    kinesis.update_shard_count(StreamName="keep", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    iterator = kinesis.get_shard_iterator(StreamName="keep", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [b"before"]


def read_all(kinesis: Any, name: str) -> list[bytes]:
    data = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        data.extend(r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"])
    return data


def test_merged_records_are_read_once(kinesis: Any) -> None:
    make_stream(kinesis, "merge", 2)
    sent = [f"record-{i}".encode() for i in range(20)]
    for i, data in enumerate(sent):
        kinesis.put_record(StreamName="merge", Data=data, PartitionKey=f"user-{i}")
    kinesis.update_shard_count(StreamName="merge", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert sorted(read_all(kinesis, "merge")) == sorted(sent)


# --- update_shard_count_allows_at_most_double_or_half -----------------------------------

@pytest.mark.parametrize("current, target", [(1, 3), (2, 5), (4, 1), (5, 2)])
def test_update_shard_count_allows_at_most_double_or_half(kinesis: Any, current: int, target: int) -> None:
    make_stream(kinesis, "limits", current)
    with pytest.raises(ClientError) as error:
        kinesis.update_shard_count(StreamName="limits", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    assert error.value.response["Error"]["Code"] == "LimitExceededException"
    assert len(open_shards(kinesis, "limits")) == current


@pytest.mark.parametrize("current, target", [(1, 2), (3, 6), (4, 2), (5, 3)])
def test_update_shard_count_within_limits_is_accepted(kinesis: Any, current: int, target: int) -> None:
    make_stream(kinesis, "within", current)
    kinesis.update_shard_count(StreamName="within", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    assert len(open_shards(kinesis, "within")) == target


# --- records_go_to_the_open_shard_of_their_hash_key -------------------------------------

def test_records_go_to_the_open_shard_of_their_hash_key(kinesis: Any) -> None:
    make_stream(kinesis, "route", 1)
    kinesis.update_shard_count(StreamName="route", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    shards = {s["ShardId"]: s for s in open_shards(kinesis, "route")}
    for key in ("user-1", "user-2", "user-3", "user-4"):
        put = kinesis.put_record(StreamName="route", Data=b"x", PartitionKey=key)
        assert put["ShardId"] in shards, put
        hash_key = int(hashlib.md5(key.encode()).hexdigest(), 16)
        shard_range = shards[put["ShardId"]]["HashKeyRange"]
        assert int(shard_range["StartingHashKey"]) <= hash_key <= int(shard_range["EndingHashKey"])


def test_ending_hash_key_is_inclusive(kinesis: Any) -> None:
    make_stream(kinesis, "edge", 2)
    last = max(open_shards(kinesis, "edge"), key=lambda s: int(s["HashKeyRange"]["EndingHashKey"]))
    put = kinesis.put_record(StreamName="edge", Data=b"x", PartitionKey="k",
                             ExplicitHashKey=last["HashKeyRange"]["EndingHashKey"])
    assert put["ShardId"] == last["ShardId"]
