// The review queue: "check all" and "select the clean ones" (a static file: the site's CSP
// allows no inline script).
(function () {
  var boxes = document.querySelectorAll("#queue input[name=ids]");
  function pick(onlyClean, on) {
    boxes.forEach(function (b) {
      if (!onlyClean || b.dataset.clean) b.checked = on;
    });
  }
  var all = document.getElementById("check-all");
  if (all) all.addEventListener("change", function () { pick(true, all.checked); });
  var sc = document.getElementById("select-clean");
  if (sc) sc.addEventListener("click", function () { pick(true, true); });
})();
