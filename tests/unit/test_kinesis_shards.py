"""Unit tests for filter_plugins/kinesis_shards.py: the shard calculator, reshard steps and input checks."""

import pytest
from ansible.errors import AnsibleFilterError

from filter_plugins.kinesis_shards import (
    FilterModule,
    kinesis_reshard_steps,
    kinesis_shard_count,
    kinesis_stream_errors,
)


# --- worked examples (the README shows the first ones) -----------------------------


@pytest.mark.parametrize(
    "mb, records, consumers, headroom, shards, why",
    [
        # README: 0.5 MB/s, 500 rec/s, 2 consumers, 25 %: in 0.625 -> 1, records 625 -> 1, out 0.625 -> 1
        (0.5, 500, 2, 0.25, 1, "everything fits in one shard"),
        # README (prod): 6 MB/s, 5,000 rec/s, 3 consumers: in 7.5 -> 8, records 6.25 -> 7, out 11.25 -> 12
        (6, 5000, 3, 0.25, 12, "reads bound"),
        (3, 1000, 1, 0.25, 4, "ingest bound: 3.75 -> 4"),
        (0.1, 4500, 1, 0.25, 6, "records bound: 5625 rec/s -> 6"),
        (2, 100, 1, 0, 2, "no headroom: 2 MB/s exactly is 2 shards"),
        (0.8, 0, 1, 0.25, 1, "exact arithmetic: 0.8 * 1.25 is exactly 1"),
        (0, 0, 1, 0.25, 1, "at least one shard"),
        (1, 1000, 4, 0.5, 3, "4 consumers of 1 MB/s with 50 %: out 3 -> 3; in 1.5 -> 2"),
        ("2.5", "800", "2", "0.2", 3, "numbers given with -e arrive as strings"),
    ],
)
def test_shard_count_worked_examples(mb, records, consumers, headroom, shards, why):
    assert kinesis_shard_count(mb, records, consumers, headroom) == shards, why


def test_default_headroom_is_25_percent():
    assert kinesis_shard_count(1.6, 0, 1) == 2  # 1.6 * 1.25 = 2.0
    assert kinesis_shard_count(1.61, 0, 1) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        ((-1, 100, 1), "ingest_mb_per_s: must be a number >= 0, got -1"),
        ((1, -5, 1), "records_per_s: must be a number >= 0, got -5"),
        ((1, 100, 0), "consumers: must be a whole number >= 1, got 0"),
        ((1, 100, 1.5), "consumers: must be a whole number >= 1, got 1.5"),
        ((1, 100, 1, -0.1), "headroom: must be a number >= 0"),
        (("lots", 100, 1), "ingest_mb_per_s: must be a number >= 0, got 'lots'"),
        ((None, 100, 1), "ingest_mb_per_s"),
        ((True, 100, 1), "ingest_mb_per_s"),
    ],
)
def test_shard_count_rejects_bad_input(args, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("(", r"\(").replace(".", r"\.")):
        kinesis_shard_count(*args)


# --- reshard steps -----------------------------------------------------------------


@pytest.mark.parametrize(
    "current, target, steps",
    [(1, 4, [2, 4]), (1, 3, [2, 3]), (4, 1, [2, 1]), (8, 3, [4, 3]), (5, 2, [3, 2]), (3, 3, []), (2, 12, [4, 8, 12])],
)
def test_reshard_steps_at_most_double_or_half(current, target, steps):
    assert kinesis_reshard_steps(current, target) == steps
    previous = current
    for count in steps:
        assert count <= previous * 2 and count * 2 >= previous
        previous = count


# --- declarations -------------------------------------------------------------------

GOOD = {"name": "clickstream", "mode": "provisioned", "ingest_mb_per_s": 1, "records_per_s": 500,
        "consumers": 2, "retention_hours": 24, "shard_level_metrics": ["IncomingBytes"], "encryption_key": "data"}


def test_good_declarations_have_no_errors():
    assert kinesis_stream_errors([GOOD, {"name": "audit", "mode": "on_demand"}]) == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ingest_mb_per_s": -1}, "kinesis_streams[clickstream].ingest_mb_per_s: must be a number >= 0, got -1"),
        ({"records_per_s": -10}, "kinesis_streams[clickstream].records_per_s: must be a number >= 0, got -10"),
        ({"consumers": 0}, "kinesis_streams[clickstream].consumers: must be a whole number >= 1, got 0"),
        ({"headroom": -0.5}, "kinesis_streams[clickstream].headroom: must be a number >= 0"),
        ({"retention_hours": 12}, "kinesis_streams[clickstream].retention_hours: AWS accepts 24 to 8760 hours, got 12"),
        ({"retention_hours": 9000}, "retention_hours: AWS accepts 24 to 8760 hours, got 9000"),
        ({"mode": "serverless"}, "kinesis_streams[clickstream].mode: must be one of provisioned, on_demand, got 'serverless'"),
        ({"shard_level_metrics": ["Bytes"]}, "kinesis_streams[clickstream].shard_level_metrics"),
        ({"name": "click stream"}, "kinesis_streams[click stream].name"),
        ({"encryption_key": ""}, "kinesis_streams[clickstream].encryption_key"),
    ],
)
def test_each_broken_rule_names_the_variable(change, message):
    errors = kinesis_stream_errors([dict(GOOD, **change)])
    assert len(errors) == 1 and message in errors[0], errors


def test_duplicate_names_and_non_lists():
    assert kinesis_stream_errors([GOOD, GOOD]) == [
        "kinesis_streams: each stream name must appear once, got clickstream more than once"]
    assert kinesis_stream_errors("clickstream")[0].startswith("kinesis_streams: must be a list")


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"kinesis_shard_count", "kinesis_reshard_steps", "kinesis_stream_errors"}
