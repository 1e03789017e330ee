// The collapsing main menu on narrow screens. Without JavaScript the menu simply wraps
// (site.css); with it, a "Danh mục" button shows and hides it. A static file, no inline
// script, so a strict Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  function setup() {
    var header = document.getElementById("top");
    var button = header && header.querySelector(".menu-toggle");
    if (!button) return;
    document.documentElement.classList.add("js-menu");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = header.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && header.classList.contains("open")) {
        header.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
