// #/claim/<subject>/<predicate>?lens=&inner=&decay=false&lifecycle=&as_of=&valid_at=
//
// One claim and its disagreement: the lens's answer (GET /v1/query, first page of 100
// candidates, "more" pages on with next_cursor), the skeptic view as bars of support (GET
// /v1/skeptic), the layered view by tier (GET /v1/layered), a knowledge-time slider (as_of,
// unix ms) whose stops are the moments the store learned a claim of this pair, and a valid-time
// picker (valid_at, unix s). Changing the lens or a filter keeps the page and reloads only what
// changed (the skeptic and layered views do not depend on the lens).

import { get, seg } from "./api.js";
import { colourMap, supportBars, timelineStrip } from "./charts.js";
import { dl, fillWith, h, srOnly } from "./dom.js";
import { count, fixed, objectKey, parseTimeMs, shortId, timeMs, timeS } from "./format.js";
import { LENSES, LIFECYCLES, filters, lensOf } from "./lenses.js";
import { links, setParams } from "./router.js";
import { agent, assertionFacts, conflictBadge, errorBox, headRow, idLink, moreButton, objectView, section, statusBadge, tierBadge } from "./ui.js";

const PAGE = 100; // candidates per page: a pair of 10,000 shows its first 100, then "more"
const TIMELINE = 100; // the pair's first claims in log order give the slider its early stops

function radio(name, value, label, checked, help) {
  const id = name + "-" + value;
  return h(
    "span",
    { class: "seg" },
    h("input", { type: "radio", name, id, value, checked }),
    h("label", { for: id, title: help }, label),
  );
}

function buildControls(ctx) {
  const lensSet = h(
    "fieldset",
    { class: "lenses" },
    h("legend", {}, "Lens"),
    h("div", { class: "segmented" }, LENSES.map((l) => radio("lens", l.name, l.label, false, l.help))),
  );
  const inner = h(
    "select",
    { id: "inner", name: "inner" },
    LENSES.filter((l) => l.name !== "epoch").map((l) => h("option", { value: l.name }, l.label)),
  );
  const innerWrap = h("span", { class: "inner" }, h("label", { for: "inner" }, "Inner lens"), inner);
  const decay = h("input", { type: "checkbox", id: "decay" });
  const lifecycle = h(
    "select",
    { id: "lifecycle" },
    LIFECYCLES.map((l) => h("option", { value: l }, l === "" ? "all but rejected" : l)),
  );
  const slider = h("input", { type: "range", id: "as-of", min: "0", max: "0", step: "1", value: "0", "aria-describedby": "as-of-out" });
  const sliderOut = h("output", { id: "as-of-out", for: "as-of", "data-test": "as-of-out" });
  const exact = h("input", { id: "as-of-exact", type: "text", inputmode: "numeric", autocomplete: "off", placeholder: "unix ms or 2025-01-01T00:00:00Z" });
  const exactGo = h("button", { type: "button" }, "Set");
  const latest = h("button", { type: "button", "data-test": "as-of-latest" }, "Latest");
  const validAt = h("input", { type: "datetime-local", id: "valid-at", step: "1" });
  const validClear = h("button", { type: "button" }, "Any time");
  const strip = h("div", { class: "strip" });

  const form = h(
    "form",
    { class: "controls", "aria-label": "How to read this claim" },
    lensSet,
    h(
      "div",
      { class: "row" },
      innerWrap,
      h("span", { class: "check" }, decay, h("label", { for: "decay" }, "Confidence decay")),
      h("span", {}, h("label", { for: "lifecycle" }, "Lifecycle"), lifecycle),
    ),
    h(
      "fieldset",
      { class: "time" },
      h("legend", {}, "Knowledge time (as_of): what the store knew then"),
      h("div", { class: "slider" }, h("label", { for: "as-of", class: "sr-only" }, "Knowledge time"), slider, sliderOut),
      strip,
      h("div", { class: "row" }, h("label", { for: "as-of-exact" }, "Exact as_of"), exact, exactGo, latest),
    ),
    h(
      "fieldset",
      { class: "time" },
      h("legend", {}, "Valid time (valid_at): claims whose valid period holds it"),
      h("div", { class: "row" }, h("label", { for: "valid-at" }, "Valid at (UTC)"), validAt, validClear),
    ),
  );
  form.addEventListener("submit", (ev) => ev.preventDefault());
  lensSet.addEventListener("change", (ev) => {
    const lens = ev.target.value;
    setParams(ctx.route, { lens: lens === "recency" ? undefined : lens, inner: lens === "epoch" ? ctx.route.params.inner : undefined });
  });
  inner.addEventListener("change", () => setParams(ctx.route, { inner: inner.value === "recency" ? undefined : inner.value }));
  decay.addEventListener("change", () => setParams(ctx.route, { decay: decay.checked ? undefined : "false" }));
  lifecycle.addEventListener("change", () => setParams(ctx.route, { lifecycle: lifecycle.value }));
  slider.addEventListener("input", () => describeStop(ctx, Number(slider.value)));
  slider.addEventListener("change", () => {
    const stop = ctx.stops[Number(slider.value)];
    setParams(ctx.route, { as_of: stop === undefined || stop === Infinity ? undefined : stop });
  });
  const setExact = () => {
    const ms = parseTimeMs(exact.value);
    if (ms === null) {
      exact.setAttribute("aria-invalid", "true");
      return;
    }
    exact.removeAttribute("aria-invalid");
    setParams(ctx.route, { as_of: ms });
  };
  exactGo.addEventListener("click", setExact);
  exact.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      setExact();
    }
  });
  latest.addEventListener("click", () => setParams(ctx.route, { as_of: undefined }));
  validAt.addEventListener("change", () => {
    const ms = validAt.value ? Date.parse(validAt.value + "Z") : NaN;
    setParams(ctx.route, { valid_at: Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) });
  });
  validClear.addEventListener("click", () => setParams(ctx.route, { valid_at: undefined }));
  return { form, lensSet, inner, innerWrap, decay, lifecycle, slider, sliderOut, exact, validAt, strip };
}

