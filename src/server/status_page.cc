// The live status page (/status): static HTML with a little JavaScript and no framework. Once a
// second it fetches /status.json (the same families as /metrics) and fills the page in place;
// rates are differences between two fetches. Every number shown has an id (tests read them).
#include "server/status.h"

namespace hs::server {

namespace {

constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>httpserv status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 1.4em; margin: 0 0 .2em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .5em; }
  #state { color: #5b6473; }
  #state.stale { color: #b3261e; font-weight: 600; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(11em, 1fr)); gap: .6em; }
  .card { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6em .8em; }
  .card .v { font-size: 1.5em; font-variant-numeric: tabular-nums; }
  .card .k { color: #5b6473; font-size: .85em; }
  table { border-collapse: collapse; background: #fff; border: 1px solid #dde1e7; }
  th, td { padding: .3em .8em; border-bottom: 1px solid #eceef2; text-align: right;
           font-variant-numeric: tabular-nums; }
  th:first-child, td:first-child { text-align: left; }
  th { background: #eef0f4; font-weight: 600; }
</style>
</head>
<body>
<h1>httpserv status</h1>
<div id="state">connecting&hellip;</div>

<h2>Traffic</h2>
<div class="cards">
  <div class="card"><div class="v" id="requests-total">&ndash;</div><div class="k">requests</div></div>
  <div class="card"><div class="v" id="requests-rate">&ndash;</div><div class="k">requests/s</div></div>
  <div class="card"><div class="v" id="in-flight">&ndash;</div><div class="k">in flight</div></div>
  <div class="card"><div class="v" id="connections">&ndash;</div><div class="k">connections open</div></div>
  <div class="card"><div class="v" id="bytes-in">&ndash;</div><div class="k">received</div></div>
  <div class="card"><div class="v" id="bytes-out">&ndash;</div><div class="k">sent</div></div>
  <div class="card"><div class="v" id="out-rate">&ndash;</div><div class="k">sent/s</div></div>
  <div class="card"><div class="v" id="errors">&ndash;</div><div class="k">5xx responses</div></div>
</div>

<h2>Modules</h2>
<div class="cards">
  <div class="card"><div class="v" id="threads-busy">&ndash;</div><div class="k">threads busy / limit</div></div>
  <div class="card"><div class="v" id="threads">&ndash;</div><div class="k">loop threads</div></div>
  <div class="card"><div class="v" id="queued">&ndash;</div><div class="k">queued / limit</div></div>
  <div class="card"><div class="v" id="queue-full">&ndash;</div><div class="k">503 (queue full)</div></div>
  <div class="card"><div class="v" id="timeouts">&ndash;</div><div class="k">timeouts</div></div>
  <div class="card"><div class="v" id="exceptions">&ndash;</div><div class="k">exceptions</div></div>
  <div class="card"><div class="v" id="crashes">&ndash;</div><div class="k">crashes (restarts)</div></div>
  <div class="card"><div class="v" id="cache">&ndash;</div><div class="k">fragment cache hits / misses</div></div>
</div>

<h2>TLS and HTTP/2</h2>
<div class="cards">
  <div class="card"><div class="v" id="tls-handshakes">&ndash;</div><div class="k">TLS handshakes</div></div>
  <div class="card"><div class="v" id="tls-resumed">&ndash;</div><div class="k">resumed</div></div>
  <div class="card"><div class="v" id="tls-failed">&ndash;</div><div class="k">failed handshakes</div></div>
  <div class="card"><div class="v" id="h2-connections">&ndash;</div><div class="k">HTTP/2 connections</div></div>
  <div class="card"><div class="v" id="h2-streams">&ndash;</div><div class="k">HTTP/2 streams</div></div>
  <div class="card"><div class="v" id="h2-resets">&ndash;</div><div class="k">resets received / sent</div></div>
</div>

<h2>Workers</h2>
<table id="workers"><thead><tr><th>worker</th><th>connections</th><th>loop lag</th><th>threads</th></tr></thead><tbody></tbody></table>

<h2>Responses by site and status</h2>
<table id="sites"><thead><tr><th>site</th><th>status</th><th>responses</th></tr></thead><tbody></tbody></table>

<script>
"use strict";
let last = null;

function metric(data, name) {
  const m = data.metrics[name];
  return m ? m.samples : [];
}
function sum(data, name) {
  return metric(data, name).reduce((a, s) => a + s.value, 0);
}
function text(id, value) {
  document.getElementById(id).textContent = value;
}
function count(n) {
  return Math.round(n).toLocaleString("en-US");
}
function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
}
function rows(tableId, cells) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...cells.map(r => {
    const tr = document.createElement("tr");
    for (const c of r) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function show(data) {
  const requests = sum(data, "httpserv_requests_total");
  const sent = sum(data, "httpserv_bytes_sent_total");
  text("requests-total", count(requests));
  text("in-flight", count(sum(data, "httpserv_requests_in_flight")));
  text("connections", count(sum(data, "httpserv_connections_active")));
  text("bytes-in", bytes(sum(data, "httpserv_bytes_received_total")));
  text("bytes-out", bytes(sent));
  text("errors", count(metric(data, "httpserv_requests_total")
      .filter(s => s.labels.status.startsWith("5")).reduce((a, s) => a + s.value, 0)));
  if (last !== null && data.time > last.time) {
    const dt = data.time - last.time;
    text("requests-rate", (Math.max(0, requests - last.requests) / dt).toFixed(1));
    text("out-rate", bytes(Math.max(0, sent - last.sent) / dt) + "/s");
  }
  last = { time: data.time, requests: requests, sent: sent };

  text("threads-busy", count(sum(data, "httpserv_module_threads_busy")) + " / " +
       count(sum(data, "httpserv_module_threads_limit")));
  text("threads", count(sum(data, "httpserv_module_threads")));
  text("queued", count(sum(data, "httpserv_module_queue_length")) + " / " +
       count(sum(data, "httpserv_module_queue_limit")));
  text("queue-full", count(sum(data, "httpserv_module_queue_full_total")));
  text("timeouts", count(sum(data, "httpserv_module_timeouts_total")));
  text("exceptions", count(sum(data, "httpserv_module_exceptions_total")));
  text("crashes", count(sum(data, "httpserv_module_crashes_total")));
  text("cache", data.metrics.httpserv_fragment_cache_hits_total
      ? count(sum(data, "httpserv_fragment_cache_hits_total")) + " / " +
        count(sum(data, "httpserv_fragment_cache_misses_total"))
      : "n/a");

  text("tls-handshakes", count(sum(data, "httpserv_tls_handshakes_total")));
  text("tls-resumed", count(sum(data, "httpserv_tls_resumptions_total")));
  text("tls-failed", count(sum(data, "httpserv_tls_handshake_failures_total")));
  text("h2-connections", count(sum(data, "httpserv_http2_connections_total")));
  text("h2-streams", count(sum(data, "httpserv_http2_streams_total")));
  text("h2-resets", count(sum(data, "httpserv_http2_resets_received_total")) + " / " +
       count(sum(data, "httpserv_http2_resets_sent_total")));

  const byWorker = {};
  for (const [name, key] of [["httpserv_connections_active", "c"],
                             ["httpserv_event_loop_lag_seconds", "lag"],
                             ["httpserv_event_loop_threads", "t"]]) {
    for (const s of metric(data, name)) {
      (byWorker[s.labels.worker] ??= {})[key] = s.value;
    }
  }
  rows("workers", Object.keys(byWorker).sort((a, b) => a - b).map(w => [
    w, count(byWorker[w].c ?? 0), ((byWorker[w].lag ?? 0) * 1000).toFixed(2) + " ms",
    count(byWorker[w].t ?? 0)]));
  rows("sites", metric(data, "httpserv_requests_total").map(s => [
    s.labels.site === "" ? "(none)" : s.labels.site, s.labels.status, count(s.value)]));

  const state = document.getElementById("state");
  state.className = "";
  state.textContent = "updated " + new Date(data.time * 1000).toISOString().replace("T", " ")
      .replace(/\.\d+Z$/, " UTC") + " \u2014 started " +
      new Date(sum(data, "httpserv_process_start_time_seconds") * 1000).toISOString()
      .replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

async function tick() {
  try {
    const r = await fetch("/status.json", { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    show(await r.json());
  } catch (e) {
    const state = document.getElementById("state");
    state.className = "stale";
    state.textContent = "cannot reach the server (" + e.message + "); retrying";
  }
  setTimeout(tick, 1000);
}
tick();
</script>
</body>
</html>
)HTML";

}  // namespace

std::string_view status_page_html() {
  return kPage;
}

}  // namespace hs::server
