// #/assertion/<id>: one assertion (GET /v1/trace/{id}): its facts, its trace as a graph
// (parents, children, source, epoch chain), its signers with their trust, its votes.

import { get, pool, seg } from "./api.js";
import { h } from "./dom.js";
import { fixed, shortId, timeS } from "./format.js";
import { traceGraph } from "./graph.js";
import { links } from "./router.js";
import { agent, assertionFacts, headRow, idLink, objectView, section, tierBadge, timeOf } from "./ui.js";

export async function mount({ main, route, signal }) {
  const id = route.parts[0] || "";
  document.title = "Assertion " + shortId(id) + " · StemeDB console";
  const crumbs = h("nav", { "aria-label": "Breadcrumb", class: "crumbs" }, h("a", { href: links.subjects() }, "Subjects"));
  main.append(crumbs, h("h1", { tabindex: "-1" }, "Assertion ", h("code", {}, shortId(id))));

  const trace = await get("/v1/trace/" + seg(id), {}, { signal });
  const a = trace.assertion;
  crumbs.append(
    " › ",
    h("a", { href: links.subject(a.subject) }, a.subject),
    " › ",
    h("a", { href: links.claim(a.subject, a.predicate) }, a.predicate),
    " › ",
    h("span", { "aria-current": "page" }, shortId(a.id)),
  );

  // Labels for the graph's nodes: the children shown and the epochs of the chain (bounded).
  const extra = { children: new Map(), epochs: new Map() };
  const epochIds = trace.epoch ? [...(trace.epoch.superseded_by || []).slice(0, 3), ...(trace.epoch.supersedes_chain || []).slice(0, 8)] : [];
  await Promise.all([
    pool((trace.children || []).slice(0, 8), 4, async (cid) => {
      try {
        extra.children.set(cid, await get("/v1/assertions/" + seg(cid), {}, { signal }));
      } catch (e) {
        if (e.name === "AbortError") throw e;
      }
    }),
    pool(epochIds, 4, async (eid) => {
      try {
        extra.epochs.set(eid, await get("/v1/epochs/" + seg(eid), { limit: 1 }, { signal }));
      } catch (e) {
        if (e.name === "AbortError") throw e;
      }
    }),
  ]);

  const claim = section("Claim");
  claim.body.append(
    h(
      "p",
      { class: "claim-line" },
      h("a", { href: links.subject(a.subject) }, a.subject),
      " · ",
      h("a", { href: links.claim(a.subject, a.predicate) }, a.predicate),
      " = ",
      objectView(a.object, { "data-test": "assertion-object" }),
      " ",
      tierBadge(a.source_class),
      " confidence ",
      fixed(a.confidence, 2),
    ),
    assertionFacts(a),
  );

  const graph = section("Trace");
  graph.body.append(
    h("p", { class: "hint" }, "Parents above, children below, the cited source on the left, the epoch and what it supersedes on the right. Assertion nodes open their own page."),
    h("div", { class: "graph-wrap" }, traceGraph(trace, extra)),
  );

  const signers = section("Signers");
  signers.body.append(
    h(
      "table",
      { class: "grid" },
      h("caption", { class: "sr-only" }, "Signers and their trust"),
      headRow(["Agent", "Role", ["Trust", "num"]]),
      h(
        "tbody",
        {},
        (trace.signers || []).map((sg, i) =>
          h("tr", {}, h("td", {}, h("code", { class: "wrap" }, sg.agent_id)), h("td", {}, i === 0 ? "author" : "co-signer"), h("td", { class: "num" }, fixed(sg.trust))),
        ),
      ),
    ),
  );

  const votes = section("Votes");
  const vs = trace.votes || [];
  votes.body.append(
    vs.length
      ? h(
          "table",
          { class: "grid", "data-test": "votes" },
          h("caption", { class: "sr-only" }, "Votes on this assertion"),
          headRow(["Voter", ["Weight", "num"], "Cast (UTC)", ["Seq", "num"], "Vote id"]),
          h(
            "tbody",
            {},
            vs.map((v) =>
              h(
                "tr",
                {},
                h("td", {}, agent(v.agent_id)),
                h("td", { class: "num " + (v.weight < 0 ? "down" : "up") }, (v.weight > 0 ? "+" : "") + fixed(v.weight, 2)),
                h("td", {}, timeS(v.timestamp).replace(" UTC", "")),
                h("td", { class: "num" }, String(v.seq)),
                h("td", {}, h("code", { title: v.id }, shortId(v.id))),
              ),
            ),
          ),
        )
      : h("p", {}, "No votes."),
    h("p", { class: "summary" }, "Net weight " + fixed(a.votes ? a.votes.net_weight : 0, 2) + " over " + (a.votes ? a.votes.count : 0) + " vote(s); a signer's own vote does not count for its claim."),
  );

  main.append(claim.el, graph.el, signers.el, votes.el);
  if (trace.source) {
    const src = section("Source");
    const so = trace.source;
    src.body.append(
      h(
        "dl",
        { class: "facts" },
        [
          ["Id", h("code", { class: "wrap" }, so.id)],
          ["Title", so.title],
          ["URI", so.uri ? h("code", { class: "wrap" }, so.uri) : null],
          ["Class", so.source_class],
          ["Retracted", so.retracted ? "yes" : so.registered === false ? null : "no"],
          ["Registered", so.registered === false ? "no: the claim cites a source the node has not seen" : null],
          ["Stored", so.ingested_at ? timeOf(so.ingested_at) : null],
        ]
          .filter(([, d]) => d !== null && d !== undefined)
          .map(([t, d]) => h("div", {}, h("dt", {}, t), h("dd", {}, d))),
      ),
    );
    main.append(src.el);
  }
  if (trace.parents && trace.parents.length) {
    const p = trace.parents[0];
    graph.body.append(h("p", {}, "Direct parent: ", idLink(p.id), " (", objectView(p.object), ", ", p.lifecycle, ")"));
  }
  return {};
}
