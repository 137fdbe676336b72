// The agent console: keeps the queue and a case's transcript live by polling the JSON API,
// and fills the reply box from the canned answers. Everything works without it (forms).
"use strict";

(function () {
  const main = document.getElementById("main");
  const POLL_MS = 3000;

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function drawQueue(body, cases) {
    const rows = document.getElementById("queue-rows");
    rows.textContent = "";
    if (cases.length === 0) {
      const row = document.createElement("tr");
      row.className = "empty";
      const td = cell(row, "Không có hồ sơ nào.");
      td.colSpan = 8;
      rows.appendChild(row);
      return;
    }
    cases.forEach(function (c) {
      const row = document.createElement("tr");
      row.dataset.code = c.code;
      if (c.overdue) {
        row.className = "overdue";
      }
      const first = document.createElement("td");
      const link = document.createElement("a");
      link.href = c.url;
      link.textContent = c.code;
      first.appendChild(link);
      row.appendChild(first);
      cell(row, c.customer);
      cell(row, c.reason);
      cell(row, c.unit);
      cell(row, c.assignee);
      cell(row, c.status);
      const due = cell(row, c.due);
      if (c.overdue) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = "Quá hạn";
        due.appendChild(document.createTextNode(" "));
        due.appendChild(badge);
      }
      const last = cell(row, c.last + " ");
      const when = document.createElement("small");
      when.textContent = c.last_at;
      last.appendChild(when);
      rows.appendChild(row);
    });
  }

  function addLine(log, m) {
    const item = document.createElement("div");
    item.className = "msg " + m.author;
    item.dataset.id = String(m.id);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.who;
    const at = document.createElement("time");
    at.textContent = m.at;
    const text = document.createElement("p");
    text.textContent = m.text;
    if (m.file_url && m.file_url.startsWith("https://")) {
      const link = document.createElement("a");
      link.href = m.file_url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = m.file_label;
      text.appendChild(document.createTextNode(" "));
      text.appendChild(link);
    }
    item.appendChild(who);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(at);
    item.appendChild(text);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.status === 401) {
      window.location.href = "/agent/login";
      return null;
    }
    return response.ok ? response.json() : null;
  }

  function pollQueue(url) {
    async function tick() {
      try {
        const body = await getJson(url);
        if (body) {
          drawQueue(body, body.cases);
        }
      } catch (ignored) {
        // the next tick tries again
      }
      window.setTimeout(tick, POLL_MS);
    }
    window.setTimeout(tick, POLL_MS);
  }

  function pollCase(url, after) {
    const log = document.getElementById("transcript");
    let last = after;
    async function tick() {
      try {
        const body = await getJson(url + "?after=" + last);
        if (body) {
          body.messages.forEach(function (m) {
            if (m.id > last) {
              addLine(log, m);
              last = m.id;
            }
          });
        }
      } catch (ignored) {
        // the next tick tries again
      }
      window.setTimeout(tick, POLL_MS);
    }
    window.setTimeout(tick, POLL_MS);
  }

  const canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      const chosen = canned.options[canned.selectedIndex];
      const box = document.getElementById("reply-text");
      if (chosen && chosen.dataset.text && box) {
        box.value = chosen.dataset.text;
        box.focus();
      }
    });
  }
  if (main && main.dataset.liveQueue) {
    pollQueue(main.dataset.liveQueue);
  }
  if (main && main.dataset.liveCase) {
    pollCase(main.dataset.liveCase, Number(main.dataset.after || "0"));
  }
  const transcript = document.getElementById("transcript");
  if (transcript && transcript.lastElementChild) {
    transcript.lastElementChild.scrollIntoView({ block: "end" });
  }
})();
