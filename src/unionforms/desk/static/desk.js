// The desk's few behaviours: upload with a progress bar, wait for the check, sort and filter tables.
// Plain JavaScript, served locally: nothing is fetched from elsewhere.
"use strict";
const CSRF = document.querySelector('meta[name="csrf"]').content;
const HEADERS = { "X-CSRF": CSRF, "X-Requested-With": "unionforms-desk" };

function entriesOf(entry, prefix) {  // a dropped folder's files, with their paths
  return new Promise((resolve) => {
    if (entry.isFile) { entry.file((f) => resolve([[prefix + f.name, f]]), () => resolve([])); return; }
    const reader = entry.createReader(); let all = [];
    const more = () => reader.readEntries(async (batch) => {
      if (!batch.length) { resolve(all); return; }
      for (const e of batch) { all = all.concat(await entriesOf(e, prefix + entry.name + "/")); }
      more();
    }, () => resolve(all));
    more();
  });
}

function showBar(done, total, text) {
  const bar = document.getElementById("bar"); bar.hidden = false;
  document.getElementById("fill").style.width = (total ? Math.round(100 * done / total) : 0) + "%";
  document.getElementById("bar-text").textContent = text;
}

function waitForCheck() {
  fetch("/api/state", { headers: HEADERS }).then((r) => r.json()).then((s) => {
    showBar(s.done, s.total, `正在审核：${s.done} / ${s.total}`);
    if (s.running) { setTimeout(waitForCheck, 300); } else { window.location = "/progress"; }
  });
}

function send(pairs) {
  if (!pairs.length) { return; }
  const data = new FormData();
  data.append("csrf", CSRF);
  for (const [name, file] of pairs) { data.append("files", file, name); }
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/collect");
  for (const [k, v] of Object.entries(HEADERS)) { xhr.setRequestHeader(k, v); }
  xhr.upload.onprogress = (e) => showBar(e.loaded, e.total, `正在上传：${Math.round(100 * e.loaded / e.total)}%`);
  xhr.onload = () => {
    let body = null; try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (xhr.status !== 200) { showBar(0, 1, (body && body.problem) || `上传未完成（${xhr.status}）`); return; }
    const refused = body.filter((r) => r.problem);
    if (refused.length) { sessionStorage.setItem("refused", refused.length); }
    waitForCheck();
  };
  xhr.onerror = () => showBar(0, 1, "上传未完成：连接中断");
  xhr.send(data);
}

function setUpUpload() {
  const form = document.getElementById("upload"); if (!form) { return; }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const pairs = [];
    for (const input of form.querySelectorAll('input[type="file"]')) {
      for (const f of input.files) { pairs.push([f.webkitRelativePath || f.name, f]); }
    }
    send(pairs);
  });
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault(); drop.classList.remove("over");
    let pairs = [];
    const items = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry());
    if (items.every((x) => x)) { for (const entry of items) { pairs = pairs.concat(await entriesOf(entry, "")); } }
    else { pairs = [...e.dataTransfer.files].map((f) => [f.name, f]); }
    send(pairs);
  });
}

function setUpTables() {
  for (const table of document.querySelectorAll("table.sortable")) {
    table.querySelectorAll("th").forEach((th, col) => th.addEventListener("click", () => {
      const body = table.tBodies[0]; const asc = !th.classList.contains("asc");
      table.querySelectorAll("th").forEach((h) => h.classList.remove("asc", "desc"));
      th.classList.add(asc ? "asc" : "desc");
      const num = th.dataset.sort === "num";
      const key = (row) => { const t = row.cells[col].textContent.trim(); return num ? (parseFloat(t) || 0) : t; };
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b); const c = num ? x - y : x.localeCompare(y, "zh-CN");
        return asc ? c : -c;
      });
      rows.forEach((r) => body.appendChild(r));
    }));
  }
  const state = document.getElementById("state-filter"); const name = document.getElementById("name-filter");
  if (!state) { return; }
  const apply = () => {
    let n = 0;
    for (const row of document.querySelectorAll("#units tbody tr")) {
      const ok = (!state.value || row.dataset.tags.split(" ").includes(state.value))
        && (!name.value || row.cells[1].textContent.includes(name.value.trim()));
      row.hidden = !ok; n += ok ? 1 : 0;
    }
    document.getElementById("shown-count").textContent = `显示 ${n} 个单位`;
  };
  state.addEventListener("change", apply); name.addEventListener("input", apply); apply();
}

document.addEventListener("DOMContentLoaded", () => { setUpUpload(); setUpTables(); });
