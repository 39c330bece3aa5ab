// Hash routes: #/<page>/<segment>/...?<params>. Each segment is percent-encoded, so a subject
// holding "/" (drugs/semaglutide) stays one segment: #/claim/drugs%2Fsemaglutide/risk?lens=vote.

import { query } from "./api.js";

// {name, parts, params, hash}; name is "" for an empty hash; null parts when a segment's
// percent-encoding is broken.
export function parseHash(hash) {
  const text = (hash || "").replace(/^#\/?/, "");
  const q = text.indexOf("?");
  const path = q < 0 ? text : text.slice(0, q);
  const params = Object.fromEntries(new URLSearchParams(q < 0 ? "" : text.slice(q + 1)));
  const raw = path === "" ? [] : path.split("/");
  let parts;
  try {
    parts = raw.map((p) => decodeURIComponent(p));
  } catch {
    parts = null;
  }
  return { name: parts ? parts[0] || "" : "invalid", parts: parts ? parts.slice(1) : [], params, hash: hash || "" };
}

export function href(name, parts = [], params = {}) {
  return "#/" + [name, ...parts].map((p) => encodeURIComponent(p)).join("/") + query(params);
}

export const links = {
  subjects: (prefix) => href("subjects", [], { prefix }),
  subject: (subject, params) => href("subject", [subject], params),
  claim: (subject, predicate, params) => href("claim", [subject, predicate], params),
  assertion: (id) => href("assertion", [id]),
  feed: (params) => href("feed", [], params),
  node: () => href("node"),
};

// Replaces some parameters of the current route (undefined or "" removes one) and navigates.
export function setParams(route, changes) {
  const params = { ...route.params };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === "") delete params[k];
    else params[k] = String(v);
  }
  window.location.hash = href(route.name, route.parts, params);
}
