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
}());
