// The moderator console. Log in with an account (`livehost user add`); the session lives in an HttpOnly cookie
// and every change carries the session's CSRF token, kept only in this page's memory.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { status: null, chats: 0, blocked: 0, linked: false, file: null, baseMtime: null, saved: "",
    user: null, role: null, csrf: null, started: false };
  window.livehostConsole = state;

  const LABELS = { playing: "Live", paused: "Paused", stopped: "Stopped" };
  const ACTIONS = { answer: "will answer", thank: "will thank", ignore: "ignored", block: "blocked" };
  const MAX_FEED = 200;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function notice(text) {
    $("notice").textContent = text || "";
    $("notice").hidden = !text;
  }

  // ---- API ----------------------------------------------------------------------------------------
  async function api(method, path, body) {
    const headers = {};
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (_) {
      return { ok: false, code: 0, data: { error: "the show is not reachable (is it still running?)" } };
    }
    let data = {};
    try { data = await res.json(); } catch (_) { data = { error: `unexpected answer (${res.status})` }; }
    if (res.status === 401 && path !== "/api/login") showLogin("Your session ended: log in again.");
    else if (res.status === 403) notice("Access refused: " + (data.error || "not allowed from here"));
    else if (res.ok) notice("");
    return { ok: res.ok, code: res.status, data };
  }

  // ---- show status and controls ---------------------------------------------------------------------
  function setStatus(status) {
    state.status = status;
    const badge = $("status");
    badge.textContent = LABELS[status] || status || "…";
    badge.className = "badge " + (LABELS[status] ? status : "unknown");
    $("btn-pause").disabled = status !== "playing";
    $("btn-resume").disabled = status !== "paused";
    $("btn-skip").disabled = status !== "playing";
    $("btn-stop").disabled = status === "stopped";
  }

  function showStatus(s) {
    if (!s) return;
    setStatus(s.status);
    $("product").textContent = (s.on_screen && s.on_screen.title) || "—";
    const pending = s.pending || [];
    $("pending-count").textContent = String(pending.length);
    const list = $("pending-list");
    list.replaceChildren(...pending.map((p) => el("li", "", p.comment
      ? `${p.kind}: ${p.comment.user || "viewer"} — “${p.comment.text || ""}”` : p.kind)));
  }

  async function pollStatus() {
    if (state.user) {
      const r = await api("GET", "/api/show/status");
      if (r.ok) showStatus(r.data);
    }
    setTimeout(pollStatus, 2000);
  }

  async function command(action) {
    if (action === "stop" && !confirm("Stop the show? The host stops talking until the show is started again.")) return;
    const r = await api("POST", "/api/show/" + action);
    if (r.ok) showStatus(r.data.status);
    else if (r.code !== 401 && r.code !== 403) notice(`“${action}” did not work: ${r.data.error || r.code}`);
  }

  for (const b of document.querySelectorAll("button[data-action]")) {
    b.addEventListener("click", () => command(b.dataset.action));
  }

  $("say-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("say-text").value.trim();
    const msg = $("say-msg");
    if (!text) { msg.textContent = "Type something first."; msg.className = "msg bad"; return; }
    const r = await api("POST", "/api/show/say", { text, language: $("say-lang").value || null });
    msg.className = r.ok ? "msg" : "msg bad";
    msg.textContent = r.ok ? "Sent: the host says it next." : (r.data.error || "not sent");
    if (r.ok) { $("say-text").value = ""; showStatus(r.data.status); }
  });

  // ---- live feed --------------------------------------------------------------------------------------
  function addFeed(li) {
    const feed = $("chat");
    feed.prepend(li);
    while (feed.children.length > MAX_FEED) feed.lastElementChild.remove();
  }

  function addChat(m) {
    state.chats += 1;
    const blocked = m.action === "block";
    if (blocked) state.blocked += 1;
    const li = el("li", blocked ? "blocked" : m.action);
    li.append(el("span", "who", m.user || "viewer"), el("span", "text", m.text || `(${m.event})`));
    const tags = el("span", "tags");
    tags.append(el("span", "tag " + m.action, ACTIONS[m.action] || m.action));
    if (m.category) tags.append(el("span", "tag", m.category.replace(/_/g, " ")));
    li.append(tags);
    if (m.reason) li.append(el("span", "why", (blocked ? "Blocked because: " : "Why: ") + m.reason));
    addFeed(li);
  }

  function onEvent(m) {
    switch (m.type) {
      case "state": setStatus(m.status); break;
      case "product": $("product").textContent = m.title || "—"; break;
      case "chat": addChat(m); break;
      case "audio": $("speaking-text").textContent = `(${m.kind}) ${m.text}`; break;
      case "utterance_end":
        if (m.spoken && m.kind !== "script") addFeed(el("li", "host", `Host (${m.kind}): ${m.spoken}`));
        break;
      default: break;
    }
  }

  function connect(delay) {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    if (!state.user) return;
    const ws = new WebSocket(`${proto}//${location.host}/console/ws`);
    ws.onopen = () => { state.linked = true; $("link").textContent = "Live"; $("link").className = "link on"; delay = 1000; };
    ws.onmessage = (ev) => { try { onEvent(JSON.parse(ev.data)); } catch (_) { /* ignore a bad message */ } };
    ws.onclose = () => {
      state.linked = false;
      $("link").textContent = "Live chat off — retrying";
      $("link").className = "link off";
      setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
    };
  }

  $("show-blocked").addEventListener("change", (ev) => $("chat").classList.toggle("hide-blocked", !ev.target.checked));

  // ---- prompt editor ----------------------------------------------------------------------------------
  const GROUPS = [["Host prompts", (p) => p.endsWith(".md")], ["Fixed phrases", (p) => !p.includes("/")],
    ["Sales scripts", (p) => p.startsWith("scripts/")], ["Banned topics", (p) => p.startsWith("banned_topics/")],
    ["Other", () => true]];
  const text = $("ed-text");

  function dirty() { return state.file !== null && text.value !== state.saved; }
  function edError(msg) { $("ed-error").textContent = msg || ""; $("ed-error").hidden = !msg; }
  function edMsg(msg, bad) { $("ed-msg").textContent = msg || ""; $("ed-msg").className = bad ? "msg bad" : "msg"; }
  function refreshDirty() {
    $("ed-state").textContent = dirty() ? "Unsaved changes" : "";
    $("ed-save").disabled = !state.editable || !dirty();
    $("ed-revert").disabled = !dirty();
  }

  async function loadFiles() {
    const r = await api("GET", "/api/prompts");
    if (!r.ok) return;
    const nav = $("files");
    nav.replaceChildren();
    const left = [...r.data.files];
    for (const [title, test] of GROUPS) {
      const mine = left.filter((f) => test(f.path));
      if (!mine.length) continue;
      nav.append(el("h3", "", title));
      for (const f of mine) {
        left.splice(left.indexOf(f), 1);
        const b = el("button", f.editable ? "" : "readonly", f.path.split("/").pop());
        b.dataset.path = f.path;
        b.title = f.path;
        b.addEventListener("click", () => openFile(f.path));
        nav.append(b);
      }
    }
    markCurrent();
  }

  function markCurrent() {
    for (const b of $("files").querySelectorAll("button")) b.classList.toggle("current", b.dataset.path === state.file);
  }

  async function openFile(path, keepMessage) {
    if (dirty() && path !== state.file && !confirm("You have unsaved changes. Throw them away?")) return;
    const r = await api("GET", "/api/prompts/" + path);
    if (!r.ok) { edError(r.data.error); return; }
    state.file = path;
    state.baseMtime = r.data.mtime_ns;
    state.saved = r.data.content;
    state.editable = r.data.editable;
    text.value = r.data.content;
    text.disabled = false;
    text.readOnly = !r.data.editable;
    $("ed-name").textContent = path + (r.data.editable ? "" : " (read-only)");
    edError("");
    if (!keepMessage) edMsg("");
    refreshDirty();
    markCurrent();
    loadHistory();
  }

  async function save() {
    const r = await api("PUT", "/api/prompts/" + state.file, { content: text.value, base_mtime: state.baseMtime });
    if (r.ok) {
      state.baseMtime = r.data.mtime_ns;
      state.saved = r.data.content;
      edError("");
      edMsg("Saved. The host uses it from the next sentence.");
      refreshDirty();
      loadHistory();
    } else {
      edMsg("");
      const why = r.data.error || `error ${r.code}`;
      edError(r.code === 409 ? why + " — copy your text, then press “Undo my changes” to load the current version." : why);
    }
  }

  async function loadHistory() {
    const list = $("ed-versions");
    const path = state.file;
    const r = await api("GET", `/api/prompts/${path}/history`);
    if (!r.ok || path !== state.file) return;
    list.replaceChildren();
    if (!r.data.versions.length) list.append(el("li", "", "No earlier versions yet."));
    for (const v of r.data.versions) {
      const li = el("li", "", `${new Date(v.mtime * 1000).toLocaleString()} · ${v.size} bytes`);
      const b = el("button", "", "Restore");
      b.disabled = !state.editable;
      b.addEventListener("click", () => restore(v.version));
      li.append(b);
      list.append(li);
    }
  }

  async function restore(version) {
    if (dirty() && !confirm("You have unsaved changes. Throw them away and restore this version?")) return;
    if (!dirty() && !confirm("Restore this earlier version? It goes live at once.")) return;
    const r = await api("POST", `/api/prompts/${state.file}/rollback`, { version });
    if (!r.ok) { edError(r.data.error || `error ${r.code}`); return; }
    state.saved = "";
    text.value = "";
    await openFile(state.file, true);
    edMsg("Earlier version restored and live.");
  }

  text.addEventListener("input", refreshDirty);
  $("ed-save").addEventListener("click", save);
  $("ed-revert").addEventListener("click", () => { state.saved = text.value; openFile(state.file); });
  window.addEventListener("beforeunload", (ev) => { if (dirty()) ev.preventDefault(); });

  // ---- accounts -----------------------------------------------------------------------------------------
  function showLogin(message) {
    state.user = null;
    state.csrf = null;
    $("app").hidden = true;
    $("who").hidden = true;
    $("login").hidden = false;
    $("login-msg").textContent = message || "";
    $("login-name").focus();
  }

  function signedIn(me) {
    state.user = me.user;
    state.role = me.role;
    state.csrf = me.csrf;
    $("login").hidden = true;
    $("app").hidden = false;
    $("who").hidden = false;
    $("who-name").textContent = `${me.user} (${me.role})`;
    document.body.classList.toggle("read-only", me.role === "viewer");
    $("read-only-note").hidden = me.role !== "viewer";
    if (!state.started) {
      state.started = true;
      pollStatus();
      connect(1000);
      loadFiles();
    }
    document.dispatchEvent(new CustomEvent("livehost:signed-in", { detail: me }));
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/api/login", { name: $("login-name").value.trim(), password: $("login-pass").value });
    $("login-pass").value = "";
    if (r.ok) signedIn(r.data);
    else $("login-msg").textContent = r.data.error || `error ${r.code}`;
  });

  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/logout");
    showLogin("Logged out.");
  });

  window.livehost = { api, el, notice, state };

  (async () => {
    const r = await api("GET", "/api/me");
    if (r.ok) signedIn(r.data); else showLogin("");
  })();
})();
