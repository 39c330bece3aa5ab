// #/feed?subject_prefix=&kind=assertion,vote&after=N: records as they become durable (GET
// /v1/feed?follow=true, Server-Sent Events read with fetch, sse.js). It starts a few records
// before the end of the log (found by bisecting on the non-streaming feed) unless `after` says
// where; pausing closes the stream and resuming reconnects with Last-Event-ID.

import { get } from "./api.js";
import { fillWith, h } from "./dom.js";
import { fixed, shortId } from "./format.js";
import { links, setParams } from "./router.js";
import { FeedFollower } from "./sse.js";
import { agent, errorBox, idLink, objectView, section, tierBadge, timeOf } from "./ui.js";

const KINDS = ["assertion", "vote", "epoch", "source"];
const SHOWN_MAX = 200; // events kept on the page, newest first
const BACKLOG = 20; // records shown from before the page opened

// The first record after `after` (any kind), or null at the end of the log.
async function firstAfter(after, signal) {
  const page = await get("/v1/feed", { after, limit: 1, kind: KINDS.join(",") }, { signal });
  for (const k of KINDS) {
    const list = page[k + "s"];
    if (list && list.length) return list[0].seq;
  }
  return null;
}

// The seq of the last record in the log, in about 2·log2(n) small requests.
export async function lastSeq(signal) {
  let lo = await firstAfter(0, signal);
  if (lo === null) return 0;
  let step = 64;
  let hi = null;
  while (hi === null) {
    const next = await firstAfter(lo + step, signal);
    if (next === null) hi = lo + step;
    else {
      lo = next;
      step *= 4;
    }
  }
  // A record at lo, none after hi.
  for (;;) {
    const mid = Math.floor((lo + hi) / 2);
    const next = await firstAfter(mid, signal);
    if (next === null) {
      if (mid <= lo) return lo;
      hi = mid;
    } else {
      lo = next;
    }
  }
}

function describe(kind, r) {
  switch (kind) {
    case "assertion":
      return [
        h("a", { href: links.claim(r.subject, r.predicate) }, r.subject + " · " + r.predicate),
        " = ",
        objectView(r.object),
        " ",
        tierBadge(r.source_class),
        " ",
        fixed(r.confidence, 2),
        " by ",
        agent((r.signers || [])[0]),
        " ",
        idLink(r.id),
      ];
    case "vote":
      return [(r.weight > 0 ? "+" : "") + fixed(r.weight, 2) + " on ", idLink(r.assertion_hash), " by ", agent(r.agent_id)];
    case "epoch":
      return ["epoch ", h("strong", {}, r.name || ""), r.supersedes ? [" supersedes ", h("code", {}, shortId(r.supersedes))] : null, " ", h("code", { title: r.id }, shortId(r.id))];
    case "source":
      return ["source ", h("strong", {}, r.title || r.uri || ""), " ", r.source_class ? tierBadge(r.source_class) : null, r.retracted ? " (retracted)" : null];
    default:
      return [kind];
  }
}

export async function mount({ main, route, signal }) {
  document.title = "Live feed · StemeDB console";
  const p = route.params;
  const prefix = p.subject_prefix || "";
  const kinds = (p.kind || "assertion,vote,epoch,source").split(",").filter((k) => KINDS.includes(k));

  const prefixInput = h("input", { id: "feed-prefix", type: "text", value: prefix, autocomplete: "off", spellcheck: "false" });
  const boxes = KINDS.map((k) => h("input", { type: "checkbox", id: "feed-kind-" + k, value: k, checked: kinds.includes(k) }));
  const filter = h(
    "form",
    { class: "controls inline", "aria-label": "Feed filter" },
    h("label", { for: "feed-prefix" }, "Subject prefix"),
    prefixInput,
    h("fieldset", { class: "kinds" }, h("legend", {}, "Kinds"), KINDS.map((k, i) => h("span", { class: "check" }, boxes[i], h("label", { for: "feed-kind-" + k }, k)))),
    h("button", { type: "submit" }, "Apply"),
  );
  filter.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    setParams(route, { subject_prefix: prefixInput.value, kind: chosen.length === KINDS.length ? undefined : chosen.join(","), after: undefined });
  });

  const status = h("p", { class: "feed-status", role: "status", "data-test": "feed-status" }, "Starting…");
  const pauseBtn = h("button", { type: "button", "data-test": "feed-pause" }, "Pause");
  const counter = h("p", { class: "summary", "data-test": "feed-count" });
  const list = h("ol", { class: "feed", "data-test": "feed", reversed: true });
  const events = section("Records, newest first");
  events.body.append(h("div", { class: "row" }, status, pauseBtn), counter, list);
  main.append(
    h("h1", { tabindex: "-1" }, "Live feed"),
    h("p", { class: "lead" }, "Records as the node makes them durable, streamed (Server-Sent Events read with fetch, so the API key goes in a header); a dropped connection resumes after the last record shown, with nothing repeated or skipped."),
    filter,
    events.el,
  );

  let after = p.after !== undefined ? Number(p.after) : null;
  if (after === null || !Number.isSafeInteger(after)) after = Math.max(0, (await lastSeq(signal)) - BACKLOG);
  let received = 0;
  const showCount = (follower) => {
    counter.textContent = received + " record" + (received === 1 ? "" : "s") + " received" +
      (follower.lastEventId !== null ? " · last seq " + follower.lastEventId : " · after seq " + after) +
      (follower.reconnects ? " · " + follower.reconnects + " reconnection" + (follower.reconnects === 1 ? "" : "s") : "");
    counter.dataset.lastSeq = follower.lastEventId === null ? "" : String(follower.lastEventId);
  };
  const path = "/v1/feed?" + new URLSearchParams({ follow: "true", after: String(after), kind: kinds.join(","), ...(prefix ? { subject_prefix: prefix } : {}) }).toString();
  const follower = new FeedFollower(path, {
    onEvent({ seq, kind, record }) {
      received++;
      list.prepend(h("li", { "data-seq": String(seq), "data-kind": kind, "data-id": record.id || "" }, h("span", { class: "seq" }, "#" + seq), " ", h("span", { class: "badge kind-" + kind }, kind), " ", record.ingested_at ? timeOf(record.ingested_at) : null, " ", describe(kind, record)));
      while (list.childElementCount > SHOWN_MAX) list.lastElementChild.remove();
      showCount(follower);
    },
    onStatus(state, detail) {
      status.dataset.state = state;
      if (state === "failed") {
        fillWith(status, errorBox(detail, "The feed stopped."));
        pauseBtn.textContent = "Retry";
        return;
      }
      status.textContent = {
        connecting: "Connecting…",
        live: "Live: new records appear as they are stored.",
        paused: "Paused: the stream is closed; resuming goes on after the last record shown.",
        reconnecting: "Connection lost; reconnecting" + (detail && detail.wait ? " in " + (detail.wait / 1000).toFixed(1) + " s" : "") + "…",
      }[state] || state;
      showCount(follower);
    },
  });
  pauseBtn.addEventListener("click", () => {
    if (follower.running) {
      follower.pause();
      pauseBtn.textContent = "Resume";
    } else {
      follower.resume();
      pauseBtn.textContent = "Pause";
    }
  });
  showCount(follower);
  follower.start();
  signal.addEventListener("abort", () => follower.stop(), { once: true });
  // The page is ready once the stream is open (or has failed).
  await new Promise((resolve) => {
    const check = () => (status.dataset.state === "live" || status.dataset.state === "failed" || signal.aborted ? resolve() : setTimeout(check, 20));
    check();
  });
  return { destroy: () => follower.stop() };
}
