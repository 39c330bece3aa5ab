// Requests to the daemon's HTTP API: relative URLs on this page's own origin only, the API key
// (if one was given) in X-API-Key, error bodies {error: {code, message, field, request_id}}
// turned into ApiError. A 401 asks for a key (auth.js) and tries again with it.

const KEY_STORAGE = "stemedb.console.api_key";

export class ApiError extends Error {
  constructor(status, body, path) {
    const e = (body && body.error) || {};
    super(e.message || (status ? "HTTP " + status : "the server could not be reached"));
    this.name = "ApiError";
    this.status = status;
    this.code = e.code || (status ? "http_" + status : "network_error");
    this.field = e.field || null;
    this.requestId = e.request_id || null;
    this.path = path;
  }
}

let askForKey = null;

// auth.js registers the function that asks for a key: (ApiError) => Promise<key | null>.
export function onKeyNeeded(fn) {
  askForKey = fn;
}

export function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  window.dispatchEvent(new Event("stemedb-key"));
}

export function forgetApiKey() {
  sessionStorage.removeItem(KEY_STORAGE);
  window.dispatchEvent(new Event("stemedb-key"));
}

// "?a=1&b=x" from an object; undefined, null and "" are left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, String(v));
  }
  const text = q.toString();
  return text ? "?" + text : "";
}

// The key goes only to this page's origin: a path must start with a single "/".
function ownUrl(path) {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
    throw new Error("the console only calls its own origin (got " + path + ")");
  }
  const url = new URL(path, window.location.origin);
  if (url.origin !== window.location.origin) throw new Error("not this origin: " + path);
  return url;
}

async function errorOf(res, path) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return new ApiError(res.status, body, path);
}

// Sends a GET. Options: signal (AbortSignal), headers, prompt (ask for a key on 401; default
// true), stream (return the Response of a 2xx instead of its JSON), accept (statuses whose
// JSON body is data, e.g. 503 from /v1/role on a standby).
export async function request(path, options = {}) {
  const { signal, headers = {}, prompt = true, stream = false, accept = [] } = options;
  const url = ownUrl(path);
  for (let attempt = 0; ; attempt++) {
    const h = new Headers(headers);
    if (!h.has("Accept")) h.set("Accept", stream ? "text/event-stream" : "application/json");
    const key = apiKey();
    if (key) h.set("X-API-Key", key);
    let res;
    try {
      res = await fetch(url, { headers: h, signal, credentials: "omit", cache: "no-store", redirect: "error" });
    } catch (e) {
      if (e && e.name === "AbortError") throw e;
      throw new ApiError(0, { error: { code: "network_error", message: "the server could not be reached" } }, path);
    }
    if (res.status === 401 && prompt && askForKey && attempt < 5) {
      const err = await errorOf(res, path);
      const given = await askForKey(err);
      if (given) continue;
      throw err;
    }
    if (res.ok && stream) return res;
    if (res.ok || accept.includes(res.status)) {
      const body = await res.json();
      return accept.length ? { status: res.status, body } : body;
    }
    throw await errorOf(res, path);
  }
}

export function get(path, params, options) {
  return request(path + query(params), options);
}

// Path segments (a subject may hold "/") are percent-encoded.
export function seg(text) {
  return encodeURIComponent(text);
}

// Runs fn over items with at most `limit` calls at once; resolves when all are done.
export async function pool(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
