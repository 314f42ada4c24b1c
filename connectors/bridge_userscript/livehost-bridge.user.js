// ==UserScript==
// @name         livehost bridge
// @namespace    livehost
// @version      0.1.0
// @description  Forward live-room comments from the page you are watching to livehost on this computer.
// @match        https://*.taobao.com/*
// @match        https://*.tmall.com/*
// @match        https://live.kuaishou.com/*
// @match        https://*.jd.com/*
// @grant        GM_xmlhttpRequest
// @connect      127.0.0.1
// @run-at       document-idle
// ==/UserScript==
//
// Reads the comment list with CSS selectors (per site, overridable with window.__livehostConfig), turns
// each new list item into a livehost event ({type, platform, room, user, user_id, text, id}) and sends it:
// to the Playwright forwarder's binding when present, else by GM_xmlhttpRequest to the bridge's HTTP
// ingress (not blocked by the page's CSP), else by WebSocket. Items already on the page are skipped.
// Set BRIDGE_URL and TOKEN below (the token is the value of LIVEHOST_BRIDGE_TOKEN).
(function () {
  "use strict";
  const BRIDGE_URL = "http://127.0.0.1:8791/bridge/events";
  const TOKEN = "";

  // The live pages' markup changes often: check these against the page and adjust.
  const SITES = {
    taobao: { host: /taobao|tmall/, list: ".comment-list", item: ".comment-item", user: ".comment-nick",
              text: ".comment-text", gift: ".comment-gift" },
    kuaishou: { host: /kuaishou/, list: ".chat-history", item: ".chat-info", user: ".username",
                text: ".comment", gift: ".gift-info" },
    jd: { host: /jd\.com/, list: "#chatList", item: "li", user: ".nick", text: ".msg", gift: ".gift" },
  };

  function pickConfig() {
    const given = window.__livehostConfig;
    if (given && given.selectors) return given;
    for (const [platform, sel] of Object.entries(SITES)) {
      if (sel.host.test(location.hostname)) {
        return { platform: platform, room: location.pathname, selectors: sel };
      }
    }
    return null;
  }

  function hash(s) {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0).toString(16);
  }

  function sender() {
    if (typeof window.__livehostForward === "function") return (ev) => window.__livehostForward(ev);
    if (typeof GM_xmlhttpRequest === "function") {
      return (ev) => GM_xmlhttpRequest({ method: "POST", url: BRIDGE_URL, data: JSON.stringify(ev),
        headers: { "Content-Type": "application/json", "X-Livehost-Token": TOKEN } });
    }
    let ws = null;
    const pending = [];
    return (ev) => {
      pending.push(JSON.stringify(ev));
      if (!ws || ws.readyState > 1) {
        ws = new WebSocket(BRIDGE_URL.replace(/^http/, "ws").replace("/events", "/ws") + "?token=" + TOKEN);
        ws.onopen = () => { while (pending.length) ws.send(pending.shift()); };
      } else if (ws.readyState === 1) {
        while (pending.length) ws.send(pending.shift());
      }
    };
  }

  function start(config) {
    const sel = config.selectors;
    const send = sender();
    const seen = new WeakSet();
    let counter = 0;
    const textOf = (node, s) => { const el = s && node.querySelector(s); return el ? el.textContent.trim() : ""; };

    function read(node) {
      if (!(node instanceof Element) || seen.has(node)) return;
      seen.add(node);
      const user = textOf(node, sel.user).replace(/[:：]\s*$/, "");
      const text = textOf(node, sel.text);
      const gift = textOf(node, sel.gift);
      if (!user || (!text && !gift)) return;
      counter += 1;
      const id = node.getAttribute("data-id") || hash(user + "|" + text + "|" + gift + "|" + counter);
      const ev = { platform: config.platform, room: config.room || "", user: user,
                   user_id: node.getAttribute("data-uid") || user, id: id, sent_at: Date.now() / 1000 };
      if (gift) {
        const m = gift.match(/^(.*?)\s*[x×*]\s*(\d+)\s*$/);
        ev.type = "gift";
        ev.gift = { name: m ? m[1] : gift, count: m ? parseInt(m[2], 10) : 1, value: 0 };
      } else {
        ev.type = "comment";
        ev.text = text;
      }
      send(ev);
    }

    function items(root) {
      return root.matches && root.matches(sel.item) ? [root] : Array.from(root.querySelectorAll(sel.item));
    }

    function attach(list) {
      items(list).forEach((n) => seen.add(n));  // the backlog is history, not live chat
      new MutationObserver((mutations) => {
        for (const m of mutations) m.addedNodes.forEach((n) => { if (n instanceof Element) items(n).forEach(read); });
      }).observe(list, { childList: true, subtree: true });
    }

    const wait = setInterval(() => {  // live pages render their lists late
      const list = document.querySelector(sel.list);
      if (list) { clearInterval(wait); attach(list); window.__livehostAttached = true; }
    }, 100);
  }

  function boot() {
    const config = pickConfig();
    if (config) start(config);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