// The slider's stops: every moment (unix ms) the store is known to have learned a claim of this
// pair, ascending, then Infinity ("latest"); the current as_of is always a stop.
function computeStops(ctx) {
  const set = new Set(ctx.moments.values());
  const asOf = ctx.route.params.as_of !== undefined ? Number(ctx.route.params.as_of) : null;
  if (asOf !== null && Number.isFinite(asOf)) set.add(asOf);
  ctx.stops = [...set].sort((a, b) => a - b);
  ctx.stops.push(Infinity);
}

function describeStop(ctx, index) {
  const stop = ctx.stops[index];
  const c = ctx.controls;
  if (stop === Infinity || stop === undefined) {
    c.sliderOut.textContent = "Latest: everything stored";
    c.sliderOut.dataset.asOf = "";
  } else {
    let known = 0;
    for (const t of ctx.moments.values()) if (t <= stop) known++;
    c.sliderOut.textContent = timeMs(stop) + " · " + known + " of the " + ctx.moments.size + " assertions seen here stored by then";
    c.sliderOut.dataset.asOf = String(stop);
  }
  c.slider.setAttribute("aria-valuetext", c.sliderOut.textContent);
  fillWith(c.strip, timelineStrip(ctx.stops, index));
}

function syncControls(ctx) {
  const p = ctx.route.params;
  const c = ctx.controls;
  const lens = lensOf(p);
  for (const input of c.lensSet.querySelectorAll("input")) input.checked = input.value === lens;
  c.innerWrap.hidden = lens !== "epoch";
  c.inner.value = p.inner || "recency";
  c.decay.checked = p.decay !== "false";
  c.lifecycle.value = LIFECYCLES.includes(p.lifecycle) ? p.lifecycle || "" : "";
  c.exact.value = p.as_of || "";
  const validAt = Number(p.valid_at);
  c.validAt.value = p.valid_at && Number.isFinite(validAt) && Math.abs(validAt) < 8.64e12 ? new Date(validAt * 1000).toISOString().slice(0, 19) : "";
  computeStops(ctx);
  const asOf = p.as_of !== undefined ? Number(p.as_of) : Infinity;
  const index = Math.max(0, ctx.stops.indexOf(asOf));
  c.slider.max = String(ctx.stops.length - 1);
  c.slider.value = String(index);
  describeStop(ctx, index);
}

function noteMoments(ctx, list) {
  for (const a of list || []) if (a && a.id && typeof a.ingested_at === "number") ctx.moments.set(a.id, a.ingested_at);
}

// ---- the sections -------------------------------------------------------------------------

