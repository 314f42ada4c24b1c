// Approval mode, the on-air record and the audit trail: panels of the moderator console (see console.js).
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { api, el, state } = window.livehost;
  const review = { drafts: {}, shown: "" };
  window.livehostReview = review;

  // ---- approval mode ----------------------------------------------------------------------------------
  function facts(r) {
    const lines = (r.facts || []).length ? r.facts : ["(no sheet fact: " + (r.source || "fixed line") + ")"];
    return lines.join(" · ");
  }

  function renderWaiting(waiting) {
    const key = waiting.map((r) => r.id).join(",");
    for (const r of waiting) {
      const box = document.querySelector(`#ap-list li[data-id='${r.id}'] .due`);
      if (box) box.textContent = `${Math.ceil(r.expires_in_s)} s left`;
    }
    if (key === review.shown) return; // keep what the moderator is typing
    review.shown = key;
    const list = $("ap-list");
    list.replaceChildren();
    if (!waiting.length) list.append(el("li", "empty", "Nothing waiting."));
    for (const r of waiting) {
      const li = el("li", "waiting");
      li.dataset.id = r.id;
      li.append(el("span", "due", `${Math.ceil(r.expires_in_s)} s left`));
      const c = r.comment || {};
      li.append(el("p", "comment", `${c.user || "viewer"}: “${c.text || ""}”` +
        ((r.comments || []).length > 1 ? ` (+${r.comments.length - 1} asking the same)` : "")));
      if (r.product_title) li.append(el("p", "product", "Product: " + r.product_title));
      li.append(el("p", "facts", "Facts: " + facts(r)));
      const text = el("textarea", "reply-text");
      text.value = review.drafts[r.id] ?? r.text;
      text.setAttribute("aria-label", "Reply to " + (c.user || "viewer"));
      text.addEventListener("input", () => { review.drafts[r.id] = text.value; });
      const approve = el("button", "primary", "Approve");
      approve.addEventListener("click", () => decide(r, "approve", text.value));
      const reject = el("button", "", "Reject");
      reject.addEventListener("click", () => decide(r, "reject"));
      li.append(text, approve, reject);
      list.append(li);
    }
  }

  async function decide(r, action, text) {
    const body = action === "approve" ? { text: text === r.text ? null : text } : undefined;
    const res = await api("POST", `/api/approvals/${r.id}/${action}`, body);
    const msg = $("ap-msg");
    msg.className = res.ok ? "msg" : "msg bad";
    if (res.ok) {
      delete review.drafts[r.id];
      msg.textContent = action === "reject" ? "Rejected: it will not be said." : "Approved: the host says it next.";
    } else {
      msg.textContent = res.data.error || `error ${res.code}`;
    }
    review.shown = "";
    poll(true);
  }

  async function poll(once) {
    if (state.user) {
      const [s, w] = await Promise.all([api("GET", "/api/show/status"), api("GET", "/api/approvals")]);
      if (s.ok && s.data.approval) $("ap-mode").checked = !!s.data.approval.enabled;
      if (w.ok) renderWaiting(w.data.waiting || []);
    }
    if (!once) setTimeout(poll, 1000);
  }

  $("ap-mode").addEventListener("change", async (ev) => {
    const res = await api("POST", "/api/approvals/mode", { enabled: ev.target.checked });
    if (!res.ok) { ev.target.checked = !ev.target.checked; $("ap-msg").textContent = res.data.error || "not changed"; }
  });

  // ---- the on-air record ------------------------------------------------------------------------------
  function query() {
    const q = new URLSearchParams();
    for (const [k, id] of [["text", "rec-text"], ["product", "rec-product"], ["user", "rec-user"]]) {
      const v = $(id).value.trim();
      if (v) q.set(k, v);
    }
    return q;
  }

  async function search(ev) {
    if (ev) ev.preventDefault();
    const q = query();
    $("rec-export").href = "/api/record/export" + (q.toString() ? "?" + q : "");
    q.set("limit", "100");
    const r = await api("GET", "/api/record?" + q);
    if (!r.ok) return;
    const list = $("rec-list");
    list.replaceChildren();
    if (!r.data.entries.length) list.append(el("li", "", "Nothing found."));
    for (const e of r.data.entries) {
      const li = el("li", "said " + e.kind);
      const when = new Date(e.at * 1000).toLocaleTimeString();
      li.append(el("span", "who", `${when} · ${e.kind}`), el("span", "text", e.text));
      if (e.comment) li.append(el("span", "why", `answers ${e.comment.user}: “${e.comment.text}”`));
      if ((e.facts || []).length) li.append(el("span", "why", "facts: " + e.facts.join(" · ")));
      if ((e.rejected || []).length) li.append(el("span", "why", "stopped by the guards: " +
        e.rejected.map((x) => x[1]).join("; ")));
      if (e.approval) li.append(el("span", "why", `${e.approval.action} by ${e.approval.who}`));
      list.append(li);
    }
  }

  // ---- the audit trail --------------------------------------------------------------------------------
  async function audit() {
    const r = await api("GET", "/api/audit?limit=50");
    const list = $("au-list");
    if (!r.ok) { list.replaceChildren(el("li", "", r.data.error || "not available")); return; }
    list.replaceChildren();
    for (const a of r.data.entries) {
      const when = new Date(a.at * 1000).toLocaleString();
      const li = el("li", a.ok ? "" : "blocked");
      li.append(el("span", "who", `${when} · ${a.who || "?"}`), el("span", "text", `${a.action} ${a.target || ""}`));
      if (a.detail) li.append(el("span", "why", a.detail));
      list.append(li);
    }
  }

  $("rec-form").addEventListener("submit", search);
  $("au-refresh").addEventListener("click", audit);
  document.addEventListener("livehost:signed-in", () => { poll(); search(); audit(); }, { once: true });
})();
