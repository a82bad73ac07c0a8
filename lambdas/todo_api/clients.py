"""AWS clients, made once per container on first use, so warm invocations reuse them.

DynamoDB calls go through DAX when DAX_ENDPOINT is set: amazondax.AmazonDaxClient
has the low-level API of boto3's dynamodb client (get_item, put_item, update_item,
delete_item, query), so the store does not know which one it talks to. Reads are
served from DAX's caches; writes go through DAX to DynamoDB and refresh its item
cache at once (query results are only refreshed by the query TTL).

`factory` is what makes a client; tests replace it (or install a fake amazondax).
"""

import threading

_cache = {}
_lock = threading.Lock()


def default_factory(kind, settings):
    """A new client: kind "dynamodb" (DAX or DynamoDB) or "s3"."""
    region = settings.region or None
    if kind == "dynamodb" and settings.dax_endpoint:
        import amazondax  # noqa: PLC0415 - only in the zip when DAX is used; imported once per container

        return amazondax.AmazonDaxClient(endpoint_url=settings.dax_endpoint, region_name=region)
    import boto3  # noqa: PLC0415 - imported once per container, on first use
    from botocore.config import Config as BotoConfig  # noqa: PLC0415

    if kind == "s3":
        # SigV4 pre-signed URLs (the only kind SSE-KMS objects accept).
        boto_config = BotoConfig(signature_version="s3v4", retries={"mode": "standard", "max_attempts": 3},
                                 connect_timeout=3, read_timeout=5)
        return boto3.client("s3", region_name=region, config=boto_config)
    boto_config = BotoConfig(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5)
    return boto3.client("dynamodb", region_name=region, config=boto_config)


factory = default_factory


def get(kind, settings):
    """The container's client of this kind for these settings (made on first use)."""
    key = (kind, settings.region, settings.dax_endpoint if kind == "dynamodb" else "")
    client = _cache.get(key)
    if client is None:
        with _lock:
            client = _cache.get(key)
            if client is None:
                client = _cache[key] = factory(kind, settings)
    return client


def reset():
    """Forget every client (tests; a changed factory)."""
    with _lock:
        _cache.clear()