function renderAnswer(ctx, a) {
  const lens = LENSES.find((l) => l.name === a.lens);
  const body = ctx.sections.answer.body;
  ctx.sections.answer.heading.textContent = "Answer under the " + a.lens + " lens" + (a.inner ? " (inner: " + a.inner + ")" : "");
  const w = a.winner;
  fillWith(
    body,
    h(
      "div",
      { class: "winner" },
      h("p", { class: "winner-label" }, "Winner"),
      w
        ? h(
            "p",
            { class: "winner-value" },
            objectView(w.object, { "data-test": "winner" }),
            " ",
            tierBadge(w.source_class),
            " ",
            idLink(w.id),
          )
        : h("p", { class: "winner-value", "data-test": "winner" }, "none (no claim passes the filters)"),
    ),
    dl([
      ["Rule", lens ? lens.help : a.lens],
      ["Resolution confidence", h("span", { "data-test": "resolution", "data-value": String(a.resolution_confidence) }, fixed(a.resolution_confidence))],
      ["Conflict score", conflictBadge(a.conflict_score, { "data-test": "conflict" })],
      ["Candidates", h("span", { "data-test": "candidates-count" }, count(a.candidates_count))],
    ]),
    a.warnings && a.warnings.length
      ? h("ul", { class: "warnings", "aria-label": "Warnings" }, a.warnings.map((wn) => h("li", {}, h("code", {}, wn.code), " ", wn.message)))
      : null,
  );
}

function renderSkeptic(ctx, v) {
  const body = ctx.sections.skeptic.body;
  const claims = v.claims_count ?? v.claims.length;
  fillWith(
    body,
    h(
      "p",
      { class: "headline" },
      statusBadge(v.status, { "data-test": "skeptic-status" }),
      " ",
      conflictBadge(v.conflict_score, { "data-test": "skeptic-conflict" }),
      " ",
      count(claims) + " distinct claim" + (claims === 1 ? "" : "s") + " over " + count(v.candidates_count) + " assertions; support is authority weight, each author counted once per claim.",
    ),
    v.claims.length ? supportBars(v, ctx.colourOf) : h("p", {}, "No claim passes the filters."),
  );
}

function renderLayered(ctx, v) {
  const body = ctx.sections.layered.body;
  const overall = v.winner ? objectKey(v.winner.object) : null;
  const rows = v.tiers.map((t) => {
    const differs = v.cross_tier_conflict && t.winner && objectKey(t.winner.object) !== overall;
    return h(
      "tr",
      { class: differs ? "differs" : null, "data-tier": t.tier },
      h("th", { scope: "row" }, tierBadge(t.tier)),
      h(
        "td",
        {},
        t.winner ? h("span", { class: "swatch " + ctx.colourOf(t.winner.object), "aria-hidden": "true" }) : null,
        t.winner ? objectView(t.winner.object) : "none",
        differs ? h("span", { class: "differs-mark", title: "differs from the overall winner" }, " ≠", srOnly(" differs from the overall winner")) : null,
      ),
      h("td", { class: "num" }, fixed(t.resolution_confidence)),
      h("td", {}, conflictBadge(t.conflict_score)),
      h("td", { class: "num" }, count(t.candidates_count)),
    );
  });
  fillWith(
    body,
    h(
      "p",
      { class: "headline" },
      v.cross_tier_conflict
        ? h("span", { class: "badge cross-tier", "data-test": "cross-tier", "data-value": "true" }, "cross-tier conflict")
        : h("span", { class: "badge status-agreed", "data-test": "cross-tier", "data-value": "false" }, "tiers agree"),
      " Overall winner (the most authoritative tier's): ",
      v.winner ? objectView(v.winner.object, { "data-test": "layered-winner" }) : "none",
    ),
    v.tiers.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid", "data-test": "layered" },
            h("caption", {}, "Each tier resolved alone with the authority lens, most authoritative first"),
            headRow(["Tier", "Winner", ["Resolution", "num"], "Conflict", ["Assertions", "num"]]),
            h("tbody", {}, rows),
          ),
        )
      : null,
  );
}

const COLUMNS = [["#", "num"], "Object", "Tier", "Lifecycle", ["Confidence → effective", "num"], ["Weight", "num"], ["Net votes", "num"], "Signers", "Epoch", "Source", "Claimed (UTC)", "Stored (UTC)", "Details"];

// "2025-01-01 00:00:00.000 UTC" as a date over a time, to keep the table narrow.
function stamp(text) {
  const [date, time] = text.replace(" UTC", "").split(" ");
  return h("td", { class: "stamp" }, h("span", {}, date), " ", h("span", {}, time || ""));
}

