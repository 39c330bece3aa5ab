// Pieces every page uses: sections, error boxes, badges, objects, id links, "more" buttons.

import { dl, h } from "./dom.js";
import { fixed, objectText, shortId, timeMs, timeS } from "./format.js";
import { links } from "./router.js";

let sectionCount = 0;

// A <section> labelled by its <h2>; returns {el, body}.
export function section(title, attrs = {}) {
  const id = "section-" + ++sectionCount;
  const heading = h("h2", { id }, title);
  const body = h("div", { class: "section-body" });
  const el = h("section", { "aria-labelledby": id, ...attrs }, heading, body);
  return { el, body, heading };
}

// An error answer as the server gave it: code, message, field, request id, HTTP status.
export function errorBox(err, context) {
  const box = h("div", { class: "error", role: "alert", "data-test": "error" });
  if (context) box.append(h("p", { class: "error-context" }, context));
  if (err && err.name === "ApiError") {
    box.append(
      h("p", {}, h("strong", { class: "error-code" }, err.code), " ", err.message),
      h(
        "p",
        { class: "error-meta" },
        err.status ? "HTTP " + err.status : "no answer",
        err.field ? " · field " : null,
        err.field ? h("code", {}, err.field) : null,
        err.requestId ? " · request id " : null,
        err.requestId ? h("code", {}, err.requestId) : null,
        err.path ? " · " : null,
        err.path ? h("code", {}, "GET " + err.path) : null,
      ),
    );
  } else {
    box.append(h("p", {}, h("strong", {}, "error"), " ", String((err && err.message) || err)));
  }
  return box;
}

// The conflict score with a level: none (0), low (< 0.5), high (>= 0.5, as the skeptic view's
// "contested"). The exact value rides in data-value.
export function conflictBadge(score, attrs = {}) {
  const level = !(score > 0) ? "none" : score < 0.5 ? "low" : "high";
  return h(
    "span",
    { class: "badge conflict-" + level, "data-value": String(score), title: "conflict score " + score, ...attrs },
    "conflict ",
    h("span", { class: "num" }, fixed(score)),
  );
}

export function statusBadge(status, attrs = {}) {
  return h("span", { class: "badge status-" + status, ...attrs }, status);
}

export function tierBadge(tier) {
  return h("span", { class: "tier tier-" + tier }, tier);
}

// A claim's object; a reference links to the subject it names.
export function objectView(object, attrs = {}) {
  const text = objectText(object);
  const typ = object && object.type !== "text" ? h("span", { class: "obj-type" }, object.type) : null;
  const a = { class: "obj", "data-value": text, ...attrs };
  if (object && object.type === "reference") {
    return h("span", a, h("a", { href: links.subject(text) }, text), " ", typ);
  }
  return h("span", a, text, typ ? " " : null, typ);
}

export function idLink(id, label) {
  return h("a", { href: links.assertion(id), class: "id", title: id }, h("code", {}, label || shortId(id)));
}

export function agent(id) {
  return h("code", { class: "agent", title: id }, shortId(id));
}

export function timeOf(ms) {
  return h("time", { datetime: new Date(ms).toISOString() }, timeMs(ms));
}

// A button that runs an async action once at a time and stays until the action says there is
// nothing more (the action resolves to false).
export function moreButton(label, action) {
  const btn = h("button", { type: "button", class: "more" }, label);
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    try {
      const again = await action();
      if (again === false) btn.remove();
    } finally {
      btn.disabled = false;
      btn.removeAttribute("aria-busy");
    }
  });
  return btn;
}

// A table's header row; a column given as [title, "num"] is right-aligned like its figures.
export function headRow(columns) {
  return h(
    "thead",
    {},
    h("tr", {}, columns.map((c) => (Array.isArray(c) ? h("th", { scope: "col", class: c[1] }, c[0]) : h("th", { scope: "col" }, c)))),
  );
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading" }, text);
}

// The facts of one assertion (GET /v1/assertions/{id}): signers, votes, source, lifecycle, epoch.
export function assertionFacts(a) {
  return dl([
    ["Id", h("code", { class: "wrap" }, a.id)],
    ["Signers", h("ul", { class: "plain" }, (a.signers || []).map((s, i) => h("li", {}, h("code", { class: "wrap" }, s), i === 0 ? " (author)" : "")))],
    ["Votes", (a.votes ? a.votes.count + " vote" + (a.votes.count === 1 ? "" : "s") + ", net weight " + fixed(a.votes.net_weight, 2) : "–")],
    ["Lifecycle", a.lifecycle + (a.flags && a.flags.has_later_stage ? " (a later stage exists)" : "")],
    ["Source class", a.source_class],
    ["Source", a.source_hash ? h("code", { class: "wrap" }, a.source_hash) : null],
    ["Source retracted", a.flags && a.flags.source_retracted ? "yes" : null],
    ["Epoch", a.epoch ? h("code", { class: "wrap" }, a.epoch) : null],
    ["Parent", a.parent_hash ? idLink(a.parent_hash) : null],
    ["Valid", a.valid_from !== undefined || a.valid_until !== undefined ? (a.valid_from !== undefined ? timeS(a.valid_from) : "…") + " – " + (a.valid_until !== undefined ? timeS(a.valid_until) : "…") : null],
    ["Narrative", a.narrative || null],
    ["Claimed", timeS(a.timestamp)],
    ["Stored", a.ingested_at !== undefined ? h("span", {}, timeOf(a.ingested_at), " (seq " + a.seq + ")") : null],
  ]);
}
