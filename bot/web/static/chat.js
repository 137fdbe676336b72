// The web chat page: sends what the visitor types or presses, shows the bot's replies.
// No framework and no build step; every text comes from the page (handlers/texts.py).
"use strict";

(function () {
  const main = document.querySelector("main.chat");
  const api = main.dataset.api;
  const inbox = main.dataset.inbox;
  const INBOX_POLL_MS = 3000;
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  let busy = false;

  // `author`: the agent who writes ("Nhân viên Lan"), shown as the message's first line.
  function addMessage(who, text, extraClass, author) {
    const item = document.createElement("div");
    item.className = "message " + who + (extraClass ? " " + extraClass : "");
    const speaker = document.createElement("span");
    speaker.className = "who";
    speaker.textContent = author || (who === "you" ? texts.you : texts.bot) + ": ";
    item.appendChild(speaker);
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    return item;
  }

  // Show the newest message once it is complete: all of it when it fits in the log, else its
  // beginning. Called again when a picture has been decoded, in case its size changed.
  function reveal(item) {
    if (item !== log.lastElementChild) {
      return;
    }
    const room = log.clientHeight;
    if (item.offsetHeight > room) {
      log.scrollTop += item.getBoundingClientRect().top - log.getBoundingClientRect().top;
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  function addButtons(item, buttons) {
    const usable = buttons.filter(function (b) {
      return b.kind === "callback" || b.kind === "share_location" || b.kind === "url";
    });
    if (usable.length === 0) {
      return;
    }
    const group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", texts.buttons);
    usable.forEach(function (b) {
      if (b.kind === "url") {
        if (!/^https?:\/\//i.test(b.data)) {
          return;
        }
        const link = document.createElement("a");
        link.href = b.data;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = b.label;
        group.appendChild(link);
        return;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.label;
      button.dataset.kind = b.kind;
      button.dataset.data = b.data;
      button.addEventListener("click", function () {
        if (b.kind === "share_location") {
          shareLocation(b.label);
        } else {
          post({ callback_data: b.data }, b.label);
        }
      });
      group.appendChild(button);
    });
    item.appendChild(group);
  }

  function showReplies(replies, isError) {
    replies.forEach(function (reply) {
      const who = reply.author ? "agent" : "bot";
      const item = addMessage(who, reply.text, isError ? "error" : "", reply.author);
      if (reply.image) {
        const picture = document.createElement("img");
        if (reply.width && reply.height) {
          picture.width = reply.width; // the place is kept while the picture is decoded
          picture.height = reply.height;
        }
        picture.alt = reply.caption || "";
        picture.addEventListener("load", function () {
          reveal(item);
        });
        picture.src = "data:image/png;base64," + reply.image;
        item.appendChild(picture);
      }
      addButtons(item, reply.buttons || []);
      reveal(item);
    });
  }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
  }

  async function post(message, shown) {
    if (busy) {
      return;
    }
    if (shown) {
      reveal(addMessage("you", shown));
    }
    setBusy(true);
    try {
      const response = await fetch(api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Dienbot-Chat": "1" },
        body: JSON.stringify(message),
      });
      let body = null;
      try {
        body = await response.json();
      } catch (ignored) {
        body = null;
      }
      if (body && Array.isArray(body.replies)) {
        showReplies(body.replies, !response.ok);
      } else {
        showReplies([{ text: texts.networkError, buttons: [] }], true);
      }
    } catch (error) {
      showReplies([{ text: texts.networkError, buttons: [] }], true);
    } finally {
      setBusy(false);
      input.focus();
    }
  }

  function shareLocation() {
    if (!navigator.geolocation) {
      showReplies([{ text: texts.locationUnavailable, buttons: [] }], true);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        post(
          { location: { lat: position.coords.latitude, lon: position.coords.longitude } },
          texts.locationSent
        );
      },
      function () {
        showReplies([{ text: texts.locationUnavailable, buttons: [] }], true);
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
    );
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) {
      return;
    }
    input.value = "";
    post({ text: text }, text);
  });

  // Messages queued for the visitor (an agent's reply, a case notice, a survey): the page asks
  // every few seconds, since a web page gets no push.
  async function pollInbox() {
    try {
      const response = await fetch(inbox, {
        credentials: "same-origin",
        headers: { "X-Dienbot-Chat": "1" },
      });
      const body = response.ok ? await response.json() : null;
      if (body && Array.isArray(body.replies)) {
        showReplies(body.replies, false);
      }
    } catch (ignored) {
      // the next poll tries again
    }
    window.setTimeout(pollInbox, INBOX_POLL_MS);
  }

  // The first screen: the bot greets and offers to link a customer code.
  post({ text: "/start" }, null);
  window.setTimeout(pollInbox, INBOX_POLL_MS);
})();
