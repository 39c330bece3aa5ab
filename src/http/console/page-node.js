// #/node: the node, read only. GET /v1/health (liveness, WAL), GET /v1/role (replication role;
// 503 with the same body off the primary), and with an admin key GET /v1/admin/node (drain
// state, in-flight writes, WAL segments, storage offsets and memory tier).

import { ApiError, apiKey, get } from "./api.js";
import { askKey } from "./auth.js";
import { append, dl, h } from "./dom.js";
import { bytes, count, duration } from "./format.js";
import { errorBox, headRow, section } from "./ui.js";

function offsetBars(head, applied, other) {
  // Offsets as text plus how far behind each one is: the byte lag is what an operator reads.
  const rows = [["head", head], ["applied", applied], ...other];
  return h(
    "ul",
    { class: "plain offsets" },
    rows
      .filter(([, v]) => typeof v === "number")
      .map(([name, v]) => h("li", {}, h("span", { class: "k" }, name), " ", count(v), typeof head === "number" && v < head ? " (" + count(head - v) + " bytes behind)" : "")),
  );
}

export async function mount({ main, route, signal }) {
  document.title = "Node · StemeDB console";
  const refresh = h("button", { type: "button" }, "Refresh");
  refresh.addEventListener("click", () => {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });
  main.append(h("h1", { tabindex: "-1" }, "Node"), h("p", { class: "lead" }, "This node's health, role, write-ahead log and storage. Read only: draining and the other operations stay with the CLI (", h("code", {}, "stemedb drain"), ")."), refresh);

  const [health, role, admin] = await Promise.allSettled([
    get("/v1/health", {}, { signal }),
    get("/v1/role", {}, { signal, accept: [503] }),
    // Only with a key: without one the answer is a 401, which the browser reports as an error.
    apiKey() ? get("/v1/admin/node", {}, { signal, prompt: false }) : Promise.reject(new ApiError(401, { error: { code: "missing_api_key", message: "no API key given" } }, "/v1/admin/node")),
  ]);
  for (const r of [health, role, admin]) if (r.status === "rejected" && r.reason && r.reason.name === "AbortError") throw r.reason;

  const hs = section("Health");
  if (health.status === "fulfilled") {
    const v = health.value;
    hs.body.append(
      dl([
        ["Status", h("span", { class: "badge " + (v.status === "ok" ? "status-agreed" : "status-contested"), "data-test": "health-status" }, v.status)],
        ["State", h("span", { "data-test": "node-state" }, v.state)],
        ["Version", v.version],
        ["Up for", duration(v.uptime_s)],
        ["Assertions", count(v.assertions_count)],
        ["WAL", v.wal ? [v.wal.state, " · ", count(v.wal.segments), " segment(s)"] : null],
        ["WAL offsets", v.wal ? offsetBars(v.wal.head_offset, v.wal.applied_offset, []) : null],
      ]),
    );
  } else hs.body.append(errorBox(health.reason));

  const rs = section("Replication role");
  if (role.status === "fulfilled") {
    const v = role.value.body;
    rs.body.append(
      dl([
        ["Role", h("strong", { "data-test": "role" }, v.role)],
        ["Name", v.name],
        ["Term", v.term !== undefined ? String(v.term) : null],
        ["Offsets", offsetBars(undefined, v.applied_offset, [["durable", v.durable_offset]])],
        ["Primary", role.value.status === 200 ? "yes (this node takes writes)" : "no (GET /v1/role answers 503)"],
      ]),
    );
  } else rs.body.append(errorBox(role.reason));

  const as = section("Administration");
  if (admin.status === "fulfilled") {
    const v = admin.value;
    const segments = (v.wal && v.wal.segments) || [];
    append(as.body, [
      dl([
        ["Drain state", h("strong", { "data-test": "drain-state" }, v.state)],
        ["In-flight writes", count(v.inflight_writes)],
        ["Up for", duration(v.uptime_s)],
        ["Last seq", v.wal ? count(v.wal.last_seq) : null],
        ["WAL", v.wal ? v.wal.state : null],
        ["WAL offsets", v.wal ? offsetBars(v.wal.head_offset, v.wal.applied_offset, []) : null],
        ["Storage offsets", v.storage ? offsetBars(v.wal ? v.wal.head_offset : undefined, v.storage.applied_offset, [["persisted", v.storage.persisted_offset]]) : null],
        ["Memory tier", v.storage ? bytes(v.storage.memory_tier_bytes) : null],
        ["Storage degraded", v.storage ? (v.storage.degraded ? "yes" : "no") : null],
      ]),
      h(
        "table",
        { class: "grid", "data-test": "segments" },
        h("caption", {}, "WAL segments"),
        headRow(["Segment", ["Base offset", "num"], ["End offset", "num"], ["Size", "num"], "Sealed"]),
        h(
          "tbody",
          {},
          segments.slice(-50).map((sg) =>
            h("tr", {}, h("td", {}, h("code", {}, sg.name)), h("td", { class: "num" }, count(sg.base_offset)), h("td", { class: "num" }, count(sg.end_offset)), h("td", { class: "num" }, bytes(sg.end_offset - sg.base_offset)), h("td", {}, sg.sealed ? "sealed" : "open")),
          ),
        ),
      ),
      segments.length > 50 ? h("p", { class: "summary" }, "The last 50 of " + segments.length + " segments.") : null,
    ]);
  } else {
    const e = admin.reason;
    if (e && (e.status === 401 || e.status === 403)) {
      const btn = h("button", { type: "button" }, "Give an admin key");
      btn.addEventListener("click", async () => {
        if (await askKey(null)) window.dispatchEvent(new HashChangeEvent("hashchange"));
      });
      as.body.append(
        h("p", { "data-test": "admin-needed" }, "Drain state, WAL segments and storage figures need an API key with the admin role (", h("code", {}, e.code), ")."),
        btn,
      );
    } else as.body.append(errorBox(e));
  }
  main.append(hs.el, rs.el, as.el);
  return {};
}
