"""module_utils/create_once.py: a create that AWS does not make idempotent is sent once; it is sent
again only when AWS refused it (throttling) or when its answer was lost and find() sees nothing."""

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from ansible.module_utils import create_once as once


def refusal(code, status):
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "CreateKey")


def lost_answer():
    return ConnectionClosedError(endpoint_url="https://aws.example")


class Creates:
    """A create() that raises or returns the given answers in turn, counting its calls."""

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), 0

    def __call__(self):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Finds:
    def __init__(self, found):
        self.found, self.calls = found, 0

    def __call__(self):
        self.calls += 1
        return self.found


@pytest.fixture
def sleeps():
    return []


def test_a_throttled_create_is_sent_again_without_a_look_up(sleeps):
    create, find = Creates(refusal("ThrottlingException", 400), {"id": "k1"}), Finds({"id": "other"})

    assert once.create_once(create, find, sleep=sleeps.append) == {"id": "k1"}
    assert create.calls == 2 and find.calls == 0
    assert len(sleeps) == 1


def test_a_lost_answer_is_looked_up_and_never_sent_again_when_found(sleeps):
    create, find = Creates(lost_answer(), {"id": "second copy"}), Finds({"id": "made"})

    assert once.create_once(create, find, sleep=sleeps.append) == {"id": "made"}
    assert create.calls == 1 and find.calls == 1


def test_a_5xx_answer_counts_as_lost(sleeps):
    create, find = Creates(refusal("InternalFailure", 500)), Finds({"id": "made"})

    assert once.create_once(create, find, sleep=sleeps.append) == {"id": "made"}
    assert create.calls == 1


def test_a_lost_answer_with_nothing_found_is_created_again(sleeps):
    create, find = Creates(lost_answer(), {"id": "k1"}), Finds(None)

    assert once.create_once(create, find, sleep=sleeps.append) == {"id": "k1"}
    assert create.calls == 2
    assert find.calls == once.FIND_ATTEMPTS  # reads are eventually consistent: looked up more than once


def test_a_refusal_is_raised_at_once(sleeps):
    create, find = Creates(refusal("ValidationException", 400)), Finds({"id": "made"})

    with pytest.raises(ClientError, match="ValidationException"):
        once.create_once(create, find, sleep=sleeps.append)
    assert create.calls == 1 and find.calls == 0 and sleeps == []


def test_the_last_error_is_raised_when_every_attempt_fails(sleeps):
    create = Creates(*[refusal("ThrottlingException", 400)] * once.ATTEMPTS)

    with pytest.raises(ClientError, match="ThrottlingException"):
        once.create_once(create, Finds(None), sleep=sleeps.append)
    assert create.calls == once.ATTEMPTS


def test_the_client_never_resends():
    made = {}

    class Module:
        def client(self, service, **params):
            made.update(params, service=service)

    once.no_resend_client(Module(), "kms")

    assert made["service"] == "kms"
    assert made["config"].retries == {"total_max_attempts": 1, "mode": "standard"}
