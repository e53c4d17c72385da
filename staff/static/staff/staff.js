// Staff screens: small progressive enhancements. Every form still works without script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // htmx must not swap error responses silently: show the server's message instead.
  document.body.addEventListener("htmx:responseError", (event) => {
    const target = event.detail.target;
    if (target && event.detail.xhr.responseText && event.detail.xhr.getResponseHeader("Content-Type")?.startsWith("text/html")) {
      target.innerHTML = event.detail.xhr.responseText;
    }
  });
});
