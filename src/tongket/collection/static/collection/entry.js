// Live totals and keyboard flow for the form as on paper. The server recomputes totals on
// save; this only spares the user a round trip. Enter moves to the next input.
(function () {
  function parse(text) {
    var t = String(text || "").trim().replace(/\./g, "").replace(",", ".");
    if (t === "") return null;
    var n = Number(t);
    return isFinite(n) ? n : NaN;
  }
  function fmt(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function recompute() {
    var sums = {};
    document.querySelectorAll("input[data-part]").forEach(function (el) {
      var key = el.getAttribute("data-part");
      var n = parse(el.value);
      if (!(key in sums)) sums[key] = null;
      if (n !== null && !isNaN(n)) sums[key] = (sums[key] || 0) + n;
    });
    document.querySelectorAll("output[data-total]").forEach(function (out) {
      var key = out.getAttribute("data-total");
      if (key in sums) out.textContent = sums[key] === null ? "" : fmt(sums[key]);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = Array.prototype.slice.call(document.querySelectorAll("input[data-part]"));
    inputs.forEach(function (el, i) {
      el.addEventListener("input", recompute);
      el.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") {
          ev.preventDefault();
          var next = inputs[i + 1];
          if (next) next.focus();
        }
      });
    });
    recompute();
  });
})();
