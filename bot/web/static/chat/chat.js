// Starts the rasa-webchat widget (node_modules/rasa-webchat/lib) in #chat, over Rasa's socket.io
// channel. Settings come from the page's data attributes, so no inline script is needed.
(function () {
  "use strict";
  var container = document.getElementById("chat");
  if (!container || !window.WebChat) {
    return;
  }
  window.WebChat.default({
    socketUrl: container.getAttribute("data-socket-url"),
    socketPath: "/socket.io/",
    initPayload: "/greet",
    title: "Permits assistant",
    subtitle: "Beijing E-Town",
    inputTextFieldHint: "Type your question...",
    connectingText: "Connecting to the assistant...",
    embedded: true,
    showFullScreenButton: false,
    hideWhenNotConnected: false,
    customMessageDelay: function () { return 0; },
    // the conversation (and its session id) survives a reload; Rasa keeps the session's room
    params: { storage: "local" }
  }, container);

  // The widget draws quick replies as clickable <div>s: make them real buttons for the keyboard
  // and screen readers (role, focus, Enter and Space).
  function asButtons(root) {
    var replies = root.querySelectorAll(".rw-reply:not(a):not([role])");
    Array.prototype.forEach.call(replies, function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          reply.click();
        }
      });
    });
  }
  new MutationObserver(function () { asButtons(container); }).observe(container, { childList: true, subtree: true });
}());
