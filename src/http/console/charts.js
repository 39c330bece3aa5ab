// SVG charts built with createElementNS (dom.js s()): sizes are SVG attributes, colours CSS
// classes (c0..c9), never style attributes.

import { s } from "./dom.js";
import { fixed, objectKey, objectText, percent } from "./format.js";

export const PALETTE_SIZE = 10;
let chartCount = 0;

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

// Colours by object, in the order objects are first seen (the skeptic view's ranking), so one
// value keeps its colour across the page's charts and tables.
export function colourMap() {
  const map = new Map();
  return (object) => {
    const key = objectKey(object);
    if (!map.has(key)) map.set(key, map.size % PALETTE_SIZE);
    return "c" + map.get(key);
  };
}

// The skeptic view's claims as horizontal bars of support share, most supported first. Shows
// at most `max` bars; the rest are summed in a last line.
export function supportBars(view, colourOf, max = 12) {
  const claims = view.claims || [];
  const shown = claims.slice(0, max);
  const rest = claims.length - shown.length + Math.max(0, (view.claims_count || 0) - claims.length);
  const row = 46;
  const top = 6;
  const labelW = 170;
  const barW = 440;
  const width = 700;
  const height = top + row * (shown.length + (rest > 0 ? 1 : 0)) + 6;
  const id = "chart-" + ++chartCount;
  const summary = shown.map((c) => objectText(c.object) + " " + percent(c.share)).join(", ");
  const svg = s(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": id, "data-test": "skeptic-bars" },
    s("title", { id }, "Support per claim: " + (summary || "no claims") + (rest > 0 ? `, and ${rest} more` : "")),
  );
  shown.forEach((c, i) => {
    const y = top + i * row;
    const text = objectText(c.object);
    const n = c.assertions_count ?? c.assertions.length;
    const w = Math.max(c.share > 0 ? 2 : 0, Math.round(c.share * barW * 10) / 10);
    const g = s("g", { class: "bar-row", "data-object": text, "data-share": String(c.share), "data-support": String(c.support) });
    g.append(
      s("title", {}, `${text}: share ${percent(c.share)}, support ${fixed(c.support)}, ${n} assertions (${c.tiers.join(", ")})`),
      s("text", { x: labelW - 10, y: y + 17, class: "label", "text-anchor": "end" }, clip(text, 20)),
      s("rect", { x: labelW, y: y + 3, width: barW, height: 18, rx: 3, class: "track" }),
      s("rect", { x: labelW, y: y + 3, width: w, height: 18, rx: 3, class: "bar " + colourOf(c.object) }),
      s("text", { x: labelW + barW + 8, y: y + 17, class: "share" }, percent(c.share)),
      s("text", { x: labelW, y: y + 36, class: "figure" }, `support ${fixed(c.support)} · ${n} assertion${n === 1 ? "" : "s"} · ${c.tiers.join(", ")}`),
    );
    svg.append(g);
  });
  if (rest > 0) {
    svg.append(s("text", { x: labelW, y: top + shown.length * row + 17, class: "figure" }, `and ${rest} more claim${rest === 1 ? "" : "s"} (see the candidates)`));
  }
  return svg;
}

// A strip of the knowledge-time stops: each stop a tick, the chosen one marked. Decorative (the
// slider beside it carries the meaning).
export function timelineStrip(stops, index) {
  const width = 420; // as wide as the slider above it (console.css), so the marks line up
  const height = 26;
  const svg = s("svg", { class: "timeline", viewBox: `0 0 ${width} ${height}`, width, height, "aria-hidden": "true", focusable: "false" });
  const n = stops.length;
  svg.append(s("line", { x1: 8, y1: 13, x2: width - 8, y2: 13, class: "axis" }));
  stops.forEach((stop, i) => {
    const x = n <= 1 ? width / 2 : 8 + ((width - 16) * i) / (n - 1);
    svg.append(s("circle", { cx: x, cy: 13, r: i === index ? 7 : 3.5, class: i === index ? "stop current" : i <= index ? "stop known" : "stop" }));
  });
  return svg;
}
