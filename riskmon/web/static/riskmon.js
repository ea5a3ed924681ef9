// riskmon: send the session's CSRF token with every htmx request (the CSP forbids inline script,
// so this lives here). The token is in <meta name="csrf-token"> of each page.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
