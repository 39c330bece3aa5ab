// #/subjects?prefix=P: the subjects the store holds, in byte order, by prefix, 100 a page
// (GET /v1/subjects).

import { get } from "./api.js";
import { h } from "./dom.js";
import { links, setParams } from "./router.js";
import { moreButton, section } from "./ui.js";

const PAGE = 100;

export async function mount({ main, route, signal }) {
  const prefix = route.params.prefix || "";
  document.title = "Subjects · StemeDB console";
  const input = h("input", { id: "prefix", name: "prefix", type: "search", value: prefix, autocomplete: "off", spellcheck: "false" });
  const form = h(
    "form",
    { class: "search", role: "search", "aria-label": "Subjects" },
    h("label", { for: "prefix" }, "Subject prefix"),
    input,
    h("button", { type: "submit", class: "primary" }, "Search"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    setParams(route, { prefix: input.value });
  });
  const results = section(prefix ? "Subjects starting with “" + prefix + "”" : "All subjects");
  const list = h("ul", { class: "subjects", "data-test": "subjects" });
  const summary = h("p", { class: "summary", role: "status" });
  results.body.append(summary, list);
  main.append(
    h("h1", { tabindex: "-1" }, "Subjects"),
    h("p", { class: "lead" }, "What the store holds claims about. Pick a subject to see its predicates and who disagrees about them."),
    form,
    results.el,
  );

  let shown = 0;
  const load = async (cursor) => {
    const page = await get("/v1/subjects", { prefix, limit: PAGE, cursor }, { signal });
    for (const subject of page.subjects) {
      list.append(h("li", {}, h("a", { href: links.subject(subject) }, subject)));
    }
    shown += page.subjects.length;
    summary.textContent = shown === 0 ? "No subject" + (prefix ? " starts with “" + prefix + "”." : " yet.") : shown + (page.next_cursor ? "+" : "") + " subjects";
    return page.next_cursor;
  };
  const next = await load(undefined);
  if (next) {
    let cursor = next;
    results.body.append(
      moreButton("More subjects", async () => {
        cursor = await load(cursor);
        return Boolean(cursor);
      }),
    );
  }
  return {};
}
