#!/usr/bin/env node
// The web console (src/http/console/) in a real browser: Debian's headless Chromium, driven by
// puppeteer-core, against a live stemedb-api under auth.mode = all, loaded with the reference
// scenario of docs/lenses.md (clients/python/examples/reference_scenario.py), a traced claim and
// a pair of 10,000 claims.
//
//   node tests/console/run.mjs BUILD/src/tools/stemedb-api [--screenshots DIR]
//
// Checks: the key dialog on a 401, the key kept in sessionStorage and sent only to the page's
// origin; the winner and conflict score shown under each lens equal the API's; the skeptic and
// layered views; the as_of slider moved before the crowd arrived shows two claims; the trace
// graph and votes; a claim posted while the feed is open appears within 2 s; the feed resumes
// after a pause and after a daemon restart with nothing repeated or skipped; the node page; the
// 10,000-candidate claim page renders within 1 s (median of three full loads); the first load's
// bytes; axe-core finds no serious or critical violation on any page; no console error on any
// page. Screenshots of each page go to DIR (default docs/console/).
//
// Exit 0 when every check passes, 1 when one fails, 77 (skipped) when Chromium is missing or the
// npm dependencies (package-lock.json) are neither installed nor installable with `npm ci`.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const SKIP = 77;
const started = Date.now();

// ---- arguments and prerequisites -------------------------------------------------------------

const args = process.argv.slice(2);
const daemonBin = args[0] && !args[0].startsWith("--") ? path.resolve(args[0]) : null;
const optIndex = args.indexOf("--screenshots");
const shotsDir = path.resolve(optIndex >= 0 ? args[optIndex + 1] : path.join(ROOT, "docs", "console"));
if (!daemonBin || !fs.existsSync(daemonBin)) {
  console.error("usage: node tests/console/run.mjs PATH/TO/stemedb-api [--screenshots DIR]");
  process.exit(2);
}
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.log(`SKIP: no Chromium at ${chromium} (scripts/setup.sh installs Debian's chromium; CHROMIUM=path picks another)`);
  process.exit(SKIP);
}
if (!fs.existsSync(path.join(HERE, "node_modules", "puppeteer-core")) || !fs.existsSync(path.join(HERE, "node_modules", "axe-core"))) {
  console.log("tests/console: node_modules missing: npm ci (package-lock.json)");
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: "inherit" });
  if (npm.status !== 0) {
    console.log("SKIP: `npm ci` failed in tests/console (no npm, or the registry is unreachable)");
    process.exit(SKIP);
  }
}
const require = createRequire(path.join(HERE, "package.json"));
const puppeteer = require("puppeteer-core");
const axeSource = require("axe-core").source;
const PYTHON = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

// ---- reporting ---------------------------------------------------------------------------------

