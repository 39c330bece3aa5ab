// #/subject/<subject>?lens=L&decay=false: a subject's predicates (GET
// /v1/subjects/{subject}/predicates, 50 a page), each with its winner under the lens and a
// conflict badge (GET /v1/query, limit=1, six at a time).

import { get, pool, seg } from "./api.js";
import { fillWith, h } from "./dom.js";
import { count, fixed } from "./format.js";
import { LENSES, filters, lensOf } from "./lenses.js";
import { links, setParams } from "./router.js";
import { conflictBadge, errorBox, headRow, moreButton, objectView, section } from "./ui.js";

const PAGE = 50;

function controls(route) {
  const lens = lensOf(route.params);
  const select = h("select", { id: "subject-lens", name: "lens" }, LENSES.map((l) => h("option", { value: l.name, selected: l.name === lens }, l.label)));
  select.addEventListener("change", () => setParams(route, { lens: select.value === "recency" ? undefined : select.value }));
  const decay = h("input", { id: "subject-decay", type: "checkbox", checked: route.params.decay !== "false" });
  decay.addEventListener("change", () => setParams(route, { decay: decay.checked ? undefined : "false" }));
  return h(
    "form",
    { class: "controls inline", "aria-label": "Lens" },
    h("label", { for: "subject-lens" }, "Lens"),
    select,
    h("span", { class: "check" }, decay, h("label", { for: "subject-decay" }, "Confidence decay")),
  );
}

export async function mount({ main, route, signal }) {
  const subject = route.parts[0] || "";
  const lens = lensOf(route.params);
  document.title = subject + " · StemeDB console";
  const table = h(
    "table",
    { class: "grid", "data-test": "predicates" },
    h("caption", {}, "Predicates of ", h("q", {}, subject), ", winners under the ", lens, " lens"),
    headRow(["Predicate", ["Assertions", "num"], "Winner", ["Resolution", "num"], "Conflict", ["Candidates", "num"]]),
  );
  const tbody = h("tbody");
  table.append(tbody);
  const list = section("Predicates");
  list.body.append(h("div", { class: "table-wrap" }, table));
  main.append(
    h("nav", { "aria-label": "Breadcrumb", class: "crumbs" }, h("a", { href: links.subjects() }, "Subjects"), " › ", h("span", { "aria-current": "page" }, subject)),
    h("h1", { tabindex: "-1" }, subject),
    controls(route),
    list.el,
  );

  const params = { lens: lens === "recency" ? undefined : lens, decay: route.params.decay };
  const load = async (cursor) => {
    const page = await get("/v1/subjects/" + seg(subject) + "/predicates", { limit: PAGE, cursor }, { signal });
    const rows = page.predicates.map((p) => {
      const cells = {
        winner: h("td", { "data-test": "winner" }, "…"),
        resolution: h("td", { class: "num" }, "…"),
        conflict: h("td", {}, "…"),
        candidates: h("td", { class: "num" }, "…"),
      };
      tbody.append(
        h(
          "tr",
          { "data-predicate": p.predicate },
          h("th", { scope: "row" }, h("a", { href: links.claim(subject, p.predicate, params) }, p.predicate)),
          h("td", { class: "num" }, count(p.claims) + (p.claims_capped ? "+" : "")),
          cells.winner,
          cells.resolution,
          cells.conflict,
          cells.candidates,
        ),
      );
      return { p, cells };
    });
    await pool(rows, 6, async ({ p, cells }) => {
      try {
        const a = await get("/v1/query", { subject, predicate: p.predicate, lens, limit: 1, ...filters(route.params) }, { signal });
        fillWith(cells.winner, a.winner ? objectView(a.winner.object) : "none");
        cells.resolution.textContent = fixed(a.resolution_confidence);
        fillWith(cells.conflict, conflictBadge(a.conflict_score, { "data-test": "conflict" }));
        cells.candidates.textContent = count(a.candidates_count);
      } catch (e) {
        if (e.name === "AbortError") throw e;
        fillWith(cells.winner, errorBox(e));
      }
    });
    return page.next_cursor;
  };
  const next = await load(undefined);
  if (next) {
    let cursor = next;
    list.body.append(
      moreButton("More predicates", async () => {
        cursor = await load(cursor);
        return Boolean(cursor);
      }),
    );
  }
  return {};
}
