/* kb agent desk, call mode's memory: the call is kept in this tab's sessionStorage, so closing and
 * reopening call mode resumes it, across pages too.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var STORE = "kb-call";

  function load() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return kept && typeof kept === "object" ? kept : null;
    } catch (error) {
      return null;
    }
  }

  function save(call) {
    try {
      if (call) sessionStorage.setItem(STORE, JSON.stringify(call));
      else sessionStorage.removeItem(STORE);
    } catch (error) { /* storage blocked: the call still works on this page */ }
  }

  /** The position (0-based) of step `number` of the list at `anchor`, or of that list's first step. */
  function positionAt(steps, anchor, number) {
    var index = -1;
    steps.forEach(function (step, i) {
      if (index >= 0 || (anchor && step.section !== anchor)) return;
      if (!number || step.number === number) index = i;
    });
    return Math.max(index, 0);
  }

  kb.callStore = { load: load, save: save, positionAt: positionAt };
})(window.kbDesk = window.kbDesk || {});
