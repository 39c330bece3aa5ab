// Server-Sent Events over fetch(). EventSource cannot send X-API-Key, so the console reads the
// stream itself (a ReadableStream reader), parses the event stream format, and reconnects with
// Last-Event-ID: the server goes on after the last seq it sent, so nothing is repeated or
// skipped. Events at or below the last id seen are dropped as well, to be safe.

import { ApiError, request } from "./api.js";

// The event stream format (HTML, "server-sent events"): lines end with CRLF, LF or CR; a blank
// line dispatches; ":" starts a comment; fields id, event, data (several data lines join with
// "\n"), retry.
export class SseParser {
  constructor() {
    this.buffer = "";
    this.reset();
    this.lastCr = false;
  }

  reset() {
    this.data = [];
    this.event = "";
    this.id = undefined;
  }

  // Feeds decoded text; returns the events completed by it: {id, event, data}.
  push(text) {
    const out = [];
    let buf = this.buffer + text;
    if (this.lastCr && buf.startsWith("\n")) buf = buf.slice(1); // the LF of a CRLF split across chunks
    this.lastCr = false;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const ch = buf[i];
      if (ch !== "\n" && ch !== "\r") continue;
      this.line(buf.slice(start, i), out);
      if (ch === "\r") {
        if (i + 1 < buf.length) {
          if (buf[i + 1] === "\n") i++;
        } else {
          this.lastCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = buf.slice(start);
    return out;
  }

  line(line, out) {
    if (line === "") {
      if (this.data.length) out.push({ id: this.id, event: this.event || "message", data: this.data.join("\n") });
      this.reset();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\u0000")) this.id = value;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

// Follows a feed URL. onEvent({seq, kind, record}); onStatus(state, detail) with state one of
// connecting, live, reconnecting (detail: ms to wait, error), paused, stopped, failed (detail:
// the ApiError that will not go away by retrying).
export class FeedFollower {
  constructor(path, { onEvent, onStatus, lastEventId = null }) {
    this.path = path;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastEventId = lastEventId;
    this.controller = null;
    this.running = false;
    this.stopped = false;
    this.reconnects = 0;
  }

  start() {
    if (this.running || this.stopped) return;
    this.running = true;
    this.controller = new AbortController();
    this.loop(this.controller.signal);
  }

  // Closes the stream; resume() reconnects after the last event seen.
  pause() {
    if (!this.running) return;
    this.running = false;
    this.controller.abort();
    this.onStatus("paused");
  }

  resume() {
    this.start();
  }

  stop() {
    this.stopped = true;
    this.running = false;
    if (this.controller) this.controller.abort();
  }

  async loop(signal) {
    let delay = 500;
    let first = true;
    while (!signal.aborted) {
      try {
        const headers = {};
        if (this.lastEventId !== null) headers["Last-Event-ID"] = String(this.lastEventId);
        if (!first) this.reconnects++;
        first = false;
        this.onStatus("connecting");
        const res = await request(this.path, { signal, headers, stream: true });
        this.onStatus("live");
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const ev of parser.push(value)) this.dispatch(ev);
          }
        } finally {
          reader.cancel().catch(() => {});
        }
        // The server closed the stream (it stops, or a chunk could not be read): go on after
        // the last event.
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429 && e.status !== 408) {
          this.running = false;
          this.onStatus("failed", e);
          return;
        }
        this.onStatus("reconnecting", { wait: delay, error: e });
      }
      if (signal.aborted) return;
      this.onStatus("reconnecting", { wait: delay });
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 8000);
    }
  }

  dispatch(ev) {
    if (ev.id !== undefined && ev.id !== "") {
      const seq = Number(ev.id);
      if (!Number.isSafeInteger(seq)) return;
      if (this.lastEventId !== null && seq <= this.lastEventId) return; // already shown
      this.lastEventId = seq;
    }
    let record;
    try {
      record = JSON.parse(ev.data);
    } catch {
      return;
    }
    this.onEvent({ seq: this.lastEventId, kind: ev.event, record });
  }
}
