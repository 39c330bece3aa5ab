// The API key: asked for in a dialog when the server answers 401, kept in this tab's
// sessionStorage (gone when the tab closes), sent only to this origin (api.js).

import { apiKey, forgetApiKey, onKeyNeeded, setApiKey } from "./api.js";

let pending = null; // the open dialog's promise: every request waiting on a key shares it

function elements() {
  return {
    dialog: document.getElementById("key-dialog"),
    form: document.getElementById("key-form"),
    input: document.getElementById("key-input"),
    reason: document.getElementById("key-reason"),
    cancel: document.getElementById("key-cancel"),
    status: document.getElementById("key-status"),
    set: document.getElementById("key-set"),
    forget: document.getElementById("key-forget"),
  };
}

// Opens the dialog; resolves with the key given, or null when cancelled.
export function askKey(error) {
  if (pending) return pending;
  const el = elements();
  el.reason.textContent = error
    ? "The server answered " + error.status + " " + error.code + ": " + error.message +
      (error.requestId ? " (request id " + error.requestId + ")" : "")
    : "Give an API key; admin pages need a key with the admin role.";
  el.input.value = "";
  pending = new Promise((resolve) => {
    const done = (key) => {
      el.form.removeEventListener("submit", onSubmit);
      el.cancel.removeEventListener("click", onCancel);
      el.dialog.removeEventListener("cancel", onCancel);
      if (el.dialog.open) el.dialog.close();
      pending = null;
      resolve(key);
    };
    const onSubmit = (ev) => {
      ev.preventDefault();
      const key = el.input.value.trim();
      if (!key) return;
      setApiKey(key);
      done(key);
    };
    const onCancel = (ev) => {
      ev.preventDefault();
      done(null);
    };
    el.form.addEventListener("submit", onSubmit);
    el.cancel.addEventListener("click", onCancel);
    el.dialog.addEventListener("cancel", onCancel);
  });
  el.dialog.showModal();
  el.input.focus();
  return pending;
}

function showState() {
  const el = elements();
  const has = Boolean(apiKey());
  el.status.textContent = has ? "API key: set for this tab" : "API key: none";
  el.forget.hidden = !has;
}

export function initAuth(onChange) {
  onKeyNeeded(askKey);
  const el = elements();
  el.set.addEventListener("click", async () => {
    if (await askKey(null)) onChange();
  });
  el.forget.addEventListener("click", () => {
    forgetApiKey();
    onChange();
  });
  window.addEventListener("stemedb-key", showState);
  showState();
}
