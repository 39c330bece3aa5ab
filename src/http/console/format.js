// How figures, times, ids and claim objects are written on the pages.

export function fixed(x, digits = 4) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

export function percent(share) {
  return typeof share === "number" ? (share * 100).toFixed(1) + " %" : "–";
}

export function count(n) {
  return typeof n === "number" ? n.toLocaleString("en-US") : "–";
}

export function bytes(n) {
  if (typeof n !== "number") return "–";
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return v.toFixed(v < 10 ? 2 : 1) + " " + units[i];
}

// Unix milliseconds (knowledge time) as "2025-01-01 00:00:00.000 UTC".
export function timeMs(ms) {
  if (typeof ms !== "number") return "–";
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace("T", " ").replace("Z", " UTC");
}

// Unix seconds (claim and valid time) as "2025-01-01 00:00:00 UTC".
export function timeS(s) {
  if (typeof s !== "number") return "–";
  const d = new Date(s * 1000);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toISOString().replace("T", " ").replace(".000Z", " UTC").replace("Z", " UTC");
}

export function duration(seconds) {
  if (typeof seconds !== "number") return "–";
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds % 86400) / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = Math.floor(seconds % 60);
  return (d ? d + " d " : "") + (d || hh ? hh + " h " : "") + (d || hh || mm ? mm + " min " : "") + ss + " s";
}

// The first 12 hex characters of a 64-character id: enough to tell ids apart on a page.
export function shortId(id) {
  return typeof id === "string" ? id.slice(0, 12) : "–";
}

// A claim's object {type, value} as text: text as is, the other types with their value.
export function objectText(object) {
  if (!object || typeof object !== "object") return "–";
  const v = object.value;
  if (object.type === "text" || object.type === "reference") return String(v);
  return JSON.stringify(v);
}

// A stable key for grouping by object (type and value), as the server groups them.
export function objectKey(object) {
  return object ? object.type + "\u0000" + objectText(object) : "";
}

// Parses a knowledge time typed by a person: unix ms digits, or a date-time (RFC 3339 or
// "YYYY-MM-DD HH:MM[:SS[.mmm]]", UTC when no zone is given). Returns ms or null.
export function parseTimeMs(text) {
  const t = String(text).trim();
  if (t === "") return null;
  if (/^\d{1,15}$/.test(t)) return Number(t);
  let iso = t.replace(" ", "T");
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
