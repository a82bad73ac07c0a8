"""The one exception the routes raise to answer with an HTTP error."""


class ApiError(Exception):
    """An HTTP error answer: status code and a message safe to show the caller."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def bad_request(message):
    return ApiError(400, message)


def not_found(message="not found"):
    return ApiError(404, message)
