// livehost overlay: plays the host's audio chunks back to back, lip-syncs the avatar to each chunk's
// loudness envelope, and shows captions, the product card and the chat feed. No build step, no CDN.
(() => {
  "use strict";

  const MAX_CHAT = 30;       // chat lines kept on screen
  const EVENT_LABELS = { join: "joined 👋", follow: "followed ❤", like: "liked 👍", gift: "sent a gift 🎁" };
  const MAX_TRACE = 3000;    // mouth samples kept for tests and debugging (~50 s at 60 fps)
  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 5000;

  // Public, read-only state: tests and curious operators read it from the console.
  const state = {
    connected: false, connects: 0, hellos: 0, label: "", show: "", status: "",
    playing: false, caption: "", mouth: 0, product: null,
    played: [], chat: [], blocked: 0, queued: 0, trace: [],
  };
  window.livehost = state;

  const $ = (id) => document.getElementById(id);
  const els = {
    label: $("ai-label"), status: $("status"), product: $("product"), title: $("product-title"),
    price: $("product-price"), mouth: $("mouth"), chat: $("chat"), caption: $("caption"),
  };

  // ---- audio queue -------------------------------------------------------------------------------
  const queue = [];
  let current = null; // {msg, el, url}

  function wavBlob(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: "audio/wav" });
  }

  function enqueue(msg) {
    queue.push(msg);
    state.queued = queue.length;
    if (!current) playNext();
  }

  function playNext() {
    const msg = queue.shift();
    state.queued = queue.length;
    if (!msg) {
      current = null;
      setCaption("");
      return;
    }
    const url = URL.createObjectURL(wavBlob(msg.data));
    const el = new Audio(url);
    current = { msg, el, url };
    el.addEventListener("ended", () => finish(el, true));
    el.addEventListener("error", () => finish(el, false));
    setCaption(msg.text || "");
    el.play().catch((err) => {
      console.warn("livehost: audio playback refused", err);
      finish(el, false);
    });
  }

  function finish(el, completed) {
    if (!current || current.el !== el) return;
    const { msg, url } = current;
    current = null;
    el.pause();
    URL.revokeObjectURL(url);
    if (completed) state.played.push({ id: msg.id, seq: msg.seq, text: msg.text });
    playNext();
  }

  function interrupt(utteranceId) {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].id === utteranceId) queue.splice(i, 1);
    state.queued = queue.length;
    if (current && current.msg.id === utteranceId) finish(current.el, false);
  }

  // ---- mouth, driven by the audio element's own clock --------------------------------------------
  function mouthLevel() {
    if (!current) return [false, 0];
    const el = current.el;
    if (el.paused || el.ended) return [false, 0];
    const levels = current.msg.levels || [];
    const hz = current.msg.level_hz || 50;
    const pos = el.currentTime * hz;
    const i = Math.floor(pos);
    if (i >= levels.length) return [true, 0];
    const a = levels[i], b = i + 1 < levels.length ? levels[i + 1] : a;
    return [true, Math.max(0, Math.min(1, a + (b - a) * (pos - i)))];
  }

  function frame() {
    const [playing, mouth] = mouthLevel();
    state.playing = playing;
    state.mouth = mouth;
    els.mouth.setAttribute("ry", (1.5 + mouth * 11).toFixed(2));
    els.mouth.setAttribute("rx", (14 - mouth * 3).toFixed(2));
    state.trace.push({ t: performance.now(), playing, mouth });
    if (state.trace.length > MAX_TRACE) state.trace.splice(0, state.trace.length - MAX_TRACE);
    requestAnimationFrame(frame);
  }

  // ---- captions, product card, chat, status ------------------------------------------------------
  function setCaption(text) {
    state.caption = text;
    els.caption.textContent = text;
    els.caption.hidden = !text;
  }

  function formatPrice(price, currency) {
    if (price === null || price === undefined) return "";
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(price);
    } catch (_) {
      return `${price} ${currency || ""}`.trim();
    }
  }

  function showProduct(msg) {
    state.product = { id: msg.product_id, title: msg.title, price: msg.price, currency: msg.currency };
    els.title.textContent = msg.title || "";
    const price = formatPrice(msg.price, msg.currency);
    els.price.textContent = price;
    els.price.hidden = !price;
    els.product.hidden = !msg.title;
  }

  function addChat(msg) {
    if (msg.action === "block") { // never display blocked text, not even greyed out
      state.blocked += 1;
      return;
    }
    const line = document.createElement("div");
    line.className = `chat-line ${msg.event || ""}`;
    const user = document.createElement("span");
    user.className = "chat-user";
    user.textContent = msg.user || "";
    const text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = msg.text || EVENT_LABELS[msg.event] || "";
    line.append(user, text);
    els.chat.append(line);
    while (els.chat.children.length > MAX_CHAT) els.chat.firstElementChild.remove();
    state.chat.push({ user: msg.user, text: msg.text });
    if (state.chat.length > MAX_CHAT) state.chat.shift();
  }

  function setStatus(status) {
    state.status = status;
    els.status.textContent = status === "paused" ? "Paused" : status === "stopped" ? "Off air" : "";
    els.status.hidden = !els.status.textContent;
  }

  function onMessage(msg) {
    switch (msg.type) {
      case "hello":
        state.hellos += 1;
        state.show = msg.show || "";
        if (msg.ai_label) els.label.textContent = msg.ai_label;
        state.label = els.label.textContent;
        break;
      case "product": showProduct(msg); break;
      case "state": setStatus(msg.status); break;
      case "audio": enqueue(msg); break;
      case "utterance_end": if (msg.interrupted) interrupt(msg.id); break;
      case "chat": addChat(msg); break;
      default: break; // utterance_start and future types: nothing to draw
    }
  }

  // ---- connection, with automatic reconnect -------------------------------------------------------
  const params = new URLSearchParams(location.search);
  const wsUrl = params.get("ws") ||
    `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
  let retryMs = RETRY_MIN_MS;

  function connect() {
    const ws = new WebSocket(wsUrl);
    ws.onopen = () => {
      state.connected = true;
      state.connects += 1;
      retryMs = RETRY_MIN_MS;
    };
    ws.onmessage = (ev) => {
      try { onMessage(JSON.parse(ev.data)); } catch (err) { console.warn("livehost: bad message", err); }
    };
    ws.onclose = () => {
      state.connected = false;
      setTimeout(connect, retryMs);
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    };
  }

  state.label = els.label.textContent;
  requestAnimationFrame(frame);
  connect();
})();
