"""HTTP: requests, errors, retries and the primary redirect, over http.client (standard library).

- A connection is kept alive per thread and per server, and opened again when the server has
  closed it (a request that finds its kept-alive connection closed is sent once more).
- A non-2xx answer becomes an ApiError (its subclass by status) carrying code, message, field,
  request id, Retry-After and, on ``not_primary``, the primary's URL.
- 429 and 503 are retried up to ``retries`` times, each after the answer's Retry-After (or a
  short backoff when it has none). A Retry-After longer than ``max_retry_wait`` is not waited
  for: the error is raised at once, carrying it. Writes are safe to repeat: ids are content
  hashes, so a record stored by an earlier attempt answers ``exists``.
- A 503 ``not_primary`` naming the primary (a standby was asked to write) is sent there once
  (docs/replication.md, "Clients"); ``on_redirect`` is told.
"""

import email.utils
import http.client
import json
import socket
import threading
import time
import urllib.parse

from .errors import ProtocolError, TransportError, error_class

USER_AGENT = "stemedb-python"

# 503 codes after which the request was certainly not carried out (so even a request that is
# not idempotent may be sent again). replication_timeout is not one: the record is durable on the
# primary, and sending it again is right only for content-addressed records.
_NOTHING_DONE_CODES = {"draining", "overloaded", "shutting_down", "admin_busy", "rate_limited",
                       "not_primary", "replica_behind", "too_many_followers", "busy"}


class Response:
    """A 2xx answer (or an expected non-2xx one): status, headers (lower-case names), body."""

    __slots__ = ("status", "headers", "data", "url")

    def __init__(self, status, headers, data, url):
        self.status = status
        self.headers = headers
        self.data = data
        self.url = url

    @property
    def request_id(self):
        return self.headers.get("x-request-id")

    def json(self):
        if not self.data:
            return {}
        try:
            return json.loads(self.data)
        except ValueError:
            raise TransportError(
                f"{self.url}: answered HTTP {self.status} with something that is not JSON: "
                f"{self.data[:200]!r}"
            ) from None

    @property
    def text(self):
        return self.data.decode("utf-8", "replace")


def encode_params(params):
    """A query string from a dict: None left out, booleans as true/false."""
    if not params:
        return ""
    items = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        items.append((name, str(value)))
    return urllib.parse.urlencode(items, quote_via=urllib.parse.quote)


