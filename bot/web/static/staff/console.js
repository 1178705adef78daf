// Live view of a ticket: polls the new lines every 2 seconds and appends them as text (never HTML).
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list) { return; }
  var state = document.getElementById("live-state");
  var url = list.getAttribute("data-url");
  var lastId = parseInt(list.getAttribute("data-last-id"), 10) || 0;
  var status = list.getAttribute("data-status");
  var labels = { user: "person", bot: "assistant", staff: "staff" };

  function line(message) {
    var item = document.createElement("li");
    item.className = "line " + (labels[message.who] ? message.who : "user");
    item.setAttribute("data-id", String(message.id));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.who === "staff" ? (message.staff || "staff") : (labels[message.who] || "person");
    var time = document.createElement("time");
    time.textContent = new Date(message.at).toLocaleString();
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    item.appendChild(who); item.appendChild(time); item.appendChild(text);
    if (message.delivery === "pending") {
      var pending = document.createElement("span");
      pending.className = "delivery pending";
      pending.textContent = "not delivered yet (reload to retry)";
      item.appendChild(pending);
    }
    return item;
  }

  function poll() {
    fetch(url + "?after=" + lastId, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.href = "/staff/login"; throw new Error("logged out"); }
        return response.json();
      })
      .then(function (data) {
        data.messages.forEach(function (message) {
          if (message.id > lastId && !list.querySelector('[data-id="' + message.id + '"]')) {
            list.appendChild(line(message));
            list.scrollTop = list.scrollHeight;
          }
          lastId = Math.max(lastId, message.id);
        });
        if (state) { state.textContent = data.live ? "· live" : "· the assistant cannot be reached; retrying"; }
        if (data.status !== status) { window.location.reload(); return; }
        if (data.status === "handed_back" || data.status === "closed") { return; }  // nothing new will come
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  list.scrollTop = list.scrollHeight;
  if (status === "queued" || status === "claimed") { window.setTimeout(poll, 1000); }
}());
