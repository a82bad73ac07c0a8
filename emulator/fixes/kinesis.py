"""Kinesis: resharding with UpdateShardCount (limits, records of closed shards) and records written to open shards."""

from typing import Any


def resharding_keeps_records_in_closed_parent_shards() -> None:
    """UpdateShardCount closes parent shards, which keep their records; child shards start empty.

    AWS: https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html
    ("the parent shards ... are closed ... the data records in them remain accessible until
    they expire"; consumers read a parent to its end, then its children), and
    https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html.
    moto's Stream.update_shard_count splits through Stream.split_shard, which moves the
    parent's records into the children (the parent reads as empty), and merges through
    Stream.merge_shards, which copies both parents' records into the child (a consumer
    reads them twice). This version splits the widest open shard at the middle of its hash
    range until the target is reached, or merges the adjacent pair of open shards with the
    narrowest combined range, and moves no record.
    """
    from moto.kinesis.exceptions import StreamCannotBeUpdatedError
    from moto.kinesis.models import Shard, Stream

    def next_index(stream: Any) -> int:
        return max(shard._shard_id for shard in stream.shards.values()) + 1

    def open_shards(stream: Any) -> list[Any]:
        return sorted((s for s in stream.shards.values() if s.is_open), key=lambda s: s.starting_hash)

    def split(stream: Any, parent: Any) -> None:
        middle = (parent.starting_hash + parent.ending_hash + 1) // 2
        index = next_index(stream)
        for offset, (start, end) in enumerate(((parent.starting_hash, middle - 1), (middle, parent.ending_hash))):
            child = Shard(index + offset, start, end, parent=parent.shard_id)
            stream.shards[child.shard_id] = child
        parent.is_open = False

    def merge(stream: Any, first: Any, second: Any) -> None:
        child = Shard(next_index(stream), first.starting_hash, second.ending_hash,
                      parent=first.shard_id, adjacent_parent=second.shard_id)
        stream.shards[child.shard_id] = child
        first.is_open = second.is_open = False

    def update_shard_count(self: Any, target_shard_count: int) -> None:
        if self.stream_mode.get("StreamMode", "") == "ON_DEMAND":
            raise StreamCannotBeUpdatedError(stream_name=self.stream_name, account_id=self.account_id)
        target = int(target_shard_count)
        while len(open_shards(self)) < target:
            widest = max(open_shards(self), key=lambda s: (s.ending_hash - s.starting_hash, -s.starting_hash))
            split(self, widest)
        while len(open_shards(self)) > target:
            shards = open_shards(self)
            pairs = list(zip(shards, shards[1:]))
            first, second = min(pairs, key=lambda p: (p[1].ending_hash - p[0].starting_hash, p[0].starting_hash))
            merge(self, first, second)
        self.shard_count = target

    Stream.update_shard_count = update_shard_count


def update_shard_count_allows_at_most_double_or_half() -> None:
    """UpdateShardCount refuses a target above double or below half of the open shard count.

    AWS: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
    ("you cannot ... Scale up to more than double your current shard count for a stream;
    Scale down below half your current shard count for a stream"), error
    LimitExceededException. moto accepts any target and stops at double: 1 -> 3 leaves 2
    open shards while OpenShardCount says 3 (so community.aws.kinesis_stream, which asks
    for 1 -> 3 in one call, reshards on every run; on AWS that call fails).
    """
    from moto.core.exceptions import JsonRESTError
    from moto.kinesis.models import Stream

    original = Stream.update_shard_count

    def update_shard_count(self: Any, target_shard_count: int) -> None:
        current = len([s for s in self.shards.values() if s.is_open])
        target = int(target_shard_count)
        if self.stream_mode.get("StreamMode", "") != "ON_DEMAND" and (target > current * 2 or target * 2 < current):
            raise JsonRESTError(
                "LimitExceededException",
                f"UpdateShardCount cannot scale {'up over double' if target > current else 'down below half'} your "
                f"current open shard count. Current open shard count: {current} Target shard count: {target}",
            )
        original(self, target_shard_count)

    Stream.update_shard_count = update_shard_count


def records_go_to_the_open_shard_of_their_hash_key() -> None:
    """PutRecord(s) writes a record to the open shard whose hash key range contains its hash key.

    AWS: https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html ("a partition key
    ... is mapped to a specific shard"; ranges are inclusive: StartingHashKey..EndingHashKey)
    and the resharding guide (after a split or merge, new records go to the child shards).
    moto's Stream.get_shard_for_key looks through every shard, closed ones included, in
    creation order, so after resharding every record still lands in the closed parent; it
    also treats EndingHashKey as exclusive.
    """
    from moto.kinesis.exceptions import InvalidArgumentError
    from moto.kinesis.models import Stream
    from moto.utilities.utils import md5_hash

    def get_shard_for_key(self: Any, partition_key: str, explicit_hash_key: str) -> Any:
        if not isinstance(partition_key, str) or len(partition_key) > 256:
            raise InvalidArgumentError("partition_key")
        if explicit_hash_key:
            if not isinstance(explicit_hash_key, str):
                raise InvalidArgumentError("explicit_hash_key")
            int_key = int(explicit_hash_key)
            if int_key >= 2**128:
                raise InvalidArgumentError("explicit_hash_key")
        else:
            int_key = int(md5_hash(partition_key.encode("utf-8")).hexdigest(), 16)
        for shard in self.shards.values():
            if shard.is_open and shard.starting_hash <= int_key <= shard.ending_hash:
                return shard
        return None

    Stream.get_shard_for_key = get_shard_for_key


FIXES = [
    resharding_keeps_records_in_closed_parent_shards,
    update_shard_count_allows_at_most_double_or_half,
    records_go_to_the_open_shard_of_their_hash_key,
]
