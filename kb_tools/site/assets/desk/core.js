/* kb agent desk: search through `kb serve`'s API, call mode, "Copy steps" and article feedback.
 *
 * Plain JavaScript, no build step, nothing fetched from outside. Classic scripts rather than ES
 * modules, because browsers refuse modules on file:// pages: each file has one job, the kb plugin
 * loads them in order (core.js first, start.js last), and they share the `window.kbDesk` object.
 * Only documented Material hooks: `document$` (runs again after each instant navigation), the DOM state of the content-tab inputs
 * (the Beginner/Expert choice, linked site-wide by `content.tabs.link`), and Material's
 * documented `__md_get`/`__md_set` storage helpers on pages that have no depth tabs.
 * The steps come from the page itself (<div id="kb-steps" data-kb-steps>, written by the kb plugin from the
 * content model), so call mode and Copy steps work on plain static files too.
 * When `kb serve` keeps an activity log, the desk reports which result was opened, and every
 * article asks "Did this solve the caller's problem?"; without the API neither appears.
 */
(function (kb) {
  "use strict";

  var SCRIPT = document.currentScript;
  var ROOT = new URL("../../../", SCRIPT ? SCRIPT.src : location.href); // assets/kb/desk/core.js -> site root
  var DEPTH_NAMES = { beginner: "Beginner", expert: "Expert" };

  /* --- small DOM helpers -------------------------------------------------------------- */

  function make(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "onclick") node.addEventListener("click", value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }

  function button(label, attributes, onclick) {
    return make("button", Object.assign({ type: "button", text: label, onclick: onclick }, attributes || {}));
  }

  /** Run `callback` for this page and after every instant navigation (it must be idempotent). */
  function onEachPage(callback) {
    // document$ does not emit on file:// pages, so the first run does not wait for it.
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback);
    else callback();
    if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(callback);
  }

  var api = { log: false }; // log: kb serve keeps an activity log (clicks and feedback are recorded)

  kb.ROOT = ROOT;
  kb.DEPTH_NAMES = DEPTH_NAMES;
  kb.make = make;
  kb.button = button;
  kb.onEachPage = onEachPage;
  kb.api = api;
})(window.kbDesk = window.kbDesk || {});
