/* kb agent desk, the site-wide depth (Beginner/Expert linked content tabs).
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var DEPTH_NAMES = kb.DEPTH_NAMES;
  var make = kb.make;
  var button = kb.button;

  var depthListeners = [];

  function depthOfLabel(text) {
    var found = null;
    Object.keys(DEPTH_NAMES).forEach(function (depth) {
      if (DEPTH_NAMES[depth] === text) found = depth;
    });
    return found;
  }

  /** The Beginner/Expert tab inputs on this page: [{input, depth}]. */
  function depthTabs() {
    var tabs = [];
    document.querySelectorAll(".tabbed-set > input").forEach(function (input) {
      var label = document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
      var depth = label && depthOfLabel(label.textContent.trim());
      if (depth) tabs.push({ input: input, depth: depth });
    });
    return tabs;
  }

  function storedTabs() {
    try {
      var tabs = typeof window.__md_get === "function" ? window.__md_get("__tabs") : null;
      return Array.isArray(tabs) ? tabs : [];
    } catch (error) {
      return [];
    }
  }

  /** The depth the agent chose: the checked depth tab, else the last one Material remembered. */
  function currentDepth() {
    var checked = depthTabs().filter(function (tab) { return tab.input.checked; })[0];
    if (checked) return checked.depth;
    var remembered = storedTabs().map(depthOfLabel).filter(Boolean)[0];
    return remembered || "beginner";
  }

  function setDepth(depth) {
    if (depth === currentDepth()) return;
    var tab = depthTabs().filter(function (t) { return t.depth === depth; })[0];
    if (tab) {
      tab.input.click(); // Material switches every linked tab set and remembers the choice
      return;
    }
    // No depth tabs here: record the choice the way Material does when a tab is clicked.
    if (typeof window.__md_set === "function") {
      var label = DEPTH_NAMES[depth];
      window.__md_set("__tabs", [label].concat(storedTabs().filter(function (t) { return t !== label; })));
    }
    announceDepth();
  }

  var depthQueued = false;
  function announceDepth() {
    if (depthQueued) return; // one linked switch changes many inputs: tell listeners once
    depthQueued = true;
    requestAnimationFrame(function () {
      depthQueued = false;
      var depth = currentDepth();
      // A listener answering false is gone (its page was swapped out by instant navigation).
      depthListeners = depthListeners.filter(function (listener) { return listener(depth) !== false; });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.closest(".tabbed-set")) announceDepth();
  });

  /** A Beginner/Expert switch that follows and sets the site-wide choice. */
  function depthSwitch(extraClass) {
    var group = make("div", { class: "kb-depth-switch " + (extraClass || ""), role: "group", "aria-label": "Depth" });
    Object.keys(DEPTH_NAMES).forEach(function (depth) {
      group.append(button(DEPTH_NAMES[depth], { "data-depth": depth, "aria-pressed": "false" }, function () {
        setDepth(depth);
      }));
    });
    function show(depth) {
      group.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.dataset.depth === depth));
      });
    }
    depthListeners.push(show);
    show(currentDepth());
    return group;
  }

  /** Call `listener(depth)` whenever the depth changes; it answers false once it is gone. */
  function onDepth(listener) {
    depthListeners.push(listener);
  }

  kb.currentDepth = currentDepth;
  kb.setDepth = setDepth;
  kb.depthSwitch = depthSwitch;
  kb.onDepth = onDepth;
})(window.kbDesk = window.kbDesk || {});