function candidateRow(ctx, c, rank) {
  const detailsId = "cand-" + c.id.slice(0, 16);
  const toggle = h("button", { type: "button", class: "small", "aria-expanded": "false", "aria-controls": detailsId }, "Show", srOnly(" details of " + shortId(c.id)));
  const row = h(
    "tr",
    { "data-id": c.id, class: c.counted === false ? "uncounted" : null },
    h("td", { class: "num" }, String(rank)),
    h("td", {}, h("span", { class: "swatch " + ctx.colourOf(c.object), "aria-hidden": "true" }), objectView(c.object), " ", idLink(c.id)),
    h("td", {}, tierBadge(c.source_class)),
    h("td", {}, c.lifecycle),
    h("td", { class: "num" }, fixed(c.confidence, 2) + " → " + fixed(c.effective_confidence)),
    h("td", { class: "num" }, c.weight !== undefined ? fixed(c.weight) : "–", c.counted === false ? h("span", { class: "note" }, "not counted") : null),
    h("td", { class: "num" }, fixed(c.net_votes, 2)),
    h("td", {}, agent(c.author), c.signers_count > 1 ? " +" + (c.signers_count - 1) : null),
    h("td", {}, c.epoch ? h("code", { title: c.epoch }, shortId(c.epoch)) : "–"),
    h("td", {}, c.source_hash ? h("code", { title: c.source_hash }, shortId(c.source_hash)) : "–", c.source_retracted ? h("span", { class: "badge status-contested" }, "retracted") : null),
    stamp(timeS(c.timestamp)),
    stamp(timeMs(c.ingested_at)),
    h("td", {}, toggle),
  );
  toggle.addEventListener("click", async () => {
    const open = toggle.getAttribute("aria-expanded") === "true";
    const next = row.nextElementSibling;
    if (open) {
      if (next && next.id === detailsId) next.remove();
      toggle.setAttribute("aria-expanded", "false");
      toggle.firstChild.textContent = "Show";
      return;
    }
    const cell = h("td", { colspan: String(COLUMNS.length) }, "Loading…");
    row.after(h("tr", { id: detailsId, class: "details" }, cell));
    toggle.setAttribute("aria-expanded", "true");
    toggle.firstChild.textContent = "Hide";
    try {
      const a = await get("/v1/assertions/" + seg(c.id));
      fillWith(cell, assertionFacts(a));
    } catch (e) {
      fillWith(cell, errorBox(e));
    }
  });
  return row;
}

function renderCandidates(ctx, a, params) {
  const body = ctx.sections.candidates.body;
  const tbody = h("tbody");
  let shown = 0;
  const summary = h("p", { class: "summary", "data-test": "candidates-summary" });
  const showSummary = () => {
    const listedMax = a.candidates_listed_max;
    summary.textContent =
      "Ranked by the " + a.lens + " lens, winner first: " + count(shown) + " of " + count(a.candidates_count) + " shown" +
      (listedMax && a.candidates_count > listedMax ? " (the ranking is listed to a depth of " + count(listedMax) + ")" : "") + ".";
  };
  const add = (list) => {
    const frag = document.createDocumentFragment();
    for (const c of list) frag.append(candidateRow(ctx, c, ++shown));
    tbody.append(frag);
    showSummary();
  };
  add(a.candidates);
  fillWith(
    body,
    summary,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid candidates", "data-test": "candidates" },
        h("caption", { class: "sr-only" }, "Candidates"),
        headRow(COLUMNS),
        tbody,
      ),
    ),
  );
  if (a.next_cursor) {
    let cursor = a.next_cursor;
    body.append(
      moreButton("Show " + PAGE + " more candidates", async () => {
        const next = await get("/v1/query", { ...params, limit: PAGE, cursor }, { signal: ctx.signal });
        noteMoments(ctx, next.candidates);
        add(next.candidates);
        cursor = next.next_cursor;
        return Boolean(cursor);
      }),
    );
  }
}

// ---- loading -------------------------------------------------------------------------------

