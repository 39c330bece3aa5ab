// The console's entry point: follows the hash route, loads the page's module on demand (the first
// load fetches only the page shown), keeps the page's state while only its parameters change.
//
// <main> carries data-page, data-route (the hash it shows), data-state (loading, ready or
// error) and data-renders (a count of pages shown), for people (aria-busy) and for the browser
// tests.

import { initAuth } from "./auth.js";
import { fillWith, h } from "./dom.js";
import { parseHash } from "./router.js";
import { errorBox } from "./ui.js";

const pages = {
  subjects: () => import("./page-subjects.js"),
  subject: () => import("./page-subject.js"),
  claim: () => import("./page-claim.js"),
  assertion: () => import("./page-assertion.js"),
  feed: () => import("./page-feed.js"),
  node: () => import("./page-node.js"),
};

const main = document.getElementById("main");
let current = null; // {pathKey, controller, instance}
let generation = 0;
let first = true;

function markNav(name) {
  for (const a of document.querySelectorAll("#nav a")) {
    const page = a.dataset.page;
    const on = page === name || (page === "subjects" && (name === "subject" || name === "claim" || name === "assertion"));
    if (on) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

let renders = 0;

function settle(gen, state) {
  if (gen !== generation) return;
  main.dataset.renders = String(++renders);
  main.dataset.state = state;
  main.dataset.route = window.location.hash;
  main.removeAttribute("aria-busy");
}

async function show() {
  const route = parseHash(window.location.hash);
  if (route.name === "") {
    window.location.replace("#/subjects");
    return;
  }
  const gen = ++generation;
  main.dataset.state = "loading";
  main.setAttribute("aria-busy", "true");
  markNav(route.name);
  const pathKey = route.name + "/" + route.parts.join("/");
  try {
    if (current && current.pathKey === pathKey && current.instance && current.instance.update) {
      current.controller.abort();
      current.controller = new AbortController();
      await current.instance.update(route, current.controller.signal);
    } else {
      if (current) {
        current.controller.abort();
        if (current.instance && current.instance.destroy) current.instance.destroy();
      }
      const controller = new AbortController();
      current = { pathKey, controller, instance: null };
      const load = pages[route.name];
      const mod = load ? await load() : null;
      if (gen !== generation) return;
      fillWith(main);
      main.dataset.page = route.name;
      if (!mod) {
        document.title = "Not found · StemeDB console";
        main.append(
          h("h1", { tabindex: "-1" }, "No such page"),
          h("p", {}, "The console has no page at ", h("code", {}, route.hash), ". ", h("a", { href: "#/subjects" }, "Search subjects"), "."),
        );
      } else {
        const instance = mod.mount({ main, route, signal: controller.signal });
        // The page's heading exists before its data: move focus there on navigation, so a
        // screen reader announces the new page (not on the first load).
        const heading = main.querySelector("h1");
        if (heading && !first) {
          window.scrollTo(0, 0);
          heading.focus({ preventScroll: true });
        }
        current.instance = await instance;
      }
    }
    first = false;
    settle(gen, "ready");
  } catch (e) {
    first = false;
    if (e && e.name === "AbortError") return;
    if (gen !== generation) return;
    main.append(errorBox(e, "This page could not be loaded."));
    settle(gen, "error");
  }
}

initAuth(() => {
  // A key given or forgotten from the header: show the page again with it.
  if (current) {
    current.controller.abort();
    if (current.instance && current.instance.destroy) current.instance.destroy();
  }
  current = null;
  show();
});
// The skip link would change the hash (and so the page): it moves focus instead.
document.querySelector(".skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", show);
show();
