"""SNS: Publish does not depend on the endpoints it delivers to."""

import logging
from typing import Any

LOG = logging.getLogger(__name__)


def sns_publish_succeeds_when_a_delivery_fails() -> None:
    """Publish returns the message id once SNS has accepted the message; a failing delivery does not fail it.

    AWS: "When you publish a message to a topic, Amazon SNS returns the message ID once it
    has accepted the message; delivery to each subscription is asynchronous", retried per
    the delivery policy, and failed deliveries are reported in delivery status logs or a
    subscription's dead-letter queue, never to the publisher
    (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html,
    https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
    moto 5.2.5 delivers synchronously inside Publish (Subscription.publish): an HTTP(S)
    endpoint that cannot be reached, or a Lambda function it cannot run (no Docker), raises
    and Publish answers HTTP 500, so one HTTPS or Lambda subscription breaks publishing for
    every other subscriber of the topic. The fix logs such a delivery failure and goes on.
    """
    from moto.sns.models import Subscription

    original_publish = Subscription.publish

    def publish(self: Any, *args: Any, **kwargs: Any) -> None:
        if self.protocol == "sqs":
            original_publish(self, *args, **kwargs)  # errors here are the publisher's (e.g. a FIFO group id)
            return
        try:
            original_publish(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any delivery failure, as on AWS
            LOG.warning("SNS delivery to %s %s failed: %s", self.protocol, self.endpoint, error)

    Subscription.publish = publish


FIXES = [sns_publish_succeeds_when_a_delivery_fails]