def parse_retry_after(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(int(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def api_error(status, headers, data, method=None, url=None):
    """The ApiError for a non-2xx answer."""
    try:
        body = json.loads(data) if data else None
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    message = error.get("message")
    if message is None:
        message = data.decode("utf-8", "replace")[:500] if data else http.client.responses.get(status, "")
    cls = error_class(status)
    return cls(
        status,
        error.get("code", "http_error"),
        message,
        field=error.get("field") or None,
        request_id=error.get("request_id") or headers.get("x-request-id"),
        body=body,
        retry_after=parse_retry_after(headers.get("retry-after")),
        primary=error.get("primary"),
        method=method,
        url=url,
    )


class _Server:
    """Where requests go: scheme, host, port and a path prefix (a proxy's sub-path)."""

    __slots__ = ("url", "scheme", "host", "port", "prefix")

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http:// or https:// URL: {url!r}")
        self.url = url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")

    @property
    def key(self):
        return (self.scheme, self.host, self.port)


class Transport:
    """Sends requests to one server (and, once per request, to the primary it names)."""

    def __init__(self, base_url, api_key=None, timeout=30.0, retries=3, max_retry_wait=30.0,
                 follow_primary=True, ssl_context=None, sleep=time.sleep, on_redirect=None,
                 on_retry=None, user_agent=USER_AGENT):
        self.server = _Server(base_url)
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.max_retry_wait = max_retry_wait
        self.follow_primary = follow_primary
        self.ssl_context = ssl_context
        self.sleep = sleep
        self.on_redirect = on_redirect
        self.on_retry = on_retry
        self.user_agent = user_agent
        self._local = threading.local()
        self._lock = threading.Lock()
        self._every_thread = []

    # ---- connections

    def _connections(self):
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
            with self._lock:
                self._every_thread.append(conns)
        return conns

    def new_connection(self, server, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        if server.scheme == "https":
            return http.client.HTTPSConnection(server.host, server.port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection(server.host, server.port, timeout=timeout)

    def close(self):
        """Closes the kept-alive connections (every thread's); the next request opens one."""
        with self._lock:
            every, self._every_thread = self._every_thread, []
        for conns in every:
            for conn in list(conns.values()):
                conn.close()
            conns.clear()
        self._local = threading.local()

    def headers(self, extra=None, body=False):
        h = {"Accept": "application/json", "User-Agent": self.user_agent}
        if body:
            h["Content-Type"] = "application/json"
        if self.api_key:
            h["X-API-Key"] = self.api_key
        if extra:
            h.update(extra)
        return h

    def _send_once(self, server, method, target, data, headers, timeout):
        """One exchange on the kept-alive connection; once more on a fresh one if the server had
        closed it meanwhile. Returns (status, headers, body bytes)."""
        conns = self._connections()
        for attempt in (0, 1):
            conn = conns.get(server.key)
            reused = conn is not None
            if conn is None:
                conn = conns[server.key] = self.new_connection(server, timeout)
            else:
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
            try:
                conn.request(method, target, body=data, headers=headers)
                reply = conn.getresponse()
                payload = reply.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady) as e:
                conn.close()
                conns.pop(server.key, None)
                if reused and attempt == 0:
                    continue  # the server closed the idle connection: once more, on a new one
                raise TransportError(f"{server.url}: connection lost: {e!r}") from None
            except socket.timeout:
                conn.close()
                conns.pop(server.key, None)
                raise TransportError(f"{server.url}: no answer within {timeout:g} s") from None
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conns.pop(server.key, None)
                raise TransportError(f"cannot reach the server at {server.url}: {e!r}") from None
            headers_out = {k.lower(): v for k, v in reply.getheaders()}
            if reply.will_close:
                conn.close()
                conns.pop(server.key, None)
            return reply.status, headers_out, payload
        raise AssertionError("unreachable")

    # ---- requests

    def target(self, server, path, params=None):
        query = encode_params(params)
        return server.prefix + path + ("?" + query if query else "")

    def request(self, method, path, params=None, body=None, data=None, expect=(), retry=True,
                idempotent=True, timeout=None, headers=None):
        """Sends a request and returns its Response; raises ApiError for a non-2xx answer whose
        status is not in `expect`. `body` is JSON-encoded; `data` is sent as it is."""
        if body is not None:
            try:
                data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            except ValueError as e:
                raise ProtocolError(f"body: {e} (NaN and infinities are not JSON)") from None
        send_headers = self.headers(headers, body=data is not None)
        timeout = self.timeout if timeout is None else timeout
        server = self.server
        followed = False
        attempt = 0
        while True:
            target = self.target(server, path, params)
            status, reply_headers, payload = self._send_once(server, method, target, data,
                                                             send_headers, timeout)
            url = server.url + target[len(server.prefix):]
            if 200 <= status < 300 or status in expect:
                return Response(status, reply_headers, payload, url)
            error = api_error(status, reply_headers, payload, method, url)
            if (status == 503 and error.code == "not_primary" and error.primary
                    and self.follow_primary and not followed):
                try:
                    primary = _Server(error.primary)
                except ValueError:
                    raise error from None
                if primary.key != server.key:
                    followed = True
                    if self.on_redirect:
                        self.on_redirect(server.url, primary.url)
                    server = primary
                    continue
            if retry and self._should_retry(error, attempt, idempotent):
                wait = error.retry_after if error.retry_after is not None else min(0.25 * 2 ** attempt, 5.0)
                if self.on_retry:
                    self.on_retry(error, wait, attempt + 1)
                self.sleep(wait)
                attempt += 1
                continue
            raise error

    def _should_retry(self, error, attempt, idempotent):
        if error.status not in (429, 503) or attempt >= self.retries:
            return False
        if error.retry_after is not None and error.retry_after > self.max_retry_wait:
            return False  # not waited for: the caller decides, the error says how long
        if not idempotent and error.status == 503 and error.code not in _NOTHING_DONE_CODES:
            return False
        return True

    def open_stream(self, path, params=None, headers=None, timeout=None):
        """Opens a long-lived GET on a connection of its own; returns (connection, response)
        with the headers read. Raises ApiError (after closing) for a non-2xx answer."""
        server = self.server
        target = self.target(server, path, params)
        conn = self.new_connection(server, timeout)
        send = self.headers(headers)
        send["Accept"] = "text/event-stream"
        try:
            conn.request("GET", target, headers=send)
            reply = conn.getresponse()
        except socket.timeout:
            conn.close()
            raise TransportError(f"{server.url}: no answer within {conn.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise TransportError(f"cannot reach the server at {server.url}: {e!r}") from None
        if not 200 <= reply.status < 300:
            try:
                payload = reply.read()
            except (OSError, http.client.HTTPException):
                payload = b""
            conn.close()
            raise api_error(reply.status, {k.lower(): v for k, v in reply.getheaders()}, payload,
                            "GET", server.url + target[len(server.prefix):])
        return conn, reply
