#!/usr/bin/env python3
"""The client when the node says "not now" or "not here", against live daemons:

- a standby refuses a write with 503 not_primary naming its primary: the client sends it there,
  once; reads on the standby with a write's position as min_position see that write; a standby
  that is not there yet answers 503 replica_behind, retried after its Retry-After;
- a drained node answers 503 draining with Retry-After: 5, which the client waits out (counted
  here, not slept) and honours, and does not wait for when it exceeds max_retry_wait;
- a rate-limited key gets 429 with Retry-After, which the client waits (really) and retries;
- the live feed survives a restart of the daemon: it reconnects with Last-Event-ID and goes on
  without repeating or skipping an assertion.

    python3 -B clients/python/tests/test_resilience.py build/release/src/tools/stemedb-api
"""

import os
import shutil
import ssl
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import support  # noqa: E402

import stemedb  # noqa: E402

A = stemedb.Agent.generate()
B = stemedb.Agent.generate()


def fresh(prefix="resilience"):
    return f"{prefix}/{uuid.uuid4().hex}"


class StandbyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.primary = support.Daemon(args=["--rate-limit-enabled", "false"])
        cls.standby = support.standby_of(cls.primary, causal_wait_ms=300)
        # Each node's root key is its own configuration; a key created on the primary is a
        # record, which the standby replicates: that one is valid on both.
        with stemedb.Client(cls.primary.url, api_key=cls.primary.root_key) as root:
            cls.key = root.admin.create_key("admin", name="both-nodes").key

        def standby_knows_the_key():
            with stemedb.Client(cls.standby.url, api_key=cls.key, retries=0) as db:
                try:
                    return db.admin.node()
                except stemedb.Unauthorized:
                    return None

        support.wait_until(standby_knows_the_key, what="the standby to replicate the admin key")

    @classmethod
    def tearDownClass(cls):
        cls.standby.close()
        cls.primary.close()

    def test_writes_to_a_standby_go_to_its_primary_once(self):
        redirects = []
        with stemedb.Client(self.standby.url, api_key=self.key,
                            on_redirect=lambda a, b: redirects.append((a, b))) as db:
            self.assertEqual(db.role().role, "standby")
            self.assertEqual(db.role().primary, self.primary.url)
            w = db.assert_(A, fresh(), "p", "v", 0.5)
            self.assertEqual(w.status, "created")
            self.assertEqual(redirects, [(self.standby.url, self.primary.url)])
            # Admin writes are records too: written on the primary.
            key = db.admin.create_key("read", name="via-standby")
            self.assertEqual(len(redirects), 2)
            # Reads stay on the standby; with the write's position it has applied that write.
            read = db.get(w.id, min_position=w.position)
            self.assertEqual(read.id, w.id)
            self.assertEqual(read.verify().id, w.id)
            support.wait_until(lambda: key.key_id in {k.key_id for k in db.admin.keys()},
                               what="the standby to replicate the new key")
            subject = fresh()
            w2 = db.assert_(A, subject, "p", "x", 0.5)
            self.assertEqual(db.query(subject, "p", min_position=w2.position).winner.id, w2.id)
            self.assertEqual(db.skeptic(subject, "p", min_position=w2.position).candidates_count, 1)
            self.assertEqual(db.layered(subject, "p", min_position=w2.position).candidates_count, 1)
            self.assertEqual(db.trace(w2.id, min_position=w2.position).assertion.id, w2.id)
            page = db.feed_page(w.seq, subject_prefix=subject, min_position=w2.position)
            self.assertEqual([a.id for a in page], [w2.id])
            support.wait_until(lambda: db.replica()[0], what="the standby to report itself healthy")

        with stemedb.Client(self.standby.url, follow_primary=False, retries=0) as db:
            with self.assertRaises(stemedb.ServiceUnavailable) as caught:
                db.assert_(A, fresh(), "p", "v", 0.5)
            e = caught.exception
            self.assertEqual((e.code, e.primary, e.retry_after), ("not_primary", self.primary.url, 1.0))
            self.assertTrue(e.request_id)

    def test_replica_behind_is_retried_after_its_retry_after_then_raised(self):
        waits = []
        far = 1 << 40
        with stemedb.Client(self.standby.url, retries=2, sleep=waits.append) as db:
            with stemedb.Client(self.primary.url) as primary:
                w = primary.assert_(A, fresh(), "p", "v", 0.5)
            with self.assertRaises(stemedb.ServiceUnavailable) as caught:
                db.get(w.id, min_position=far)
        e = caught.exception
        self.assertEqual((e.code, e.field, e.retry_after), ("replica_behind", "min_position", 1.0))
        self.assertEqual(waits, [1.0, 1.0])  # two retries, each after Retry-After, then the error


class RetryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Admin requests: a bucket of 2 per key, refilled at 1 a second.
        cls.daemon = support.Daemon(args=["--rate-limit-admin-rps", "1", "--rate-limit-admin-burst", "2"])
        cls.key = cls.daemon.root_key

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def admin_key(self):
        # A key of its own: rate limits are per key, so each test starts with a full bucket.
        with stemedb.Client(self.daemon.url, api_key=self.key) as root:
            return root.admin.create_key("admin").key

    def test_503_draining_waits_for_retry_after(self):
        key = self.admin_key()
        admin = stemedb.Client(self.daemon.url, api_key=key)
        admin.admin.drain()
        waits = []

        def sleep(seconds):  # counts the wait, and ends the drain instead of sleeping
            waits.append(seconds)
            admin.admin.undrain()

        try:
            with stemedb.Client(self.daemon.url, sleep=sleep) as db:
                w = db.assert_(A, fresh(), "p", "v", 0.5)
            self.assertEqual((w.status, waits), ("created", [5.0]))
            # A Retry-After beyond max_retry_wait is not waited for: the error says how long.
            admin.admin.drain()  # (a 429 on the way is waited out: the admin bucket is small)
            waits.clear()
            with stemedb.Client(self.daemon.url, sleep=sleep, max_retry_wait=2) as db:
                with self.assertRaises(stemedb.ServiceUnavailable) as caught:
                    db.assert_(A, fresh(), "p", "v", 0.5)
            self.assertEqual((caught.exception.code, caught.exception.retry_after, waits), ("draining", 5.0, []))
        finally:
            admin.admin.undrain()
            admin.close()

    def test_429_waits_for_retry_after(self):
        key = self.admin_key()
        with stemedb.Client(self.daemon.url, api_key=key, retries=0) as db:
            db.admin.node()
            db.admin.node()
            with self.assertRaises(stemedb.RateLimited) as caught:
                db.admin.node()
        e = caught.exception
        self.assertEqual((e.status, e.code), (429, "rate_limited"))
        self.assertGreaterEqual(e.retry_after, 1.0)
        self.assertTrue(e.request_id)
        retried = []
        with stemedb.Client(self.daemon.url, api_key=key,
                            on_retry=lambda err, wait, n: retried.append((err.status, wait, n))) as db:
            start = time.monotonic()
            self.assertEqual(db.admin.node().state, "serving")
            elapsed = time.monotonic() - start
        self.assertTrue(retried, "the bucket was empty: the first attempt must have been refused")
        self.assertEqual(retried[0][0], 429)
        self.assertGreaterEqual(elapsed, retried[0][1] - 0.05)  # it did wait Retry-After

    def test_follow_resumes_across_a_restart(self):
        prefix = fresh("restart")
        db = stemedb.Client(self.daemon.url)
        before = [db.assert_(A, f"{prefix}/{i}", "p", "v", 0.5) for i in range(2)]
        got = []
        stream = db.follow(subject_prefix=prefix, idle_timeout=10, max_reconnects=50)
        try:
            got += [next(stream), next(stream)]
            # SIGTERM ends the stream; the daemon comes back on the same port and data.
            self.daemon.restart()
            after = [db.assert_(B, f"{prefix}/after{i}", "p", "v", 0.5) for i in range(2)]
            got += [next(stream), next(stream)]
            self.assertGreaterEqual(stream.reconnects, 1)
        finally:
            stream.close()
            db.close()
        self.assertEqual([a.id for a in got], [w.id for w in before + after])


class TlsTest(unittest.TestCase):
    """https:// URLs: the same client over TLS, the feed's stream included."""

    def test_https(self):
        work = tempfile.mkdtemp(prefix="stemedb-tls-")
        try:
            tls = support.self_signed_certificate(work)
            if tls is None:
                self.fail("openssl is missing (scripts/setup.sh installs it)")
            daemon = support.Daemon(args=["--rate-limit-enabled", "false"], tls=tls)
            try:
                context = ssl.create_default_context(cafile=tls[0])
                with stemedb.Client(daemon.url, ssl_context=context) as db:
                    self.assertTrue(daemon.url.startswith("https://"))
                    subject = fresh()
                    w = db.assert_(A, subject, "p", "over-tls", 0.5)
                    self.assertEqual(db.get(w.id).verify().id, w.id)
                    with db.follow(w.seq - 1, subject_prefix=subject, idle_timeout=10) as stream:
                        self.assertEqual(next(stream).id, w.id)
                # Without the certificate's authority the connection is refused, not trusted.
                with stemedb.Client(daemon.url, retries=0) as untrusting:
                    with self.assertRaises(stemedb.TransportError):
                        untrusting.health()
            finally:
                daemon.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(support.main())
