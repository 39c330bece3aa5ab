#!/usr/bin/env python3
"""Every method of stemedb.Client against a live stemedb-api, and every protocol vector posted.

    python3 -B clients/python/tests/test_client.py build/release/src/tools/stemedb-api \
        [--cli build/release/src/tools/stemedb] [unittest args]

The test starts the daemon itself (a free loopback port, a temporary data directory, its root
key as the admin key). Subjects are fresh per test, so the tests are independent of each other.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import support  # noqa: E402

import stemedb  # noqa: E402

DAEMON = None
ADMIN_KEY = None
URL = None

A = stemedb.Agent(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
B = stemedb.Agent(bytes(range(32)))
C = stemedb.Agent(bytes(range(32, 64)))


def setUpModule():
    global DAEMON, ADMIN_KEY, URL
    # Rate limiting off: this file counts requests, not tokens (test_resilience.py tests 429).
    DAEMON = support.Daemon(args=["--rate-limit-enabled", "false"])
    ADMIN_KEY = DAEMON.root_key
    URL = DAEMON.url


def tearDownModule():
    if DAEMON is not None:
        DAEMON.close()


def fresh(prefix="test/py"):
    return f"{prefix}/{uuid.uuid4().hex}"


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.db = stemedb.Client(URL, api_key=ADMIN_KEY, timeout=30)
        self.anon = stemedb.Client(URL, timeout=30)  # no key: what any client may do

    def tearDown(self):
        self.db.close()
        self.anon.close()


class VectorsLiveTest(LiveTest):
    """Each vector's request body, posted as it is: the server answers with the vector's id."""

    def test_every_vector_is_accepted_with_its_id_and_reads_back_verified(self):
        document = support.load_vectors()
        seen = set()
        for v in document["vectors"]:  # in file order: each one's references come before it
            with self.subTest(vector=v["name"]):
                kind, body = v["kind"], v["json"]
                if kind == "source":
                    reply = self.db.post(stemedb.Source(**body))
                else:
                    reply = self.db.post(stemedb.SignedRecord(kind, body))
                self.assertEqual(reply.id, v["id"])
                expected = "exists" if v["id"] in seen else "created"
                self.assertEqual(reply.status, expected)
                self.assertEqual(reply.http_status, 201 if expected == "created" else 200)
                seen.add(v["id"])
                if kind == "assertion":
                    read = self.db.get(v["id"])
                    self.assertEqual(read.verify().id, v["id"])
                    self.assertEqual(read.signers, [s["public_key"] for s in v["signers"]])
                elif kind == "epoch":
                    self.assertEqual(self.db.get_epoch(v["id"]).verify().id, v["id"])
                elif kind == "source":
                    self.assertEqual(self.db.get_source(v["id"]).verify().id, v["id"])
        # The vote is on assertion_minimal: the trace lists it, and it verifies there.
        trace = self.db.trace(document["vectors"][0]["id"])
        self.assertEqual([vote.id for vote in trace.votes], [document["vectors"][-1]["id"]])
        self.assertEqual(len(trace.verify()), 2)
        # assertion_all_fields: its parent, epoch (superseding epoch_minimal) and source.
        by_name = {v["name"]: v for v in document["vectors"]}
        full = by_name["assertion_all_fields"]
        trace = self.db.trace(full["id"])
        self.assertEqual([p.id for p in trace.parents], [by_name["assertion_minimal"]["id"]])
        self.assertEqual(trace.source.id, full["json"]["source_hash"].lower())
        self.assertEqual(trace.epoch.id, by_name["epoch_superseding"]["id"])
        self.assertEqual(trace.epoch.supersedes_chain, [by_name["epoch_minimal"]["id"]])
        self.assertEqual(len(trace.verify()), 3)  # the assertion, its parent, its epoch


class WriteTest(LiveTest):
    def test_assert_created_exists_cosigned(self):
        subject = fresh()
        first = self.anon.assert_(A, subject, "p", "rare", 0.9, timestamp=1700000000)
        self.assertEqual((first.status, first.http_status, first.created), ("created", 201, True))
        self.assertIsInstance(first.seq, int)
        self.assertIsInstance(first.ingested_at, int)
        self.assertIsInstance(first.position, int)
        again = self.anon.assert_(A, subject, "p", "rare", 0.9, timestamp=1700000000)
        self.assertEqual((again.status, again.id, again.http_status), ("exists", first.id, 200))
        cosigned = self.anon.assert_([B], subject, "p", "rare", 0.9, timestamp=1700000000)
        self.assertEqual((cosigned.status, cosigned.id), ("cosigned", first.id))
        read = self.anon.get(first.id)
        self.assertEqual(read.signers, [A.agent_id, B.agent_id])
        self.assertEqual(read.verify().signers, (A.agent_id, B.agent_id))
        # cosign(): read back, signed by C, posted again.
        self.assertEqual(self.anon.cosign(first.id, C).status, "cosigned")
        self.assertEqual(len(self.anon.get(first.id).signatures), 3)

    def test_every_object_type_every_field_and_a_datetime(self):
        subject = fresh()
        for value, kind in (("rare", "text"), (96.7, "number"), (3, "number"), (False, "boolean"),
                            (stemedb.Reference("drugs/tirzepatide"), "reference"),
                            (stemedb.Object("text", "explicit"), "text")):
            with self.subTest(value=value):
                w = self.anon.assert_(A, subject, f"p-{kind}-{value}", value, 0.5)
                self.assertEqual(self.anon.get(w.id).object.type, kind)
                self.assertEqual(self.anon.get(w.id).object, stemedb.Object.of(value))
        source = self.anon.source(f"https://example.org/{uuid.uuid4().hex}", content="evidence\n")
        epoch = self.anon.epoch(A, fresh("epoch"))
        parent = self.anon.assert_(A, subject, "full", "x", 0.5)
        when = datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc)
        full = self.anon.assert_(
            [A, B, C], subject, "full", "y", 0.65, timestamp=when, source_hash=source.id.upper(),
            source_class="observational", lifecycle="under_review", epoch=epoch.id, parent_hash=parent.id,
            narrative="Révision:\nsee the report.", valid_from=1672531200,
            valid_until=datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc))
        read = self.anon.get(full.id)
        self.assertEqual((read.timestamp, read.valid_until, read.source_hash, read.lifecycle),
                         (int(when.timestamp()), 1735689599, source.id, "under_review"))
        self.assertEqual((read.epoch, read.parent_hash, read.narrative), (epoch.id, parent.id, "Révision:\nsee the report."))
        self.assertTrue(self.anon.get(parent.id).flags.has_later_stage)

    def test_post_signed_records_and_sources(self):
        claim = stemedb.Assertion(fresh(), "p", "v", 0.5)
        signed = claim.sign(A)
        self.assertEqual(self.anon.post(signed).id, claim.id)
        self.assertEqual(self.anon.post(signed.cosign(B)).status, "cosigned")
        vote = stemedb.Vote(claim.id, 0.25).sign(C)
        self.assertEqual(self.anon.post(vote).id, vote.id)
        epoch = stemedb.Epoch(fresh("epoch"), description="d").sign(A, B)
        self.assertEqual(self.anon.post(epoch).id, epoch.id)
        source = stemedb.Source(f"https://example.org/{uuid.uuid4().hex}", title="T", source_class="expert")
        self.assertEqual(self.anon.post(source).id, source.id)
        with self.assertRaises(stemedb.ProtocolError):
            self.anon.post(claim)  # not signed

    def test_vote(self):
        target = self.anon.assert_(A, fresh(), "p", "v", 0.5)
        w = self.anon.vote(B, target.id, -0.5)
        self.assertEqual(w.status, "created")
        self.assertEqual(self.anon.vote(C, target.id.upper(), 1.0, timestamp=1700000000).status, "created")
        read = self.anon.get(target.id)
        self.assertEqual((read.votes.count, read.votes.net_weight), (2, 0.5))
        trace = self.anon.trace(target.id)
        self.assertEqual({v.agent_id for v in trace.votes}, {B.agent_id, C.agent_id})
        for v in trace.votes:
            self.assertEqual(v.verify().id, v.id)

    def test_epochs_supersede_and_page(self):
        first = self.anon.epoch(A, fresh("epoch"), started_at=1577836800)
        later = [self.anon.epoch([A, B], fresh("epoch"), supersedes=first.id, description=f"n{i}")
                 for i in range(3)]
        refined = self.anon.epoch(A, fresh("epoch"), supersedes=first.id, supersession_type="refines")
        epoch = self.anon.get_epoch(first.id, limit=2)
        self.assertEqual((epoch.status, epoch.superseded_by_count, len(epoch.superseded_by)), ("superseded", 4, 2))
        self.assertIsNotNone(epoch.superseded_by_next_cursor)
        self.assertEqual(sorted(self.anon.superseded_by(first.id, page_size=1)),
                         sorted([e.id for e in later] + [refined.id]))
        self.assertEqual(self.anon.get_epoch(later[0].id).supersession_type, "replaces")
        self.assertEqual(self.anon.get_epoch(refined.id).supersession_type, "refines")
        self.assertEqual(self.anon.get_epoch(later[0].id).status, "current")
        self.assertEqual(self.anon.get_epoch(later[0].id).verify().signers, (A.agent_id, B.agent_id))
        listed = list(self.anon.epochs(page_size=2))
        self.assertLessEqual({first.id, refined.id} | {e.id for e in later}, {e.id for e in listed})
        self.assertEqual([e.id for e in listed], sorted(e.id for e in listed))  # id order
        page = self.anon.epochs_page(limit=1)
        self.assertEqual(len(page), 1)
        self.assertIsNotNone(page.next_cursor)

    def test_sources_and_retraction(self):
        stamp = uuid.uuid4().hex
        with_content = self.anon.source(f"https://example.org/{stamp}", title="Report", source_class="clinical",
                                        content=f"report {stamp}\n")
        bare = self.anon.source(f"https://example.org/{stamp}/page")
        self.assertEqual(self.anon.source(f"https://example.org/{stamp}/page").status, "exists")
        read = self.anon.get_source(with_content.id)
        self.assertEqual((read.content, read.title, read.source_class, read.retracted),
                         (f"report {stamp}\n", "Report", "clinical", False))
        self.assertEqual(read.verify().id, with_content.id)
        self.assertEqual(self.anon.get_source(bare.id).verify().id, bare.id)
        listed = {s.id: s for s in self.anon.sources(page_size=2)}
        self.assertIn(with_content.id, listed)
        self.assertIsNone(listed[with_content.id].content)  # lists leave content out
        with self.assertRaises(stemedb.VerificationError):
            listed[with_content.id].verify()  # ...so its id cannot be checked from them
        self.assertEqual(len(self.anon.sources_page(limit=1)), 1)

        citing = self.anon.assert_(A, fresh(), "p", "v", 0.5, source_hash=with_content.id)
        with self.assertRaises(stemedb.Unauthorized):
            self.anon.retract(with_content.id, "withdrawn")  # admin only
        retracted = self.db.retract(with_content.id, "withdrawn by its authors")
        self.assertEqual((retracted.status, retracted.id), ("retracted", with_content.id))
        self.assertEqual(self.db.retract(with_content.id, "again").status, "exists")
        self.assertTrue(self.anon.get(citing.id).flags.source_retracted)
        source = self.anon.get_source(with_content.id)
        self.assertEqual((source.retracted, source.retraction_reason), (True, "withdrawn by its authors"))

    def test_batch(self):
        subject = fresh()
        good = [stemedb.Assertion(subject, "p", f"v{i}", 0.5).sign(A) for i in range(3)]
        bad = stemedb.Assertion(subject, "p", "bad", 0.5).sign(A)
        bad.body["confidence"] = 0.25  # content changed after signing
        result = self.anon.batch([good[0], bad, good[1].body, good[2]])
        self.assertEqual(len(result), 4)
        self.assertFalse(result.ok)
        self.assertEqual([i.index for i in result], [0, 1, 2, 3])
        self.assertEqual([result[i].id for i in (0, 2, 3)], [g.id for g in good])
        self.assertEqual(result[1].error.code, "invalid_signature")
        # The path in the batch's body (docs/protocol.md says "relative to the item"; the server
        # and its own tests, write_api_test.cpp, use the full path).
        self.assertEqual(result[1].error.field, "assertions[1].signatures[0].signature")
        self.assertEqual([e.index for e in result.errors], [1])
        again = self.anon.batch(good)
        self.assertTrue(again.ok)
        self.assertEqual({i.status for i in again}, {"exists"})
        with self.assertRaises(stemedb.ProtocolError):
            self.anon.batch([])

    def test_batch_over_a_thousand_is_split(self):
        subject = fresh()
        claims = [stemedb.Assertion(subject, "p", f"v{i}", 0.5, timestamp=1700000000 + i).sign(A)
                  for i in range(1001)]
        result = self.anon.batch(claims)
        self.assertTrue(result.ok, result.errors[:3])
        self.assertEqual([i.index for i in result], list(range(1001)))
        self.assertEqual([i.id for i in result], [c.id for c in claims])
        self.assertEqual(self.anon.query(subject, "p").candidates_count, 1001)


class ReadTest(LiveTest):
    def test_trace(self):
        subject = fresh()
        source = self.anon.source(f"https://example.org/{uuid.uuid4().hex}", title="T")
        epoch = self.anon.epoch(A, fresh("epoch"))
        chain = [self.anon.assert_(A, subject, "p", "v", 0.5, lifecycle="proposed", source_hash=source.id,
                                   epoch=epoch.id)]
        for stage in ("under_review", "approved"):
            chain.append(self.anon.assert_(A, subject, "p", "v", 0.5, lifecycle=stage, parent_hash=chain[-1].id,
                                           source_hash=source.id, epoch=epoch.id))
        self.anon.vote(B, chain[-1].id, 1.0)
        trace = self.anon.trace(chain[-1].id)
        self.assertEqual([p.id for p in trace.parents], [chain[1].id, chain[0].id])
        self.assertEqual([p.id for p in self.anon.trace(chain[-1].id, depth=1).parents], [chain[1].id])
        self.assertEqual(self.anon.trace(chain[0].id).children, [chain[1].id])
        self.assertEqual((trace.source.id, trace.source.title, trace.source.registered), (source.id, "T", True))
        self.assertEqual([(s.agent_id, s.trust) for s in trace.signers], [(A.agent_id, 0.5)])
        self.assertEqual([v.agent_id for v in trace.votes], [B.agent_id])
        self.assertEqual((trace.epoch.id, trace.epoch.status), (epoch.id, "current"))
        self.assertEqual(len(trace.verify()), 1 + 2 + 1 + 1)
        unregistered = self.anon.assert_(A, fresh(), "p", "v", 0.5, source_hash="ab" * 32)
        self.assertFalse(self.anon.trace(unregistered.id).source.registered)

    def test_agent(self):
        agent = stemedb.Agent.generate()
        self.anon.assert_(agent, fresh(), "p", "v", 0.5)
        info = self.anon.agent(agent.agent_id)
        self.assertEqual((info.agent_id, info.trust, info.trust_overridden, info.assertions_count),
                         (agent.agent_id, 0.5, False, 1))

    def test_not_found_and_bad_ids(self):
        with self.assertRaises(stemedb.NotFound) as caught:
            self.anon.get("cd" * 32)
        e = caught.exception
        self.assertEqual((e.status, e.code), (404, "assertion_not_found"))
        self.assertTrue(e.request_id)
        with self.assertRaises(stemedb.NotFound):
            self.anon.get_epoch("cd" * 32)
        with self.assertRaises(stemedb.NotFound):
            self.anon.get_source("cd" * 32)
        with self.assertRaises(stemedb.NotFound):
            self.anon.trace("cd" * 32)
        with self.assertRaises(stemedb.ProtocolError):
            self.anon.get("xyz")  # checked before anything is sent


class QueryTest(LiveTest):
    def test_every_lens_and_the_views(self):
        subject = fresh()
        old = 1600000000
        w_rare = self.anon.assert_(A, subject, "risk", "rare", 0.9, source_class="regulatory", timestamp=old)
        self.anon.assert_(B, subject, "risk", "common", 0.6, timestamp=old + 10)
        self.anon.assert_(C, subject, "risk", "common", 0.7, timestamp=old + 20)
        self.anon.vote(B, w_rare.id, -1.0)
        answers = {}
        for lens in stemedb.LENSES:
            with self.subTest(lens=lens):
                answer = self.anon.query(subject, "risk", lens=lens)
                self.assertEqual((answer.lens, answer.subject, answer.predicate), (lens, subject, "risk"))
                self.assertEqual(answer.candidates_count, 3)
                self.assertEqual(len(answer.candidates), 3)
                self.assertEqual(answer.winner.id, answer.candidates[0].id)
                answers[lens] = answer
        self.assertEqual(answers["recency"].winner.object.value, "common")
        self.assertEqual(answers["confidence"].winner.object.value, "rare")
        self.assertEqual(answers["consensus"].winner.object.value, "common")
        self.assertEqual(answers["authority"].winner.object.value, "rare")
        self.assertEqual(answers["vote"].winner.object.value, "common")  # rare voted down to -1
        self.assertEqual(answers["epoch"].inner, "recency")
        self.assertEqual(self.anon.query(subject, "risk", lens="epoch", inner="confidence").inner, "confidence")
        self.assertIsNotNone(answers["authority"].candidates[0].weight)

        # Decay (on by default) has worn the 2020 community claims down: the regulatory claim
        # dominates. Without decay the two values are close: contested.
        self.assertEqual(self.anon.skeptic(subject, "risk").status, "agreed")
        skeptic = self.anon.skeptic(subject, "risk", decay=False)
        self.assertEqual(skeptic.status, "contested")
        self.assertEqual({str(c.object) for c in skeptic.claims}, {"rare", "common"})
        self.assertAlmostEqual(sum(c.share for c in skeptic.claims), 1.0)
        layered = self.anon.layered(subject, "risk")
        self.assertEqual([t.tier for t in layered.tiers], ["regulatory", "community"])
        self.assertTrue(layered.cross_tier_conflict)
        self.assertEqual(layered.winner.object.value, "rare")
        # Decay: a claim from 2020 has lost most of a community claim's confidence by now.
        decayed = self.anon.query(subject, "risk", lens="confidence")
        flat = self.anon.query(subject, "risk", lens="confidence", decay=False)
        community = [c for c in decayed.candidates if c.source_class == "community"]
        self.assertLess(community[0].effective_confidence, community[0].confidence)
        self.assertTrue(all(c.effective_confidence == c.confidence for c in flat.candidates))

    def test_filters(self):
        subject = fresh()
        e1 = self.anon.epoch(A, fresh("epoch"))
        e2 = self.anon.epoch(A, fresh("epoch"), supersedes=e1.id)
        src = self.anon.source(f"https://example.org/{uuid.uuid4().hex}", content=uuid.uuid4().hex)
        early = self.anon.assert_(A, subject, "p", "early", 0.5, epoch=e1.id, valid_from=100, valid_until=200)
        time.sleep(0.02)
        between = datetime.datetime.now(datetime.timezone.utc)
        time.sleep(0.02)
        late = self.anon.assert_(B, subject, "p", "late", 0.6, epoch=e2.id, source_class="expert", valid_from=300)
        cited = self.anon.assert_(C, subject, "p", "cited", 0.7, source_hash=src.id)
        proposed = self.anon.assert_(A, subject, "p", "staged", 0.4)
        rejected = self.anon.assert_(A, subject, "p", "staged", 0.4, lifecycle="under_review", parent_hash=proposed.id)
        rejected = self.anon.assert_(A, subject, "p", "staged", 0.4, lifecycle="rejected", parent_hash=rejected.id)

        def ids(**filters):
            return {c.id for c in self.anon.candidates(subject, "p", **filters)}

        self.assertEqual(ids(), {early.id, late.id, cited.id})  # rejected left out by default
        self.assertEqual(ids(lifecycle="any"), {early.id, late.id, cited.id, rejected.id})
        self.assertEqual(ids(lifecycle="rejected"), {rejected.id})
        self.assertEqual(ids(epoch=e1.id), {early.id})
        self.assertEqual(ids(source_class="expert"), {late.id})
        self.assertEqual(ids(as_of=early.ingested_at), {early.id})
        self.assertEqual(ids(as_of=between), {early.id})
        self.assertEqual(ids(valid_at=150), {early.id, cited.id})
        self.assertEqual(ids(valid_at=350), {late.id, cited.id})
        # The epoch lens drops claims of a superseded epoch.
        self.assertEqual(ids(lens="epoch"), {late.id, cited.id})
        # A retracted source: out of the lenses unless include_retracted, named in warnings.
        self.db.retract(src.id, "withdrawn")
        out = self.anon.query(subject, "p")
        self.assertNotIn(cited.id, {c.id for c in out.candidates})
        self.assertEqual([w.code for w in out.warnings], ["source_retracted"])
        kept = self.anon.query(subject, "p", include_retracted=True)
        self.assertIn(cited.id, {c.id for c in kept.candidates})
        self.assertEqual([w.code for w in kept.warnings], ["retracted_source_included"])
        for view in (self.anon.skeptic, self.anon.layered):
            with self.subTest(view=view.__name__):
                self.assertEqual(view(subject, "p", source_class="expert").candidates_count, 1)
                self.assertEqual(view(subject, "p", epoch=e1.id).candidates_count, 1)
                self.assertEqual(view(subject, "p", as_of=early.ingested_at).candidates_count, 1)
                self.assertEqual(view(subject, "p", valid_at=350).candidates_count, 1)
                self.assertEqual(view(subject, "p", lifecycle="rejected").candidates_count, 1)
                self.assertEqual(view(subject, "p", include_retracted=True, decay=False).candidates_count, 3)

    def test_paging_as_iterators(self):
        subject = fresh()
        for i in range(7):
            self.anon.assert_([A, B, C][i % 3], subject, "p", f"v{i}", 0.1 + i / 10, timestamp=1700000000 + i)
        whole = self.anon.query(subject, "p", lens="confidence", limit=100)
        page = self.anon.query(subject, "p", lens="confidence", limit=3)
        self.assertEqual((len(page.candidates), page.candidates_count), (3, 7))
        self.assertIsNotNone(page.next_cursor)
        second = self.anon.query(subject, "p", lens="confidence", limit=3, cursor=page.next_cursor)
        self.assertEqual([c.id for c in page.candidates + second.candidates], [c.id for c in whole.candidates][:6])
        paged = [c.id for c in self.anon.candidates(subject, "p", lens="confidence", page_size=2)]
        self.assertEqual(paged, [c.id for c in whole.candidates])
        # Without a predicate: one resolution per predicate, pages of predicates.
        for p in ("q1", "q2", "q3"):
            self.anon.assert_(A, subject, p, "x", 0.5)
        first = self.anon.query(subject, limit=2, lens="consensus")
        self.assertIsInstance(first, stemedb.SubjectQueryResult)
        self.assertEqual((first.lens, len(first.resolutions)), ("consensus", 2))
        every = list(self.anon.resolutions(subject, page_size=2, lens="consensus"))
        self.assertEqual([r.predicate for r in every], ["p", "q1", "q2", "q3"])
        self.assertEqual(every[0].candidates_count, 7)

    def test_refused_parameters_name_their_field(self):
        with self.assertRaises(stemedb.BadRequest) as caught:
            self.anon.query(fresh(), "p", lens="majority")
        self.assertEqual((caught.exception.code, caught.exception.field), ("invalid_parameter", "lens"))
        with self.assertRaises(stemedb.BadRequest) as caught:
            self.anon.skeptic(fresh(), "p", lifecycle="finished")
        self.assertEqual(caught.exception.field, "lifecycle")
        with self.assertRaises(stemedb.BadRequest) as caught:
            self.anon.query(fresh(), "p", cursor="not-a-cursor")
        self.assertEqual(caught.exception.code, "invalid_cursor")


class FeedTest(LiveTest):
    def test_pages_and_iterator(self):
        prefix = fresh("feed")
        before = self.anon.assert_(A, fresh("other"), "p", "v", 0.5).seq
        written = [self.anon.assert_(A, f"{prefix}/{i}", "p", "v", 0.5) for i in range(5)]
        page = self.anon.feed_page(before, limit=2, subject_prefix=prefix)
        self.assertEqual([a.id for a in page.assertions], [w.id for w in written[:2]])
        self.assertEqual(page.next_after, written[1].seq)
        every = list(self.anon.feed(before, subject_prefix=prefix, page_size=2))
        self.assertEqual([a.id for a in every], [w.id for w in written])
        self.assertEqual([a.seq for a in every], sorted(a.seq for a in every))
        for a in every:
            a.verify()
        self.assertGreaterEqual(len(list(self.anon.feed(before))), 5)

    def test_predicate_filter(self):
        subject = fresh("feed-predicate")
        before = self.anon.assert_(A, subject, "other", "v", 0.5).seq
        wanted = self.anon.assert_(A, subject, "wanted", "v", 0.5)
        got = list(self.anon.feed(before - 1, predicate="wanted"))
        self.assertEqual([a.id for a in got], [wanted.id])

    def test_follow_streams_and_resumes_with_last_event_id(self):
        prefix = fresh("follow")
        start = self.anon.assert_(A, fresh("other"), "p", "v", 0.5).seq
        first = [self.anon.assert_(A, f"{prefix}/{i}", "p", "v", 0.5) for i in range(3)]
        got = []
        with self.anon.follow(start, subject_prefix=prefix, idle_timeout=10) as stream:
            for a in stream:
                got.append(a)
                if len(got) == 3:
                    break
            self.assertEqual([a.id for a in got], [w.id for w in first])
            self.assertEqual(stream.last_event_id, str(first[-1].seq))
            # The connection drops; the next step reconnects with Last-Event-ID and goes on
            # after the last assertion it yielded: nothing repeated, nothing skipped.
            stream.disconnect()
            second = [self.anon.assert_(A, f"{prefix}/b{i}", "p", "v", 0.5) for i in range(2)]
            got += [next(stream), next(stream)]
            self.assertEqual(stream.reconnects, 1)
            # And new assertions arrive as they become durable.
            timer = threading.Timer(0.3, lambda: self.anon.assert_(A, f"{prefix}/live", "p", "v", 0.5))
            timer.start()
            live = next(stream)
            timer.join()
        self.assertEqual([a.id for a in got], [w.id for w in first + second])
        self.assertEqual(live.subject, f"{prefix}/live")
        live.verify()
        # last_event_id starts a new stream where an old one stopped.
        with self.anon.follow(subject_prefix=prefix, last_event_id=first[0].seq, idle_timeout=10) as stream:
            self.assertEqual(next(stream).id, first[1].id)


class BrowseTest(LiveTest):
    def test_subjects_and_predicates(self):
        prefix = fresh("browse")
        for i in range(3):
            self.anon.assert_(A, f"{prefix}/s{i}", "risk", "v", 0.5)
        self.anon.assert_(A, f"{prefix}/s0", "dose", "v", 0.5)
        self.anon.assert_(A, f"{prefix}/s0", "dose", "w", 0.5)
        self.assertEqual(list(self.anon.subjects(prefix, page_size=2)), [f"{prefix}/s{i}" for i in range(3)])
        page = self.anon.subjects_page(prefix, limit=1)
        self.assertEqual(page.items, [f"{prefix}/s0"])
        self.assertTrue(page.next_cursor)
        counts = list(self.anon.predicates(f"{prefix}/s0", page_size=1))
        self.assertEqual(counts, [stemedb.PredicateCount("dose", 2, False), stemedb.PredicateCount("risk", 1, False)])
        with self.assertRaises(stemedb.NotFound):
            self.anon.predicates_page(f"{prefix}/none")


class ExportTest(LiveTest):
    def test_export_yields_every_record_as_posted(self):
        subject = fresh("export")
        written = self.anon.assert_(A, subject, "p", "v", 0.5)
        records = list(self.db.admin.export())
        mine = [r for r in records if r.get("subject") == subject]
        self.assertEqual(len(mine), 1)
        self.assertEqual(stemedb.verify_record("assertion", mine[0]).id, written.id)
        self.assertTrue(all("seq" not in r for r in records))
        with self.assertRaises(stemedb.ApiError):
            list(self.anon.admin.export())  # an admin key only


class OpsAndAdminTest(LiveTest):
    def test_ops_routes(self):
        health = self.anon.health()
        self.assertEqual((health.status, health.state), ("ok", "serving"))
        self.assertTrue(self.anon.ready())
        role = self.anon.role()
        self.assertEqual((role.role, role.is_primary), ("primary", True))
        healthy, status = self.anon.replica()
        self.assertFalse(healthy)
        self.assertEqual(status["role"], "primary")
        self.assertIn("stemedb_wal", self.anon.metrics())
        self.assertIn("/v1/query", self.anon.openapi()["paths"])

    def test_drain_and_undrain(self):
        drained = self.db.admin.drain()
        try:
            self.assertEqual((drained.state, drained.inflight), ("drained", 0))
            self.assertFalse(self.anon.ready())
            self.assertEqual(self.db.admin.node().state, "drained")
            with stemedb.Client(URL, retries=0) as no_retry:
                with self.assertRaises(stemedb.ServiceUnavailable) as caught:
                    no_retry.assert_(A, fresh(), "p", "v", 0.5)
            self.assertEqual((caught.exception.code, caught.exception.retry_after), ("draining", 5.0))
        finally:
            self.assertEqual(self.db.admin.undrain().state, "serving")
        self.assertTrue(self.anon.ready())

    def test_node_wal_checkpoint_stats_replication_digest(self):
        node = self.db.admin.node()
        self.assertEqual(node.state, "serving")
        self.assertIn("head_offset", node.wal)
        self.assertIn("memory_tier_bytes", node.storage)
        rotated = self.db.admin.rotate_wal()
        self.assertTrue(rotated["sealed"])
        checkpoint_dir = os.path.join(DAEMON.work, f"checkpoint-{uuid.uuid4().hex}")
        self.db.admin.checkpoint(checkpoint_dir)
        self.assertTrue(os.path.isdir(checkpoint_dir))
        with self.assertRaises(stemedb.Conflict):
            self.db.admin.checkpoint(checkpoint_dir)  # exists now
        stats = self.db.admin.storage_stats()
        self.assertGreater(stats["assertions"], 0)
        self.assertEqual(self.db.admin.replication()["role"], "primary")
        digest = self.db.admin.digest()
        self.assertEqual(len(digest["sha256"]), 64)
        same = self.db.admin.digest(offset=digest["offset"], from_offset=digest["from"])
        self.assertEqual(same["sha256"], digest["sha256"])
        with self.assertRaises(stemedb.Conflict) as caught:
            self.db.admin.switchover("s1")
        self.assertEqual(caught.exception.code, "not_clustered")

    def test_keys_and_roles(self):
        created = self.db.admin.create_key("write", name="py-ingest")
        self.assertTrue(created.key)
        self.assertEqual((created.role, created.name), ("write", "py-ingest"))
        listed = {k.key_id: k for k in self.db.admin.keys()}
        self.assertIn(created.key_id, listed)
        self.assertIsNone(listed[created.key_id].key)  # no secrets in lists
        with stemedb.Client(URL, api_key=created.key) as writer:
            self.assertEqual(writer.assert_(A, fresh(), "p", "v", 0.5).status, "created")
            with self.assertRaises(stemedb.Forbidden) as caught:
                writer.admin.node()  # a write key is not an admin key
        self.assertEqual(caught.exception.status, 403)
        with self.assertRaises(stemedb.Unauthorized):
            self.anon.admin.keys()
        self.assertEqual(self.db.admin.revoke_key(created.key_id)["status"], "revoked")
        self.assertTrue({k.key_id: k for k in self.db.admin.keys()}[created.key_id].revoked)
        with self.assertRaises(stemedb.NotFound):
            self.db.admin.revoke_key("no-such-key")
        with self.assertRaises(stemedb.Unprocessable) as caught:
            self.db.admin.create_key("superuser")
        self.assertEqual((caught.exception.code, caught.exception.field), ("invalid_enum", "role"))

    def test_trust(self):
        agent = stemedb.Agent.generate()
        subject = fresh()
        self.anon.assert_(agent, subject, "p", "trusted", 0.5)
        self.anon.assert_(A, subject, "p", "other", 0.5)
        before = self.anon.query(subject, "p", lens="authority")
        result = self.db.admin.set_trust(agent.agent_id, 0.95)
        self.assertEqual((result.trust, result.trust_overridden), (0.95, True))
        info = self.anon.agent(agent.agent_id)
        self.assertEqual((info.trust, info.trust_overridden), (0.95, True))
        after = self.anon.query(subject, "p", lens="authority")
        self.assertEqual(after.winner.object.value, "trusted")
        # Authority weights 0.5 x 0.3 x trust: 0.95 against 0.5 (decay is the same for both).
        self.assertAlmostEqual(after.resolution_confidence, 0.95 / 1.45, places=3)
        self.assertAlmostEqual(before.resolution_confidence, 0.5, places=3)
        self.assertFalse(self.db.admin.clear_trust(agent.agent_id).trust_overridden)
        self.assertEqual(self.anon.agent(agent.agent_id).trust, 0.5)


class ErrorsTest(LiveTest):
    def test_refusals_carry_code_field_and_request_id(self):
        signed = stemedb.Assertion(fresh(), "p", "v", 0.5).sign(A)
        signed.body["timestamp"] += 1
        with self.assertRaises(stemedb.Unprocessable) as caught:
            self.anon.post(signed)
        e = caught.exception
        self.assertEqual((e.status, e.code, e.field), (422, "invalid_signature", "signatures[0].signature"))
        self.assertTrue(e.request_id)
        self.assertIn(e.request_id, str(e))
        self.assertEqual(e.body["error"]["request_id"], e.request_id)
        with self.assertRaises(stemedb.Unprocessable) as caught:
            self.anon.assert_(A, "s" * 513, "p", "v", 0.5)
        self.assertEqual((caught.exception.code, caught.exception.field), ("string_too_long", "subject"))
        with self.assertRaises(stemedb.Unprocessable) as caught:
            self.anon.assert_(A, fresh(), "p", "v", 1.5)
        self.assertEqual((caught.exception.code, caught.exception.field), ("value_out_of_range", "confidence"))
        with self.assertRaises(stemedb.NotFound) as caught:
            self.anon.vote(B, "cd" * 32, 1.0)
        self.assertEqual((caught.exception.code, caught.exception.field), ("assertion_not_found", "assertion_hash"))
        subject = fresh()
        parent = self.anon.assert_(A, subject, "p", "v", 0.5, lifecycle="rejected")
        with self.assertRaises(stemedb.Unprocessable) as caught:
            self.anon.assert_(A, subject, "p", "v", 0.5, lifecycle="approved", parent_hash=parent.id)
        self.assertEqual(caught.exception.code, "invalid_lifecycle_transition")
        with self.assertRaises(stemedb.ProtocolError):
            self.anon.assert_(A, fresh(), "p", float("nan"), 0.5)  # has no encoding: never sent
        raw = self.anon.transport.request("POST", "/v1/assert", data=b'{"subject": NaN}', expect=(400,))
        self.assertEqual(raw.json()["error"]["code"], "malformed_json")

    def test_unreachable_server(self):
        with self.assertRaises(stemedb.TransportError):
            stemedb.Client("http://127.0.0.1:9", timeout=2).health()


class CliKeyFilesTest(LiveTest):
    """Key files made by `stemedb keygen` sign here, and keys saved here sign with the CLI."""

    def setUp(self):
        super().setUp()
        if not support.CLI_BINARY:
            self.skipTest("no stemedb CLI binary (pass --cli PATH)")
        self.dir = tempfile.mkdtemp(prefix="stemedb-cli-keys-")

    def cli(self, *args):
        run = subprocess.run([support.CLI_BINARY, "--server", URL, *args], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run.stdout

    def test_keys_cross_between_the_cli_and_the_package(self):
        path = os.path.join(self.dir, "cli.key")
        self.cli("keygen", path)
        agent = stemedb.Agent.load(path)
        w = self.anon.assert_(agent, fresh(), "p", "from-python", 0.5)
        self.assertEqual(self.anon.get(w.id).signers, [agent.agent_id])

        saved = stemedb.Agent.generate()
        own = os.path.join(self.dir, "py.key")
        saved.save(own)
        subject = fresh()
        out = self.cli("assert", "--key", own, "--subject", subject, "--predicate", "p", "--text", "from-cli",
                       "--confidence", "0.5", "--json")
        answer = json.loads(out)
        read = self.anon.get(answer["id"])
        self.assertEqual(read.signers, [saved.agent_id])
        self.assertEqual(read.verify().signers, (saved.agent_id,))


if __name__ == "__main__":
    sys.exit(support.main())
