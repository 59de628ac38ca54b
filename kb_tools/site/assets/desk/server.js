/* kb agent desk, talking to kb serve: this tab's session, JSON posts, the health check.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;

  /** A random id for this tab (no name, no cookie): the log tells one desk's searches from another's. */
  var SESSION = (function () {
    try {
      var kept = sessionStorage.getItem("kb-session");
      if (kept) return kept;
    } catch (error) { /* storage blocked: one id per page load */ }
    var bytes = crypto.getRandomValues(new Uint8Array(12));
    var id = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    try { sessionStorage.setItem("kb-session", id); } catch (error) { /* as above */ }
    return id;
  })();

  var RETRIES = 3; // a 429 is tried again after its Retry-After, this many times at most
  var LONGEST_WAIT_S = 120;

  /** POST `body` as JSON; resolves with the answer, rejects with the server's error message.
   * Too many posts (429) are sent again once the server's Retry-After has passed: a click or an
   * answer to "Did this solve it?" is never dropped because a desk was busy. */
  function postJson(path, body, keepalive, attempt) {
    attempt = attempt || 0;
    return fetch(new URL(path, ROOT), {
      method: "POST", keepalive: !!keepalive, body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-KB-Session": SESSION },
    }).then(function (response) {
      var wait = Number(response.headers.get("Retry-After"));
      if (response.status === 429 && attempt < RETRIES && wait > 0 && wait <= LONGEST_WAIT_S) {
        return new Promise(function (resolve) { setTimeout(resolve, wait * 1000); })
          .then(function () { return postJson(path, body, keepalive, attempt + 1); });
      }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) throw new Error(answer.error || "the server answered " + response.status);
        return answer;
      });
    });
  }

  /** kb serve's /api/health answer, or null on plain static files. */
  function detectApi() {
    if (location.protocol === "file:") return Promise.resolve(null);
    return fetch(new URL("api/health", ROOT), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (health) { return health && health.status === "ok" ? health : null; })
      .catch(function () { return null; });
  }

  function loadProducts() {
    return fetch(new URL("assets/kb/desk.json", ROOT))
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (settings) { return settings.products || []; })
      .catch(function () { return []; });
  }

  kb.postJson = postJson;
  kb.detectApi = detectApi;
  kb.loadProducts = loadProducts;
  kb.SESSION = SESSION;
})(window.kbDesk = window.kbDesk || {});
