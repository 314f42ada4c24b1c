// The show's figures so far (the report's key figures, live): /api/figures polled every few seconds.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { state } = window.livehost;
  const EVERY_MS = 3000;
  const FIRST_MS = 1000;
  const figures = { polls: 0, last: null };
  window.livehostFigures = figures;

  const seconds = (ms) => (ms === null || ms === undefined ? "—" : (ms / 1000).toFixed(1) + " s");

  function show(f) {
    if (!f) {
      $("fig-note").textContent = "No on-air record: the figures need one (console.record_db).";
      return;
    }
    $("fig-qpm").textContent = f.questions_per_minute.toFixed(1);
    $("fig-unanswered").textContent = String(f.unanswered);
    $("fig-p50").textContent = seconds(f.latency_ms.p50);
    $("fig-p95").textContent = seconds(f.latency_ms.p95);
    $("fig-blocked").textContent = String(f.blocked);
    $("fig-note").textContent = `${f.questions} questions, ${f.replies} replies, ${f.comments} comments in ` +
      `${f.show_time} (questions a minute: over the last ${Math.round(f.window_s / 60)} min).`;
  }

  // a plain read: the console's api() helper would clear the notice line (the viewer's hint) on every answer
  async function poll() {
    if (state.user) {
      try {
        const res = await fetch("/api/figures", { headers: { Accept: "application/json" } });
        if (res.ok) {
          const data = await res.json();
          figures.polls += 1;
          figures.last = data.figures;
          show(data.figures);
        }
      } catch (_) {
        // the show is not reachable: the status badge says so; try again later
      }
    }
    setTimeout(poll, EVERY_MS);
  }

  // first read a moment after signing in, once the status, files and record panels have had theirs
  document.addEventListener("livehost:signed-in", () => setTimeout(poll, FIRST_MS), { once: true });
})();
