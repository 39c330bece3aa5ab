// An assertion's trace (GET /v1/trace/{id}) as an SVG graph: its parent chain above it, its
// children below, the source it cites on the left, its epoch and the epoch chain on the right.
// Assertion nodes are links to their own page (SVG <a>, reachable with the keyboard).

import { s } from "./dom.js";
import { objectText, shortId } from "./format.js";
import { links } from "./router.js";

const NODE_W = 210;
const NODE_H = 58;
const GAP_Y = 34;
const COL = { left: 16, mid: 285, right: 554 };
const WIDTH = 780;
const MAX_CHILDREN = 8;
const MAX_CHAIN = 8;

let graphCount = 0;

function clip(text, n) {
  text = String(text);
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

function node({ x, y, kind, title, line, sub, href, cls, label }) {
  const g = s("g", { class: "node " + (cls || ""), transform: `translate(${x},${y})` });
  g.append(
    s("title", {}, label),
    s("rect", { width: NODE_W, height: NODE_H, rx: 7, class: "box" }),
    s("text", { x: 10, y: 16, class: "kind" }, kind),
    s("text", { x: 10, y: 34, class: "main" }, clip(line, 28)),
    s("text", { x: 10, y: 50, class: "sub" }, clip(sub || "", 34)),
  );
  if (title) g.dataset.id = title;
  if (!href) return g;
  // The link's name is its visible text (kind, value, stage and id), as WCAG 2.5.3 wants.
  return s("a", { href, class: "node-link" }, g);
}

function edge(svg, from, to, text) {
  // from/to: {x, y} anchor points; a straight arrow with its label at the middle.
  svg.append(s("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: "edge", "marker-end": `url(#${svg.dataset.arrow})` }));
  if (text) {
    svg.append(s("text", { x: (from.x + to.x) / 2 + 6, y: (from.y + to.y) / 2 + 4, class: "edge-label" }, text));
  }
}

function assertionLabel(a) {
  return `${objectText(a.object)} (${a.source_class}, ${a.lifecycle})`;
}

// trace: the route's answer; extra: {children: Map id -> assertion, epochs: Map id -> epoch}
// (details fetched for the nodes shown, when available).
export function traceGraph(trace, extra = { children: new Map(), epochs: new Map() }) {
  const self = trace.assertion;
  const parents = (trace.parents || []).slice(0, MAX_CHAIN).reverse(); // oldest first (top)
  const hiddenParents = (trace.parents || []).length - parents.length;
  const children = (trace.children || []).slice(0, MAX_CHILDREN);
  const hiddenChildren = (trace.children || []).length - children.length;
  const epoch = trace.epoch;
  const chain = epoch && epoch.supersedes_chain ? epoch.supersedes_chain.slice(0, MAX_CHAIN) : [];
  const supersededBy = epoch && epoch.superseded_by ? epoch.superseded_by.slice(0, 3) : [];

  const top = 16 + (hiddenParents > 0 ? 20 : 0);
  const selfRow = Math.max(parents.length, supersededBy.length);
  const selfY = top + selfRow * (NODE_H + GAP_Y);
  const rowsBelow = Math.max(children.length + (hiddenChildren > 0 ? 1 : 0), chain.length);
  const height = selfY + NODE_H + rowsBelow * (NODE_H + GAP_Y) + 24;

  const id = "graph-" + ++graphCount;
  const arrow = id + "-arrow";
  const svg = s(
    "svg",
    { class: "graph", viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "group", "aria-labelledby": id + "-title", "data-test": "trace-graph" },
    s("title", { id: id + "-title" }, `Trace of assertion ${shortId(self.id)}: ${trace.parents.length} parent(s), ${trace.children.length} child(ren)` + (trace.source ? ", a source" : "") + (epoch ? ", an epoch" : "")),
    s("defs", {}, s("marker", { id: arrow, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }))),
  );
  svg.dataset.arrow = arrow;
  const mid = (x) => x + NODE_W / 2;

  // The parent chain: oldest at the top, each an arrow down to the claim that names it.
  if (hiddenParents > 0) svg.append(s("text", { x: COL.mid, y: 14, class: "edge-label" }, `${hiddenParents} older parent(s) not shown`));
  let prevY = null;
  parents.forEach((p, i) => {
    const y = top + (selfRow - parents.length + i) * (NODE_H + GAP_Y);
    svg.append(node({ x: COL.mid, y, kind: "parent", title: p.id, line: objectText(p.object), sub: `${p.lifecycle} · ${shortId(p.id)}`, href: links.assertion(p.id), cls: "parent", label: `parent ${shortId(p.id)}: ${assertionLabel(p)}` }));
    if (prevY !== null) edge(svg, { x: mid(COL.mid), y: prevY + NODE_H }, { x: mid(COL.mid), y }, "parent of");
    prevY = y;
  });
  svg.append(node({ x: COL.mid, y: selfY, kind: "this assertion", title: self.id, line: objectText(self.object), sub: `${self.source_class} · ${self.lifecycle} · ${shortId(self.id)}`, cls: "self", label: `this assertion ${shortId(self.id)}: ${assertionLabel(self)}` }));
  if (prevY !== null) edge(svg, { x: mid(COL.mid), y: prevY + NODE_H }, { x: mid(COL.mid), y: selfY }, "parent of");

  // Children: claims that name this one as their parent (revisions, later stages).
  children.forEach((cid, i) => {
    const y = selfY + (i + 1) * (NODE_H + GAP_Y);
    const c = extra.children.get(cid);
    svg.append(node({ x: COL.mid, y, kind: "child", title: cid, line: c ? objectText(c.object) : shortId(cid), sub: c ? `${c.lifecycle} · ${shortId(cid)}` : "", href: links.assertion(cid), cls: "child", label: `child ${shortId(cid)}` + (c ? ": " + assertionLabel(c) : "") }));
    // A bus on the column's left: from this assertion down to each child.
    svg.append(s("path", { d: `M ${COL.mid} ${selfY + NODE_H - 10} H ${COL.mid - 20} V ${y + NODE_H / 2} H ${COL.mid - 1}`, class: "edge", "marker-end": `url(#${arrow})` }));
  });
  if (children.length) svg.append(s("text", { x: COL.mid + 8, y: selfY + NODE_H + GAP_Y / 2 + 4, class: "edge-label" }, "parent of (children)"));
  if (hiddenChildren > 0) {
    svg.append(s("text", { x: COL.mid, y: selfY + (children.length + 1) * (NODE_H + GAP_Y) + 20, class: "edge-label" }, `and ${hiddenChildren} more child(ren)`));
  }

  // The source it cites.
  if (trace.source) {
    const src = trace.source;
    const registered = src.registered !== false;
    svg.append(node({ x: COL.left, y: selfY, kind: "source" + (src.retracted ? " (retracted)" : ""), title: src.id, line: registered ? src.title || src.uri || shortId(src.id) : "not registered", sub: `${src.source_class || ""} · ${shortId(src.id)}`, cls: src.retracted ? "source retracted" : "source", label: `source ${shortId(src.id)}` + (src.title ? ": " + src.title : "") }));
    edge(svg, { x: COL.mid, y: selfY + NODE_H / 2 }, { x: COL.left + NODE_W, y: selfY + NODE_H / 2 }, null);
    svg.append(s("text", { x: COL.left + NODE_W + 10, y: selfY + NODE_H / 2 - 6, class: "edge-label" }, "cites"));
  }

  // The epoch, what supersedes it (above) and the chain it supersedes (below).
  if (epoch) {
    const e = (eid) => extra.epochs.get(eid);
    svg.append(node({ x: COL.right, y: selfY, kind: "epoch · " + (epoch.status || ""), title: epoch.id, line: epoch.name || shortId(epoch.id), sub: shortId(epoch.id), cls: "epoch " + (epoch.status || ""), label: `epoch ${epoch.name || ""} ${shortId(epoch.id)}, ${epoch.status}` }));
    edge(svg, { x: COL.mid + NODE_W, y: selfY + NODE_H / 2 }, { x: COL.right, y: selfY + NODE_H / 2 }, null);
    svg.append(s("text", { x: COL.mid + NODE_W + 8, y: selfY + NODE_H / 2 - 6, class: "edge-label" }, "in epoch"));
    supersededBy.forEach((sid, i) => {
      const y = selfY - (i + 1) * (NODE_H + GAP_Y);
      const info = e(sid);
      svg.append(node({ x: COL.right, y, kind: "epoch · " + (info ? info.status : "later"), title: sid, line: info ? info.name : shortId(sid), sub: shortId(sid), cls: "epoch", label: `epoch ${info ? info.name : ""} ${shortId(sid)} supersedes it` }));
      edge(svg, { x: mid(COL.right), y: y + NODE_H }, { x: mid(COL.right), y: y + NODE_H + GAP_Y }, "supersedes");
    });
    let prev = selfY;
    chain.forEach((cid, i) => {
      const y = selfY + (i + 1) * (NODE_H + GAP_Y);
      const info = e(cid);
      svg.append(node({ x: COL.right, y, kind: "epoch · " + (info ? info.status : "earlier"), title: cid, line: info ? info.name : shortId(cid), sub: shortId(cid), cls: "epoch superseded", label: `epoch ${info ? info.name : ""} ${shortId(cid)}, superseded` }));
      edge(svg, { x: mid(COL.right), y: prev + NODE_H }, { x: mid(COL.right), y }, "supersedes");
      prev = y;
    });
  }
  return svg;
}