const failures = [];
const measures = {};
function ok(name, detail = "") {
  console.log(`ok    ${name}${detail ? ": " + detail : ""}`);
}
function fail(name, detail) {
  failures.push(`${name}: ${detail}`);
  console.log(`FAIL  ${name}: ${detail}`);
}
function check(name, cond, detail = "") {
  if (cond) ok(name, detail);
  else fail(name, detail || "false");
  return cond;
}
function eq(name, got, want) {
  return check(name, got === want, `shown ${JSON.stringify(got)}, API ${JSON.stringify(want)}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the daemon --------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stemedb-console-"));
const dataDir = path.join(tmp, "data");
fs.mkdirSync(dataDir);
let daemon = null;
let daemonLog = "";

function startDaemon(bind) {
  return new Promise((resolve, reject) => {
    const proc = spawn(daemonBin, ["--bind", bind, "--data-dir", dataDir, "--rate-limit-enabled", "false", "--auth-mode", "all", "--log-level", "info"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let done = false;
    const timer = setTimeout(() => !done && reject(new Error("the daemon did not say 'listening on' within 20 s:\n" + daemonLog.slice(-3000))), 20000);
    const onData = (chunk) => {
      daemonLog += chunk;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(daemonLog.slice(-4000));
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ proc, addr: m[1] });
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("exit", (code) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`the daemon exited (${code}) before listening:\n${daemonLog.slice(-3000)}`));
      }
    });
  });
}

function stopDaemon(proc) {
  return new Promise((resolve) => {
    if (!proc || proc.exitCode !== null) return resolve();
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15000);
    proc.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}

// ---- the writer (tests/console/helper.py, the Python client) ----------------------------------

function startHelper(url, key) {
  const proc = spawn(PYTHON, ["-B", path.join(HERE, "helper.py"), url, key], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on("line", (line) => {
    const w = waiting.shift();
    if (w) w(JSON.parse(line));
  });
  return {
    proc,
    call(cmd) {
      return new Promise((resolve, reject) => {
        waiting.push((reply) => (reply.ok ? resolve(reply) : reject(new Error(`helper ${cmd.cmd}: ${reply.error}`))));
        proc.stdin.write(JSON.stringify(cmd) + "\n");
      });
    },
    stop() {
      proc.stdin.end();
    },
  };
}

// ---- the browser ---------------------------------------------------------------------------------

let base; // http://127.0.0.1:PORT
let key;
const consoleErrors = []; // {label, text}
let label = "start";
let allowed = []; // patterns of console errors a check expects (e.g. the 401 before the key)

function watch(page) {
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    if (allowed.some((re) => re.test(text))) return;
    consoleErrors.push({ label, text });
  });
  page.on("pageerror", (e) => consoleErrors.push({ label, text: "uncaught: " + e.message }));
  page.on("request", (req) => {
    const h = req.headers();
    if (h["x-api-key"] && new URL(req.url()).origin !== base) fail("key sent only to the origin", `X-API-Key went to ${req.url()}`);
  });
}

async function renders(page) {
  return page.evaluate(() => Number(document.getElementById("main").dataset.renders || 0));
}

// Runs action (which navigates), then waits until the page has shown something new.
async function navigate(page, action, timeout = 10000) {
  const before = await renders(page).catch(() => 0);
  await action();
  await page.waitForFunction(
    (n) => {
      const m = document.getElementById("main");
      return m && Number(m.dataset.renders || 0) > n && m.dataset.state !== "loading";
    },
    { timeout },
    before,
  );
  return page.evaluate(() => document.getElementById("main").dataset.state);
}

async function go(page, hash) {
  return navigate(page, () => page.evaluate((h) => {
    window.location.hash = h;
  }, hash));
}

async function axe(page, name) {
  label = name;
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const other = violations.filter((v) => !bad.includes(v)).map((v) => `${v.id} (${v.impact})`);
  check(`axe: ${name}`, bad.length === 0, bad.length ? bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(", ")}`).join("; ") : `no serious or critical violation${other.length ? "; lesser: " + other.join(", ") : ""}`);
}

async function shot(page, name, maxHeight = 2000) {
  fs.mkdirSync(shotsDir, { recursive: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: path.join(shotsDir, name + ".png"), clip: { x: 0, y: 0, width: 1280, height: Math.min(height, maxHeight) }, captureBeyondViewport: true });
}

