// Live progress of background jobs and snapshot runs, and the header's
// notification badge. Loaded with <script src defer> (the CSP forbids
// inline code); every page works without it, only less live.
//
// - An element with data-poll and data-job (the job page) polls its JSON
//   every second while the job is active.
// - table.jobs[data-poll] (the jobs page) polls the list's JSON every
//   second while one of its jobs is active.
// - [data-runs-poll] (the snapshot runs page) polls /runs's JSON every two
//   seconds while a snapshot runs.
// - .notify[data-notify] (the header) is refreshed every few seconds.
(function () {
  "use strict";

  var JOB_EVERY = 1000, RUNS_EVERY = 2000, BADGE_EVERY = 5000;

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }

  // every calls step now and then again after ms while it resolves true.
  function every(ms, step) {
    function run() {
      step().then(function (again) { if (again) { setTimeout(run, ms); } }, function () { setTimeout(run, ms * 5); });
    }
    setTimeout(run, ms);
  }

  function setText(root, sel, text) {
    var el = root.querySelector(sel);
    if (el && text !== undefined && el.textContent !== text) { el.textContent = text; }
  }

  function setLink(root, sel, url) {
    var el = root.querySelector(sel);
    if (!el) { return; }
    if (url) { el.setAttribute("href", url); el.hidden = false; } else { el.hidden = true; }
  }

  function setBar(bar, percent, indefinite) {
    if (!bar) { return; }
    if (indefinite) { bar.removeAttribute("value"); } else { bar.value = percent; bar.textContent = String(percent); }
  }

  // showJob puts job j (the JSON of /jobs/{id}) on the element root.
  function showJob(root, j) {
    setBar(root.querySelector(".job-bar"), j.percent, j.status === "running" && j.rows_total <= 0);
    setText(root, ".job-progress-text", j.progress_text);
    setText(root, ".job-status-text", j.status_text);
    var state = root.querySelector(".job-state");
    if (state) { state.className = "job-state state-" + j.status; }
    setText(root, ".job-errors-text", j.errors_text);
    setLink(root, ".job-errors-link", j.errors_url);
    setLink(root, ".job-download", j.download_url);
    setText(root, ".job-download .job-download-text", j.download_text);
    setText(root, ".job-download .job-file", j.file ? " " + j.file : "");
    var dl = root.querySelector(".job-download");
    if (dl) { dl.classList.toggle("lossy", j.status === "lossy"); }
    setLink(root, ".job-download-errors", j.download_url ? j.errors_url : "");
    var leave = root.querySelector(".job-leave");
    if (leave) { leave.hidden = !j.active; }
    var over = root.querySelector(".job-over");
    if (over) { over.hidden = j.active; }
    var cancel = root.querySelector("form.job-cancel");
    if (cancel) { cancel.hidden = !j.active; }
    if (j.active) { root.setAttribute("data-active", ""); } else { root.removeAttribute("data-active"); }
  }

  function pollJob(root) {
    every(JOB_EVERY, function () {
      return getJSON(root.getAttribute("data-poll")).then(function (j) { showJob(root, j); return j.active; });
    });
  }

  function pollList(table) {
    every(JOB_EVERY, function () {
      return getJSON(table.getAttribute("data-poll")).then(function (list) {
        var active = false;
        list.jobs.forEach(function (j) {
          var row = table.querySelector('tr[data-job="' + j.id + '"]');
          if (row) { showJob(row, j); active = active || j.active; }
        });
        showNotify(list);
        return active;
      });
    });
  }

  // showNotify puts the notification area of data (the JSON of /jobs:
  // unseen, and notify's link_url and link_text) in the header.
  function showNotify(data) {
    var area = document.querySelector(".notify[data-notify]");
    if (!area || typeof data.unseen !== "number") { return; }
    var count = area.querySelector(".notify-count");
    if (count) { count.textContent = String(data.unseen); count.hidden = data.unseen === 0; }
    var n = data.notify || {}, latest = area.querySelector(".notify-latest");
    if (latest) {
      latest.hidden = !n.link_url;
      if (n.link_url) { latest.setAttribute("href", n.link_url); latest.textContent = n.link_text; }
    }
  }

  function pollBadge(area) {
    every(BADGE_EVERY, function () {
      if (document.hidden) { return Promise.resolve(true); }
      return getJSON(area.getAttribute("data-notify")).then(function (data) { showNotify(data); return true; });
    });
  }

  function showRuns(root, data) {
    (data.running || []).forEach(function (r) {
      var row = root.querySelector('[data-run="' + r.id + '"]');
      if (!row) { return; }
      setBar(row.querySelector(".run-bar"), r.percent, r.tables_total <= 0);
      setText(row, ".run-progress-text", r.progress_text);
      setText(row, ".run-duration", r.duration_text);
      setText(row, ".run-rows", r.rows_text);
      setText(row, ".run-size", r.size_text);
    });
    return (data.running || []).length > 0;
  }

  function pollRuns(root) {
    every(RUNS_EVERY, function () {
      return getJSON(root.getAttribute("data-runs-poll")).then(function (data) {
        var still = showRuns(root, data);
        if (!still) { window.location.reload(); }
        return still;
      });
    });
  }

  function start() {
    var job = document.querySelector("section.job[data-poll][data-active]");
    if (job) { pollJob(job); }
    var list = document.querySelector("table.jobs[data-poll]");
    if (list && list.querySelector("tr[data-active]")) { pollList(list); }
    var runs = document.querySelector("[data-runs-poll][data-active]");
    if (runs) { pollRuns(runs); }
    var area = document.querySelector(".notify[data-notify]");
    if (area) { pollBadge(area); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
