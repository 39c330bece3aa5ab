"""Exceptions. Everything the package raises on purpose is a StemeDBError:

- ApiError (and one subclass per HTTP status): the server refused the request. It carries the
  HTTP status, the error ``code`` (``invalid_signature``, ``not_primary``...), the ``message``,
  the JSON path of the offending ``field`` (None when the body as a whole is at fault), the
  server's ``request_id`` (quote it when reading the server's log), ``retry_after`` (seconds,
  on 429 and 503) and, on ``not_primary``, the ``primary``'s URL.
- TransportError: no answer (connection refused, reset, timed out, not HTTP, not JSON).
- ProtocolError: a record that has no canonical encoding (the server would refuse it too).
- KeyFileError: a key file that is unreadable, malformed or readable by others.
- VerificationError: an id or a signature that does not check out.
"""


class StemeDBError(Exception):
    """Base of every error this package raises."""


class ProtocolError(StemeDBError, ValueError):
    """A body that cannot be encoded (the server would refuse it too)."""


class KeyFileError(StemeDBError, ValueError):
    """A key file that cannot be used: unreadable, malformed, or open to other users."""


class VerificationError(StemeDBError):
    """A record whose content id or signatures do not verify."""


class TransportError(StemeDBError, ConnectionError):
    """The server could not be reached, or its answer was not HTTP/JSON."""


class ApiError(StemeDBError):
    """A non-2xx answer: the HTTP status and the error body's code, message, field, request id."""

    def __init__(self, status, code, message, field=None, request_id=None, body=None,
                 retry_after=None, primary=None, method=None, url=None):
        detail = f"HTTP {status} {code}: {message}"
        extras = []
        if field:
            extras.append(f"field: {field}")
        if request_id:
            extras.append(f"request_id: {request_id}")
        if retry_after is not None:
            extras.append(f"retry after {retry_after:g} s")
        if extras:
            detail += " (" + "; ".join(extras) + ")"
        super().__init__(detail)
        self.status = status
        self.code = code
        self.message = message
        self.field = field or None
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        self.primary = primary
        self.method = method
        self.url = url


class BadRequest(ApiError):
    """400: malformed JSON, a wrong type, a missing or unknown member, a bad parameter."""


class Unauthorized(ApiError):
    """401: no API key, or one the server does not know."""


class Forbidden(ApiError):
    """403: the key's role is too low for the route."""


class NotFound(ApiError):
    """404: no such record (``assertion_not_found``...) or route."""


class Conflict(ApiError):
    """409: the request conflicts with the node's state (``journal_failed``...)."""


class PayloadTooLarge(ApiError):
    """413: the body exceeds 1 MiB."""


class UnsupportedMediaType(ApiError):
    """415: the body is not application/json."""


class Unprocessable(ApiError):
    """422: a rule is broken (``string_too_long``, ``invalid_signature``, ``unknown_parent``...)."""


class RateLimited(ApiError):
    """429: the client's rate limit is reached; ``retry_after`` says when to come back."""


class ServiceUnavailable(ApiError):
    """503: ``draining``, ``overloaded``, ``not_primary``, ``replica_behind``...; see ``code``."""


class ServerError(ApiError):
    """500, 507 and any other 5xx but 503."""


_BY_STATUS = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: Unprocessable,
    429: RateLimited,
    503: ServiceUnavailable,
}


def error_class(status):
    """The ApiError subclass for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else ApiError
