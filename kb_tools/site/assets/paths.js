/* kb: progress through an onboarding path, kept in this browser (localStorage).
 * Each step carries a stable key (data-step), so ticks survive reloads and reordered steps.
 * Material's instant navigation swaps pages without reloading: document$ tells us when. */
(function () {
  "use strict";
  var PREFIX = "kb-path:";

  function load(name) {
    try {
      var done = JSON.parse(window.localStorage.getItem(PREFIX + name) || "[]");
      return Array.isArray(done) ? done : [];
    } catch (error) {
      return [];  // storage blocked or a damaged record: start from nothing
    }
  }

  function save(name, done) {
    try {
      if (done.length) window.localStorage.setItem(PREFIX + name, JSON.stringify(done));
      else window.localStorage.removeItem(PREFIX + name);
    } catch (error) { /* storage blocked: the ticks last until the page is left */ }
  }

  function setUp(section) {
    if (section.getAttribute("data-kb-ready")) return;
    section.setAttribute("data-kb-ready", "1");
    var name = section.getAttribute("data-kb-path");
    var steps = Array.prototype.slice.call(section.querySelectorAll(".kb-path-step"));
    var count = section.querySelector(".kb-path-count");

    function show() {
      var done = load(name);
      var ticked = 0;
      steps.forEach(function (step) {
        var isDone = done.indexOf(step.getAttribute("data-step")) >= 0;
        step.querySelector(".kb-path-check").checked = isDone;
        step.classList.toggle("kb-path-step--done", isDone);
        if (isDone) ticked += 1;
      });
      if (count) count.textContent = ticked + " of " + steps.length + " done";
    }

    steps.forEach(function (step) {
      var box = step.querySelector(".kb-path-check");
      box.setAttribute("autocomplete", "off");  // the browser must not restore ticks the record lacks
      box.addEventListener("change", function () {
        var key = step.getAttribute("data-step");
        var done = load(name).filter(function (other) { return other !== key; });
        if (box.checked) done.push(key);
        save(name, done);
        show();
      });
    });
    var reset = section.querySelector(".kb-path-reset");
    if (reset) {
      reset.addEventListener("click", function () {
        save(name, []);
        show();
      });
    }
    show();
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".kb-path[data-kb-path]"), setUp);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUpAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