async function api(pathAndQuery) {
  const res = await fetch(base + pathAndQuery, { headers: { "X-API-Key": key } });
  if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${await res.text()}`);
  return res.json();
}

function qs(params) {
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();
}

const text = (page, sel) => page.$eval(sel, (el) => el.textContent.trim());
// The value of a claim's object as shown (ui.js objectView: its text, without the type's label).
const shownValue = (page, sel) => page.$eval(sel, (el) => (el.classList.contains("obj") ? el : el.querySelector(".obj")).dataset.value);
// The API's object value as the console writes it (format.js objectText).
const valueText = (object) => (object.type === "text" || object.type === "reference" ? String(object.value) : JSON.stringify(object.value));
const attr = (page, sel, name) => page.$eval(sel, (el, n) => el.getAttribute(n), name);

// ---- the checks ---------------------------------------------------------------------------------

const SUBJECT = "drugs/semaglutide";
const PREDICATE = "gastroparesis_risk";
const LENSES = ["recency", "confidence", "consensus", "vote", "authority", "epoch"];
const BIG = { subject: "bench/big-pair", predicate: "value" };
const enc = encodeURIComponent;

async function main() {
  const first = await startDaemon("127.0.0.1:0");
  daemon = first.proc;
  base = "http://" + first.addr;
  const keyFile = path.join(dataDir, "root.key");
  for (let i = 0; i < 100 && !fs.existsSync(keyFile); i++) await sleep(50);
  key = fs.readFileSync(keyFile, "utf8").trim();
  ok("daemon", `${base}, auth.mode = all`);

  let helper = startHelper(base, key);
  const browserStarting = puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--no-default-browser-check"],
  });
  const scenario = await helper.call({ cmd: "scenario" });
  check("reference scenario posted", scenario.as_of > 0, scenario.lines[0]);
  await helper.call({ cmd: "predicates" });
  const traced = await helper.call({ cmd: "trace" });
  // The 10,000 claims go in while the browser checks the other pages.
  const bulk = helper.call({ cmd: "bulk", ...BIG, n: 10000 });
  const browser = await browserStarting;
  try {
    await browserChecks(browser, { scenario, traced, bulk, helperRef: () => helper, setHelper: (h) => (helper = h) });
  } finally {
    await browser.close().catch(() => {});
    helper.stop();
  }
}

async function browserChecks(browser, { scenario, traced, bulk, helperRef, setHelper }) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  watch(page);

  // -- auth: a 401 asks for a key; a wrong key is refused; the right one is kept for the tab --
  label = "auth";
  allowed = [/status of 401/];
  await page.goto(base + "/console/#/subjects");
  await page.waitForSelector("#key-dialog[open]", { timeout: 10000 });
  ok("auth: a 401 opens the key dialog", await text(page, "#key-reason"));
  await shot(page, "auth", 900);
  await axe(page, "key dialog");
  await page.type("#key-input", "sdb_wrong_key");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("key-dialog").open && /invalid|unknown|401/i.test(document.getElementById("key-reason").textContent), { timeout: 10000 });
  ok("auth: a wrong key is refused", await text(page, "#key-reason"));
  await page.$eval("#key-input", (el) => (el.value = ""));
  await page.type("#key-input", key);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("main").dataset.state === "ready", { timeout: 10000 });
  allowed = [];
  check("auth: the key is kept in sessionStorage", (await page.evaluate(() => sessionStorage.getItem("stemedb.console.api_key"))) === key, "stemedb.console.api_key");

  // -- subjects --
  label = "subjects";
  const subjects = await page.$$eval("[data-test=subjects] a", (as) => as.map((a) => a.textContent));
  check("subjects: listed", subjects.includes(SUBJECT) && subjects.includes("drugs/metformin"), subjects.join(", "));
  await go(page, "#/subjects?prefix=drugs%2Fs");
  const filtered = await page.$$eval("[data-test=subjects] a", (as) => as.map((a) => a.textContent));
  check("subjects: by prefix", filtered.length === 1 && filtered[0] === SUBJECT, filtered.join(", "));
  await go(page, "#/subjects");
  await page.focus(".skip");
  await page.keyboard.press("Enter");
  check("keyboard: the skip link moves focus to the content, not the route", await page.evaluate(() => document.activeElement.id === "main" && window.location.hash === "#/subjects"));
  await axe(page, "subjects");
  await shot(page, "subjects", 900);

  // -- an error answer is shown with its code and request id --
  label = "error";
  allowed = [/status of 404/];
  const st = await go(page, "#/subject/" + enc("nothing/here"));
  const errText = await text(page, "[data-test=error]");
  check("errors: code, message and request id shown", st === "error" && /subject_not_found/.test(errText) && /request id [0-9a-f]{32}/.test(errText), errText);
  allowed = [];

  // -- subject page: each predicate's winner and conflict under the lens --
  label = "subject";
  await go(page, `#/subject/${enc(SUBJECT)}?lens=authority&decay=false`);
  const preds = await page.$$eval("[data-test=predicates] tbody tr", (rs) => rs.map((r) => r.dataset.predicate));
  check("subject: every predicate listed", preds.length === 5 && preds.includes(PREDICATE), preds.join(", "));
  for (const predicate of preds) {
    const q = await api("/v1/query?" + qs({ subject: SUBJECT, predicate, lens: "authority", decay: "false", limit: 1 }));
    const row = `tr[data-predicate="${predicate}"]`;
    eq(`subject: ${predicate}: winner under authority`, await shownValue(page, `${row} [data-test=winner]`), valueText(q.winner.object));
    eq(`subject: ${predicate}: conflict score`, Number(await attr(page, `${row} [data-test=conflict]`, "data-value")), q.conflict_score);
  }
  await axe(page, "subject");
  await shot(page, "subject", 900);

  // -- claim page: every lens, decay off (the figures of lenses.md) then on (the default) --
  label = "claim";
  await go(page, `#/claim/${enc(SUBJECT)}/${enc(PREDICATE)}?decay=false`);
  for (const decay of ["false", undefined]) {
    if (decay === undefined) await navigate(page, () => page.click("#decay"));
    for (const lens of LENSES) {
      if (!(await page.$eval(`#lens-${lens}`, (el) => el.checked))) await navigate(page, () => page.click(`label[for="lens-${lens}"]`));
      const a = await api("/v1/query?" + qs({ subject: SUBJECT, predicate: PREDICATE, lens, decay, limit: 1 }));
      const tag = `claim (${lens}, decay ${decay === "false" ? "off" : "on"})`;
      eq(`${tag}: winner`, await shownValue(page, "[data-test=winner]"), valueText(a.winner.object));
      const shown = Number(await attr(page, "[data-test=conflict]", "data-value"));
      // With decay on the score moves in the 8th decimal from one second to the next: the four
      // decimals shown must match; with decay off the value is exact.
      if (decay === "false") eq(`${tag}: conflict score`, shown, a.conflict_score);
      else eq(`${tag}: conflict score (4 decimals)`, await text(page, "[data-test=conflict] .num"), a.conflict_score.toFixed(4));
    }
  }
  await navigate(page, () => page.click("#decay")); // decay off again
  await page.focus("#lens-consensus");
  await navigate(page, () => page.keyboard.press("ArrowRight"));
  check("keyboard: an arrow key moves the lens switcher", (await page.evaluate(() => window.location.hash)).includes("lens=vote") && (await shownValue(page, "[data-test=winner]")) !== undefined);
  await navigate(page, () => page.click('label[for="lens-authority"]'));
  const sk = await api("/v1/skeptic?" + qs({ subject: SUBJECT, predicate: PREDICATE, decay: "false" }));
  eq("skeptic: status", await text(page, "[data-test=skeptic-status]"), sk.status);
  eq("skeptic: conflict score", Number(await attr(page, "[data-test=skeptic-conflict]", "data-value")), sk.conflict_score);
  const bars = await page.$$eval("[data-test=skeptic-bars] g.bar-row", (gs) => gs.map((g) => [g.dataset.object, Number(g.dataset.share)]));
  check("skeptic: one bar per claim, in the API's order and shares", JSON.stringify(bars) === JSON.stringify(sk.claims.map((c) => [c.object.value, c.share])), JSON.stringify(bars));
  const lay = await api("/v1/layered?" + qs({ subject: SUBJECT, predicate: PREDICATE, decay: "false" }));
  eq("layered: cross-tier conflict marked", await attr(page, "[data-test=cross-tier]", "data-value"), String(lay.cross_tier_conflict));
  const tiers = await page.$$eval("[data-test=layered] tbody tr", (rs) => rs.map((r) => r.dataset.tier + ":" + r.classList.contains("differs")));
  check("layered: tiers, the ones disagreeing with the overall winner marked", JSON.stringify(tiers) === JSON.stringify(lay.tiers.map((t) => t.tier + ":" + (t.winner.object.value !== lay.winner.object.value))), tiers.join(", "));
  const rowsShown = await page.$$eval("[data-test=candidates] tbody tr", (rs) => rs.length);
  eq("candidates: all 57 listed (one page)", rowsShown, 57);
  await page.click("[data-test=candidates] tbody tr:first-child button");
  await page.waitForFunction(() => /author/.test(document.querySelector("[data-test=candidates] tr.details")?.textContent || ""), { timeout: 10000 });
  ok("candidates: details show signers, votes, source, lifecycle, epoch");
  await page.click("[data-test=candidates] tbody tr:first-child button");
  await axe(page, "claim");
  await shot(page, "claim", 1700);

  // -- the as_of slider: before the crowd arrived, two claims --
  label = "claim as_of";
  await page.focus("#as-of");
  await navigate(page, () => page.keyboard.press("Home"));
  let asOf = await attr(page, "[data-test=as-of-out]", "data-as-of");
  for (let i = 0; i < 10 && asOf !== String(scenario.as_of); i++) {
    await navigate(page, () => page.keyboard.press("ArrowRight"));
    asOf = await attr(page, "[data-test=as-of-out]", "data-as-of");
  }
  eq("as_of: the slider stops at the moment after the trial's claim", asOf, String(scenario.as_of));
  const then = await page.$$eval("[data-test=skeptic-bars] g.bar-row", (gs) => gs.map((g) => g.dataset.object));
  check("as_of: two claims shown before the crowd arrived", then.length === 2 && then.includes("rare") && then.includes("no_signal"), then.join(", "));
  const skThen = await api("/v1/skeptic?" + qs({ subject: SUBJECT, predicate: PREDICATE, decay: "false", as_of: scenario.as_of }));
  eq("as_of: conflict score", Number(await attr(page, "[data-test=skeptic-conflict]", "data-value")), skThen.conflict_score);
  eq("as_of: candidates", await text(page, "[data-test=candidates-count]"), "2");
  await axe(page, "claim as_of");
  await shot(page, "claim-as-of", 1100);
  await navigate(page, () => page.click("[data-test=as-of-latest]"));
  eq("as_of: Latest shows every claim again", await text(page, "[data-test=candidates-count]"), "57");

  // -- valid_at: the traced child is valid 2024-01-01 .. 2026-12-31, the others always --
  label = "claim valid_at";
  await go(page, `#/claim/${enc("drugs/metformin")}/lactic_acidosis_risk?lifecycle=any`);
  await page.$eval("#valid-at", (el) => {
    el.value = "2023-06-01T00:00:00";
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.waitForFunction(() => /valid_at=1685577600/.test(document.getElementById("main").dataset.route || ""), { timeout: 10000 });
  const validIds = await page.$$eval("[data-test=candidates] tbody tr[data-id]", (rs) => rs.map((r) => r.dataset.id));
  check("valid_at: a claim outside its valid period is left out", !validIds.includes(traced.child) && validIds.includes(traced.other), `${validIds.length} candidates`);

  // -- assertion: the trace graph and the votes --
  label = "assertion";
  await go(page, "#/assertion/" + traced.parent);
  const nodes = await page.$$eval("[data-test=trace-graph] g.node", (gs) => gs.map((g) => g.getAttribute("class").trim()));
  check("assertion: graph has itself, its child, its source and the epoch chain", ["self", "child", "source", "epoch"].every((k) => nodes.some((n) => n.split(/\s+/).includes(k))), nodes.join(" | "));
  const trace = await api("/v1/trace/" + traced.parent);
  eq("assertion: votes listed", await page.$$eval("[data-test=votes] tbody tr", (rs) => rs.length), trace.votes.length);
  await axe(page, "assertion");
  await shot(page, "assertion", 1800);
  await navigate(page, () => page.click(`[data-test=trace-graph] a[href="#/assertion/${traced.child}"]`));
  const childNodes = await page.$$eval("[data-test=trace-graph] g.node", (gs) => gs.map((g) => g.getAttribute("class").trim()));
  check("assertion: a child's graph has its parent and its epoch's chain", childNodes.some((n) => n.includes("parent")) && childNodes.filter((n) => n.includes("epoch")).length >= 2, childNodes.join(" | "));

  // -- node --
  label = "node";
  await go(page, "#/node");
  eq("node: role", await text(page, "[data-test=role]"), "primary");
  eq("node: drain state (admin key)", await text(page, "[data-test=drain-state]"), "serving");
  await axe(page, "node");
  await shot(page, "node", 1400);

  // -- the live feed (after the bulk write: the writer runs one command at a time) --
  const posted = await bulk;
  check("10,000 claims posted on one pair", posted.posted === 10000, `${posted.posted} claims in ${posted.seconds} s (batches of 1000)`);
  label = "feed";
  await go(page, "#/feed");
  await page.waitForFunction(() => document.querySelector("[data-test=feed-status]").dataset.state === "live", { timeout: 10000 });
  const value = "live-" + Date.now();
  const t0 = Date.now();
  await helperRef().call({ cmd: "claim", subject: "live/feed", predicate: "observed", value });
  await page.waitForFunction((v) => [...document.querySelectorAll("[data-test=feed] li")].some((li) => li.textContent.includes(v)), { timeout: 10000 }, value);
  const feedMs = Date.now() - t0;
  measures.feed_ms = feedMs;
  check("feed: a claim posted while the page is open appears within 2 s", feedMs <= 2000, `${feedMs} ms from the write to the page`);
  await axe(page, "feed");
  await shot(page, "feed", 1100);

  // Pause (the stream closes), two writes, resume: both arrive once, nothing between is lost.
  const seqs = () => page.$$eval("[data-test=feed] li", (lis) => lis.map((li) => Number(li.dataset.seq)));
  const lastBefore = Number(await attr(page, "[data-test=feed-count]", "data-last-seq"));
  await page.click("[data-test=feed-pause]");
  await page.waitForFunction(() => document.querySelector("[data-test=feed-status]").dataset.state === "paused");
  await helperRef().call({ cmd: "claim", subject: "live/feed", predicate: "observed", value: value + "-p1" });
  await helperRef().call({ cmd: "claim", subject: "live/feed", predicate: "observed", value: value + "-p2" });
  await page.click("[data-test=feed-pause]");
  await page.waitForFunction((v) => document.querySelector("[data-test=feed]").textContent.includes(v), { timeout: 10000 }, value + "-p2");
  await checkFeedContinuity(page, seqs, lastBefore, "feed: resumed after a pause");

  // The daemon stops and starts again on the same port: the page reconnects by itself with
  // Last-Event-ID. Its failed reconnection attempts show as network errors meanwhile.
  label = "feed restart";
  allowed = [/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|net::ERR_/];
  const lastBeforeRestart = Number(await attr(page, "[data-test=feed-count]", "data-last-seq"));
  helperRef().stop();
  await stopDaemon(daemon);
  await page.waitForFunction(() => ["reconnecting", "connecting"].includes(document.querySelector("[data-test=feed-status]").dataset.state), { timeout: 10000 });
  ok("feed: the page notices the daemon stopped", await text(page, "[data-test=feed-status]"));
  const again = await startDaemon(base.replace("http://", ""));
  daemon = again.proc;
  setHelper(startHelper(base, key));
  await page.waitForFunction(() => document.querySelector("[data-test=feed-status]").dataset.state === "live", { timeout: 20000 });
  await helperRef().call({ cmd: "claim", subject: "live/feed", predicate: "observed", value: value + "-r1" });
  await page.waitForFunction((v) => document.querySelector("[data-test=feed]").textContent.includes(v), { timeout: 10000 }, value + "-r1");
  await checkFeedContinuity(page, seqs, lastBeforeRestart, "feed: resumed after the daemon restarted");
  allowed = [];

  // -- 10,000 candidates on one pair: a full load of the claim page, three times --
  label = "claim 10k";
  const big = `#/claim/${enc(BIG.subject)}/${enc(BIG.predicate)}`;
  const times = [];
  for (let i = 0; i < 3; i++) {
    await page.goto("about:blank");
    const t = Date.now();
    await page.goto(base + "/console/" + big);
    await page.waitForFunction(() => {
      const m = document.getElementById("main");
      return m && m.dataset.page === "claim" && m.dataset.state !== "loading" && m.dataset.renders === "1";
    }, { timeout: 20000 });
    times.push(Date.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  measures.big_claim_ms = times;
  check("10,000 candidates: the claim page renders within 1 s", sorted[1] <= 1000, `full page loads ${times.join(", ")} ms (median ${sorted[1]} ms)`);
  const bigQ = await api("/v1/query?" + qs({ subject: BIG.subject, predicate: BIG.predicate, limit: 1 }));
  eq("10,000 candidates: count", await text(page, "[data-test=candidates-count]"), "10,000");
  eq("10,000 candidates: winner", await shownValue(page, "[data-test=winner]"), valueText(bigQ.winner.object));
  eq("10,000 candidates: a first page of 100", await page.$$eval("[data-test=candidates] tbody tr", (rs) => rs.length), 100);
  await page.click("button.more");
  await page.waitForFunction(() => document.querySelectorAll("[data-test=candidates] tbody tr").length === 200, { timeout: 10000 });
  ok("10,000 candidates: \"more\" adds the next 100");
  await axe(page, "claim 10k");
  await shot(page, "claim-10k", 1100);

  // -- the first load: bytes transferred, in a fresh profile (nothing cached) --
  label = "first load";
  const allFiles = fs.readdirSync(path.join(ROOT, "src", "http", "console")).reduce((n, f) => n + fs.statSync(path.join(ROOT, "src", "http", "console", f)).size, 0);
  measures.console_files_bytes = allFiles;
  measures.first_load = {};
  for (const [name, hash] of [["subjects", ""], ["claim", `#/claim/${enc(SUBJECT)}/${enc(PREDICATE)}`], ["claim 10k", big]]) {
    const m = await firstLoad(browser, hash);
    measures.first_load[name] = m;
    check(`first load of ${name}: console files at most 200 KB`, m.console_bytes <= 200 * 1024,
      `${m.console_bytes} bytes in ${m.files} files (headers included), then ${m.api_bytes} bytes of API answers; ready in ${m.ms} ms`);
  }
  ok("every console file together", `${allFiles} bytes`);

  // -- no console error anywhere --
  check("no console error on any page", consoleErrors.length === 0, consoleErrors.map((e) => `[${e.label}] ${e.text}`).join(" | ") || "none");
}

// Loads the console at `hash` in a fresh browser context and sums what went over the wire.
async function firstLoad(browser, hash) {
  const ctx = await browser.createBrowserContext();
  try {
    const page = await ctx.newPage();
    watch(page);
    await page.setViewport({ width: 1280, height: 900 });
    await page.evaluateOnNewDocument((k) => sessionStorage.setItem("stemedb.console.api_key", k), key);
    const cdp = await page.createCDPSession();
    await cdp.send("Network.enable");
    const urls = new Map();
    const sizes = new Map();
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
    const t = Date.now();
    await page.goto(base + "/console/" + hash);
    await page.waitForFunction(() => document.getElementById("main").dataset.state === "ready", { timeout: 10000 });
    const ms = Date.now() - t;
    await sleep(200);
    const m = { console_bytes: 0, files: 0, api_bytes: 0, ms };
    for (const [id, size] of sizes) {
      const u = new URL(urls.get(id) || "about:blank");
      if (u.pathname.startsWith("/console")) {
        m.console_bytes += size;
        m.files++;
      } else m.api_bytes += size;
    }
    return m;
  } finally {
    await ctx.close();
  }
}

// The events on the page after `after` are exactly the log's records after it, each once.
async function checkFeedContinuity(page, seqs, after, name) {
  const shown = (await seqs()).filter((s) => s > after).sort((a, b) => a - b);
  const log = await api("/v1/feed?" + qs({ after, limit: 1000, kind: "assertion,vote,epoch,source" }));
  const want = ["assertions", "votes", "epochs", "sources"].flatMap((k) => (log[k] || []).map((r) => r.seq)).sort((a, b) => a - b);
  const dup = shown.length !== new Set(shown).size;
  check(name + ", nothing repeated or skipped", !dup && JSON.stringify(shown) === JSON.stringify(want), `after seq ${after}: page ${shown.join(",")}; log ${want.join(",")}`);
}

// ---- run -----------------------------------------------------------------------------------------

let exitCode = 0;
try {
  await main();
} catch (e) {
  fail("run", e && e.stack ? e.stack : String(e));
} finally {
  await stopDaemon(daemon);
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (Object.keys(measures).length) console.log("measures: " + JSON.stringify(measures));
console.log(`screenshots: ${shotsDir}`);
console.log(`${failures.length ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s${failures.length ? ": " + failures.length + " failure(s)" : ""}`);
if (failures.length) exitCode = 1;
process.exit(exitCode);
