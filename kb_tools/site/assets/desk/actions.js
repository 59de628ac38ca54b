/* kb agent desk, the call tools under an article's title: Walk me through and Copy steps.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var DEPTH_NAMES = kb.DEPTH_NAMES;
  var make = kb.make;
  var button = kb.button;
  var currentDepth = kb.currentDepth;
  var onDepth = kb.onDepth;
  var pageSteps = kb.pageSteps;
  var stepsAt = kb.stepsAt;
  var stepsText = kb.stepsText;
  var copyText = kb.copyText;
  var callMode = kb.callMode;

  function mountActions() {
    var data = pageSteps();
    var article = document.querySelector(".md-content__inner");
    if (!data || !article || article.querySelector(".kb-desk-actions")) return;
    var count = make("span", { class: "kb-count" });
    var walk = button("Walk me through", { class: "md-button md-button--primary kb-walk", "aria-keyshortcuts": "w",
      title: "Walk me through (w: start at the section you are at)" }, function () {
      callMode.open(data, walk);
    });
    walk.append(" ", count);
    var copy = button("Copy steps", { class: "md-button kb-copy" }, function () {
      var depth = currentDepth();
      copyText(stepsText(data, depth)).then(function (copied) {
        var n = stepsAt(data, depth).length;
        status.textContent = copied
          ? "Copied " + n + " " + DEPTH_NAMES[depth] + " steps as plain text."
          : "Copying was blocked by the browser: select the steps on the page instead.";
      });
    });
    var status = make("span", { class: "kb-desk-actions__status", role: "status", "aria-live": "polite" });
    var emails = kb.customerEmails();
    var panel = emails ? kb.customerCopyPanel(emails, data.beginner.path, currentDepth, "any") : null;
    var forCustomer = panel ? button("Copy for the customer", { class: "md-button kb-copy-customer", "aria-expanded": "false",
      title: "A follow-up e-mail in the customer's words, without agent-only notes" }, function () {
      panel.hidden = !panel.hidden;
      forCustomer.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) panel.querySelector("textarea").focus();
    }) : null;
    var bar = make("div", { class: "kb-desk-actions", role: "group", "aria-label": "Call tools" },
      [walk, copy, forCustomer, status]);
    var anchor = article.querySelector(".kb-depth-hint") || article.querySelector(".kb-meta") ||
      article.querySelector("h1");
    if (anchor) anchor.after(bar);
    else article.prepend(bar);
    if (panel) {
      panel.hidden = true;
      bar.after(panel);
    }

    function show(depth) {
      if (!bar.isConnected) return false;
      var n = stepsAt(data, depth).length;
      count.textContent = "(" + n + (n === 1 ? " step, " : " steps, ") + DEPTH_NAMES[depth] + ")";
      walk.disabled = copy.disabled = n === 0;
      if (panel) panel.kbUpdate();
    }
    onDepth(show);
    show(currentDepth());
    bar.kbStatus = status;
    callMode.resume(data, walk); // an answer in call mode led to this page: go on here
  }

  /** `w` starts call mode wherever the agent is: at the first step of the section the page is at. */
  function onStartKey(event) {
    if (event.key !== "w" || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var searchToggle = document.getElementById("__search");
    if (callMode.isOpen() || (searchToggle && searchToggle.checked)) return;
    var target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
    var walk = document.querySelector(".kb-walk");
    var data = pageSteps();
    if (!walk || walk.disabled || !data) return;
    event.preventDefault();
    event.stopPropagation();
    callMode.openAt(data, decodeURIComponent(location.hash.slice(1)), walk);
  }

  window.addEventListener("keydown", onStartKey, true);

  kb.mountActions = mountActions;
})(window.kbDesk = window.kbDesk || {});
