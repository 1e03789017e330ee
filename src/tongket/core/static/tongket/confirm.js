// A form with data-confirm asks before it is sent. Kept in a static file: the
// Content-Security-Policy allows no inline script (no onsubmit="…" attributes).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
