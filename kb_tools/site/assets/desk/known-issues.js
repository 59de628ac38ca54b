/* kb agent desk, known issues: while one is open (investigating or identified), a banner on every page
 * names it and its products (from assets/kb/desk.json, written by the kb plugin at build time, so
 * it works on static files too), and the search pins the ones the API says match above the results.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var make = kb.make;
  var onEachPage = kb.onEachPage;
  var STATES = { investigating: "Investigating", identified: "Identified", fixed: "Fixed" };

  var settings = null;

  function deskSettings() {
    if (!settings) {
      settings = fetch(new URL("assets/kb/desk.json", ROOT))
        .then(function (response) { return response.ok ? response.json() : {}; })
        .catch(function () { return {}; });
    }
    return settings;
  }

  function issueLink(issue, className) {
    return make("a", { class: className, href: new URL(issue.url, ROOT).href, "data-path": issue.path }, [
      make("span", { class: "kb-issue__state kb-issue__state--" + issue.status, text: STATES[issue.status] || issue.status }),
      " ",
      make("span", { class: "kb-issue__title", text: issue.title }),
    ]);
  }

  /** The banner at the top of every page: one line per open known issue, with its products. */
  function mountBanner() {
    var article = document.querySelector(".md-content__inner");
    if (!article || article.querySelector(".kb-issues")) return;
    deskSettings().then(function (found) {
      var issues = found.known_issues || [];
      if (!issues.length || article.querySelector(".kb-issues") || !article.isConnected) return;
      var banner = make("div", { class: "kb-issues", role: "region", "aria-label": "Known issues" },
        issues.map(function (issue) {
          return make("p", { class: "kb-issue" }, [
            make("strong", { class: "kb-issue__label", text: "Known issue" }), " \u00b7 ",
            make("span", { class: "kb-issue__products", text: (issue.product_names || issue.products || []).join(", ") }),
            " \u00b7 ", issueLink(issue, "kb-issue__link"),
            issue.since ? make("span", { class: "kb-issue__since", text: " since " + issue.since }) : null,
          ]);
        }));
      article.prepend(banner);
    });
  }

  /** The search's pinned known issues (the API's `pinned`), as items above the hits. Not results:
   * Enter and the arrow keys still go to the best article; a click or Tab opens the issue. */
  function pinnedItems(data) {
    return (data.pinned || []).map(function (issue) {
      var link = issueLink(issue, "kb-pinned__link");
      link.prepend(make("span", { class: "kb-result__pin", text: "Known issue" }), " ");
      if (issue.summary) link.append(make("span", { class: "kb-pinned__summary", text: issue.summary }));
      return make("li", { class: "kb-pinned" }, [link]);
    });
  }

  /** The hits without the pinned ones (shown once, on top). */
  function unpinnedHits(data) {
    var pinned = {};
    (data.pinned || []).forEach(function (issue) { pinned[issue.path] = true; });
    return (data.hits || []).filter(function (hit) { return !pinned[hit.path]; });
  }

  onEachPage(mountBanner);

  kb.pinnedItems = pinnedItems;
  kb.unpinnedHits = unpinnedHits;
})(window.kbDesk = window.kbDesk || {});
