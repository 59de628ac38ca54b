/* kb agent desk, start: mount the call tools on each page, and search and feedback once kb serve answers.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var api = kb.api;
  var onEachPage = kb.onEachPage;
  var mountActions = kb.mountActions;
  var mountFeedback = kb.mountFeedback;
  var detectApi = kb.detectApi;
  var loadProducts = kb.loadProducts;
  var mountApiSearch = kb.mountApiSearch;

  onEachPage(mountActions);
  detectApi().then(function (health) {
    if (!health) {
      document.documentElement.setAttribute("data-kb-search", "builtin"); // Material's own search stays
      return;
    }
    api.log = !!health.activity_log;
    if (api.log) onEachPage(mountFeedback);
    if (api.log) onEachPage(kb.mountHandoff);
    loadProducts().then(mountApiSearch);
  });
})(window.kbDesk = window.kbDesk || {});
