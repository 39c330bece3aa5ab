"""The live feed: GET /v1/feed?follow=true, Server-Sent Events, as an iterator.

Each event is one assertion as it becomes durable (``id:`` its seq, ``event: assertion``,
``data:`` the assertion as GET /v1/assertions/{id} returns it); comment lines keep an idle
stream alive every 15 s. When the stream ends (the server restarts or drains, the network
drops, nothing arrives for ``idle_timeout`` seconds) the iterator connects again, sending the
last seq it yielded as ``Last-Event-ID``: the server goes on from there, so nothing is skipped
or repeated. Reconnection waits 0.1 s, doubling up to 5 s, and gives up (raising the last
error) after ``max_reconnects`` attempts in a row without an event (None: never gives up).
"""

import http.client
import json
import socket
import time

from .errors import ApiError, StemeDBError, TransportError
from .results import StoredAssertion


class FeedEvent:
    """One raw Server-Sent Event: its id, event type and data (for events other than assertions)."""

    __slots__ = ("id", "event", "data")

    def __init__(self, id, event, data):
        self.id = id
        self.event = event
        self.data = data

    def __repr__(self):
        return f"FeedEvent(id={self.id!r}, event={self.event!r})"


def parse_events(lines):
    """Server-Sent Events from an iterable of lines (bytes or str, with or without their line
    ends), as the HTML living standard parses them: `field: value`, comments starting with a
    colon, an event dispatched at each blank line. Yields FeedEvent."""
    event_id, event_type, data = None, "", []
    for line in lines:
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        line = line.rstrip("\r\n")
        if not line:
            if data or event_type:
                yield FeedEvent(event_id, event_type or "message", "\n".join(data))
            event_type, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            event_id = value
        # "retry" and unknown fields are ignored: reconnection has its own backoff here.


class FeedStream:
    """Iterates over new assertions (StoredAssertion, with its ``seq``) for as long as the caller
    wants; ``last_event_id`` is the seq of the last one yielded. Use it in a ``with`` block or
    call close() to drop the connection when leaving the loop early."""

    def __init__(self, transport, after=0, subject_prefix=None, last_event_id=None,
                 idle_timeout=45.0, max_reconnects=10, sleep=time.sleep):
        self._transport = transport
        self._after = after
        self._prefix = subject_prefix
        self.last_event_id = None if last_event_id is None else str(last_event_id)
        self.idle_timeout = idle_timeout
        self.max_reconnects = max_reconnects
        self.reconnects = 0  # connections made after the first
        self._sleep = sleep
        self._conn = None
        self._reply = None
        self._closed = False
        self._iter = self._events()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iter)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Drops the connection; the iterator ends."""
        self._closed = True
        self._disconnect()
        try:
            self._iter.close()
        except ValueError:  # closed from another thread while iterating: it ends at its next step
            pass

    def disconnect(self):
        """Drops the current connection only: the next step of the iteration reconnects and
        resumes after ``last_event_id`` (what happens on its own when the network fails)."""
        self._disconnect()

    def _disconnect(self):
        conn, self._conn, self._reply = self._conn, None, None
        if conn is not None:
            try:
                if conn.sock is not None:
                    conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _connect(self):
        headers = {"Cache-Control": "no-cache"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        params = {"follow": True, "after": self._after, "subject_prefix": self._prefix}
        self._conn, self._reply = self._transport.open_stream("/v1/feed", params, headers,
                                                              timeout=self.idle_timeout)

    def _lines(self):
        reply = self._reply
        while reply is not None and not self._closed:
            try:
                line = reply.readline()
            except (OSError, ValueError, AttributeError, http.client.HTTPException):
                return  # timed out, reset, or closed under us: reconnect
            if not line:
                return  # the server ended the stream
            yield line

    def _events(self):
        failures = 0
        last_error = None
        first = True
        while not self._closed:
            if self._reply is None:
                if not first:
                    if self.max_reconnects is not None and failures >= self.max_reconnects:
                        raise last_error or TransportError("the feed stream keeps ending")
                    self._sleep(min(0.1 * 2 ** max(0, failures - 1), 5.0) if failures else 0.0)
                    self.reconnects += 1
                first = False
                try:
                    self._connect()
                except ApiError as e:
                    if e.status not in (429, 503):
                        raise
                    last_error = e
                    failures += 1
                    if e.retry_after is not None:
                        self._sleep(min(e.retry_after, 30.0))
                    continue
                except TransportError as e:
                    last_error = e
                    failures += 1
                    continue
            for event in parse_events(self._lines()):
                if event.event != "assertion":
                    continue
                try:
                    assertion = StoredAssertion.from_json(json.loads(event.data))
                except (ValueError, KeyError, TypeError) as e:
                    raise StemeDBError(f"feed: an event that is not an assertion: {e!r}") from None
                if event.id is not None:
                    self.last_event_id = event.id
                failures = 0
                yield assertion
                if self._closed:
                    return
            self._disconnect()
            failures += 1
            last_error = TransportError("the server ended the feed stream")