async function render(ctx, signal) {
  ctx.signal = signal;
  const p = ctx.route.params;
  const lens = lensOf(p);
  const base = { subject: ctx.subject, predicate: ctx.predicate, ...filters(p) };
  const params = { ...base, lens, inner: lens === "epoch" ? p.inner : undefined };
  const viewKey = new URLSearchParams(Object.entries(base).filter(([, v]) => v !== undefined)).toString();
  if (ctx.viewKey !== viewKey) {
    ctx.viewKey = viewKey;
    ctx.views = Promise.all([get("/v1/skeptic", base, { signal }), get("/v1/layered", base, { signal })]);
    ctx.views.catch(() => {
      ctx.viewKey = null; // try again next time
    });
  }
  syncControls(ctx);
  // Opened with an as_of, the candidates shown are only those known then: the slider's stops
  // need the pair's timeline before the page is drawn.
  if (p.as_of !== undefined && ctx.moments.size === 0) loadTimeline(ctx);
  const [answer, views, timeline] = await Promise.allSettled([get("/v1/query", { ...params, limit: PAGE }, { signal }), ctx.views, ctx.timeline]);
  for (const r of [answer, views]) if (r.status === "rejected" && r.reason && r.reason.name === "AbortError") throw r.reason;
  if (timeline.status === "fulfilled") noteMoments(ctx, timeline.value);
  if (answer.status === "fulfilled") noteMoments(ctx, answer.value.candidates);
  // Colours follow the skeptic ranking (most supported first), then whatever else appears.
  ctx.colourOf = colourMap();
  if (views.status === "fulfilled") for (const c of views.value[0].claims) ctx.colourOf(c.object);

  if (answer.status === "fulfilled") {
    renderAnswer(ctx, answer.value);
    renderCandidates(ctx, answer.value, params);
  } else {
    fillWith(ctx.sections.answer.body, errorBox(answer.reason));
    fillWith(ctx.sections.candidates.body);
  }
  if (views.status === "fulfilled") {
    renderSkeptic(ctx, views.value[0]);
    renderLayered(ctx, views.value[1]);
  } else {
    fillWith(ctx.sections.skeptic.body, errorBox(views.reason));
    fillWith(ctx.sections.layered.body);
  }
  syncControls(ctx); // the stops now include the moments just learned
  // More candidates than one page: the first page (ranked by the lens) may miss the early
  // moments; the timeline adds them once the page is drawn.
  if (!ctx.timeline && answer.status === "fulfilled" && answer.value.next_cursor) {
    loadTimeline(ctx).then((list) => {
      if (ctx.mountSignal.aborted) return;
      noteMoments(ctx, list);
      syncControls(ctx);
    });
  }
}

// The pair's first claims in log order (the feed, filtered to this predicate): their ingestion
// moments are the slider's early stops, whatever page of candidates is shown. Asked for once.
function loadTimeline(ctx) {
  if (!ctx.timeline) {
    ctx.timeline = get("/v1/feed", { subject_prefix: ctx.subject, predicate: ctx.predicate, kind: "assertion", limit: TIMELINE }, { signal: ctx.mountSignal })
      .then((page) => (page.assertions || []).filter((a) => a.subject === ctx.subject))
      .catch(() => []);
  }
  return ctx.timeline;
}

export async function mount({ main, route, signal }) {
  const [subject = "", predicate = ""] = route.parts;
  document.title = subject + " · " + predicate + " · StemeDB console";
  const ctx = {
    route,
    subject,
    predicate,
    moments: new Map(), // assertion id -> ingested_at (ms)
    stops: [Infinity],
    viewKey: null,
    views: null,
    signal,
    mountSignal: signal, // the page's lifetime (an update's signal ends with the next update)
    colourOf: colourMap(),
  };
  ctx.timeline = null; // asked for when needed (loadTimeline)
  ctx.controls = buildControls(ctx);
  ctx.sections = {
    answer: section("Answer"),
    skeptic: section("Skeptic view: support per claim"),
    layered: section("Layered view: by tier"),
    candidates: section("Candidates"),
  };
  ctx.sections.answer.el.classList.add("answer");
  main.append(
    h(
      "nav",
      { "aria-label": "Breadcrumb", class: "crumbs" },
      h("a", { href: links.subjects() }, "Subjects"),
      " › ",
      h("a", { href: links.subject(subject) }, subject),
      " › ",
      h("span", { "aria-current": "page" }, predicate),
    ),
    h("h1", { tabindex: "-1" }, h("span", { class: "subject" }, subject), " ", h("span", { class: "predicate" }, predicate)),
    ctx.controls.form,
    h("div", { class: "columns" }, ctx.sections.answer.el, ctx.sections.skeptic.el),
    ctx.sections.layered.el,
    ctx.sections.candidates.el,
  );
  await render(ctx, signal);
  return {
    update(next, nextSignal) {
      ctx.route = next;
      return render(ctx, nextSignal);
    },
  };
}
