/* kb agent desk, search through kb serve's API, in Material's search dialog.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var DEPTH_NAMES = kb.DEPTH_NAMES;
  var make = kb.make;
  var button = kb.button;
  var api = kb.api;
  var currentDepth = kb.currentDepth;
  var depthSwitch = kb.depthSwitch;
  var onDepth = kb.onDepth;
  var postJson = kb.postJson;
  var SESSION = kb.SESSION;

  var SEARCH_DELAY_MS = 120;
  var RESULT_LIMIT = 10;

  var search = null; // set once the API answered

  function searchIsOpen() {
    var toggle = document.getElementById("__search");
    return !!(toggle && toggle.checked);
  }

  function mountApiSearch(products) {
    var root = document.querySelector('[data-md-component="search"]');
    var input = root && root.querySelector('[data-md-component="search-query"]');
    var result = root && root.querySelector('[data-md-component="search-result"]');
    if (!input || !result) {
      document.documentElement.setAttribute("data-kb-search", "none"); // the search plugin is off
      return;
    }
    var names = {};
    products.forEach(function (p) { names[p.id] = p.name; });
    var select = make("select", { class: "kb-search__product", "aria-label": "Product" },
      [make("option", { value: "", text: "All products" })].concat(products.map(function (p) {
        return make("option", { value: p.id, text: p.name });
      })));
    var status = make("p", { class: "kb-search__status", role: "status", "aria-live": "polite" });
    var correction = make("p", { class: "kb-search__correction", hidden: true });
    var list = make("ol", { class: "kb-search__results", "aria-label": "Search results" });
    var panel = make("div", { class: "kb-search" }, [
      make("div", { class: "kb-search__controls" }, [depthSwitch("kb-search__depth"), select]),
      status, correction, list,
    ]);
    result.append(panel);
    list.addEventListener("click", reportOpened);
    list.addEventListener("auxclick", reportOpened); // a middle click opens it in a new tab
    search = {
      root: root, input: input, select: select, status: status, correction: correction, list: list,
      names: names, timer: 0, controller: null, shown: "", facets: { query: null, product: {} },
    };
    document.documentElement.setAttribute("data-kb-search", "api");

    input.addEventListener("input", function () {
      clearTimeout(search.timer);
      search.timer = setTimeout(runSearch, SEARCH_DELAY_MS);
    });
    select.addEventListener("change", function () { runSearch(); });
    onDepth(function () { if (search.input.value.trim()) runSearch(); });
    // Material queries its own index on keyup and takes over Tab, arrows and Enter in the search
    // dialog; while the API answers, those keys are ours (Escape still closes the dialog).
    window.addEventListener("keyup", function (event) {
      if (event.target === input) event.stopPropagation();
    }, true);
    window.addEventListener("keydown", onSearchKey, true);
    if (input.value.trim()) runSearch();
    else showStatus("Type what the caller says.");
  }

  function showStatus(text) {
    search.status.textContent = text;
  }

  function searchUrl(query) {
    var url = new URL("api/search", ROOT);
    url.searchParams.set("q", query);
    url.searchParams.set("depth", currentDepth());
    url.searchParams.set("limit", String(RESULT_LIMIT));
    if (search.select.value) url.searchParams.set("product", search.select.value);
    return url;
  }

  /** Query the API now; resolves once the newest results are on screen. */
  function runSearch() {
    clearTimeout(search.timer);
    search.timer = 0;
    if (search.controller) search.controller.abort();
    var query = search.input.value.trim();
    if (!query) {
      search.list.replaceChildren();
      search.correction.hidden = true;
      search.shown = "";
      showStatus("Type what the caller says.");
      return Promise.resolve();
    }
    var controller = (search.controller = new AbortController());
    search.root.setAttribute("aria-busy", "true");
    var searchId = null;
    return fetch(searchUrl(query), { signal: controller.signal, headers: { Accept: "application/json", "X-KB-Session": SESSION } })
      .then(function (response) {
        if (!response.ok) throw new Error("search answered " + response.status);
        searchId = response.headers.get("X-KB-Search-Id"); // its record in the activity log, if kept
        return response.json();
      })
      .then(function (data) {
        if (controller !== search.controller) return;
        renderResults(data, query, searchId);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        search.list.replaceChildren();
        showStatus("Search is not answering. Reload the page, or ask whoever runs kb serve.");
      })
      .finally(function () {
        if (controller === search.controller) search.root.removeAttribute("aria-busy");
      });
  }

  function renderResults(data, query, searchId) {
    var hits = kb.unpinnedHits(data); // an open known issue it matches is pinned on top (known-issues.js)
    var depth = DEPTH_NAMES[currentDepth()];
    if (!search.select.value) search.facets = { query: query, product: (data.facets || {}).product || {} };
    updateProductCounts(query);
    search.list.replaceChildren.apply(search.list, kb.pinnedItems(data).concat(hits.map(function (hit, index) {
      return resultItem(hit, index + 1, searchId);
    })));
    search.shown = query;
    var where = search.select.value ? " in " + (search.names[search.select.value] || search.select.value) : "";
    var count = hits.length === 1 ? "1 article" : hits.length + " articles";
    if (data.total > hits.length) count = "Top " + hits.length + " of " + data.total + " articles";
    // Hybrid search nearly always finds something: a weak match says so before the agent reads it out.
    var weak = hits.length > 0 && data.confidence === "none";
    search.list.classList.toggle("kb-search__results--weak", weak);
    showStatus(hits.length
      ? count + where + " at " + depth + " depth. Arrows to move, Enter to open."
      : "No articles found" + where + ". Try fewer or other words.");
    // Set apart from the counts, so a glance cannot take the first result for an answer.
    if (weak) search.status.prepend(make("strong", { class: "kb-search__weak", text: "No good match: try other words." }), " ");
    search.correction.replaceChildren();
    search.correction.hidden = !data.correction;
    if (data.correction) {
      search.correction.append("Did you mean ", button(data.correction, { class: "kb-search__suggestion" }, function () {
        search.input.value = data.correction;
        search.input.focus();
        runSearch();
      }), "?");
    }
  }

  function updateProductCounts(query) {
    var counts = search.facets.query === query ? search.facets.product : null;
    search.select.querySelectorAll("option").forEach(function (option) {
      var name = option.value ? search.names[option.value] || option.value : "All products";
      var count = counts && (option.value ? counts[option.value] || 0 : sum(counts));
      option.textContent = counts ? name + " (" + count + ")" : name;
    });
  }

  function sum(counts) {
    return Object.keys(counts).reduce(function (total, key) { return total + counts[key]; }, 0);
  }

  function resultItem(hit, rank, searchId) {
    var depthLabel = DEPTH_NAMES[hit.depth] || "Both depths";
    var where = make("span", { class: "kb-result__where" }, [
      hit.section && hit.section !== hit.title ? make("span", { class: "kb-result__section", text: hit.section }) : null,
      make("span", { class: "kb-badge kb-depth kb-depth--" + (hit.depth || "both"), text: depthLabel }),
      hit.badge ? make("span", { class: "kb-badge kb-status-" + hit.status, text: hit.badge }) : null,
      hit.product ? make("span", { class: "kb-result__product", text: search.names[hit.product] || hit.product }) : null,
    ]);
    var link = make("a", { class: "kb-result__link", href: new URL(hit.url, ROOT).href, "data-path": hit.path,
      "data-rank": String(rank), "data-search": searchId }, [
      make("span", { class: "kb-result__title", text: hit.title }),
      where,
      hit.summary ? make("span", { class: "kb-result__summary", text: hit.summary }) : null,
      hit.customer_phrase ? make("span", { class: "kb-result__phrase", text: "Caller: \u201c" + hit.customer_phrase + "\u201d" }) : null,
      hit.snippet ? snippet(hit.snippet) : null,
    ]);
    return make("li", { class: "kb-result" }, [link]);
  }

  /** The snippet as text with <mark> kept: the API escapes it, and nothing else is trusted. */
  function snippet(html) {
    var template = document.createElement("template");
    template.innerHTML = html; // inert: nothing in a template runs or loads
    var out = make("span", { class: "kb-result__snippet" });
    (function copy(from, to) {
      from.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE) to.append(node.textContent);
        else if (node.nodeName === "MARK") copy(node, to.appendChild(document.createElement("mark")));
        else copy(node, to);
      });
    })(template.content, out);
    return out;
  }

  /** Tell the activity log which result was opened (never in the agent's way if it fails). */
  function reportOpened(event) {
    var link = event.target.closest(".kb-result__link");
    if (!link || !link.dataset.search || !api.log) return;
    if (event.type === "auxclick" && event.button !== 1) return;
    postJson("api/click", { search: Number(link.dataset.search), article: link.dataset.path,
      rank: Number(link.dataset.rank) }, true).catch(function () {});
  }

  function onSearchKey(event) {
    if (!search || !searchIsOpen() || event.isComposing || !search.root.contains(event.target)) return;
    if (event.key === "Escape") return; // Material closes the search dialog
    var target = event.target;
    var links = Array.prototype.slice.call(search.list.querySelectorAll(".kb-result__link"));
    var stops = [search.input].concat(links);
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && stops.indexOf(target) >= 0) {
      var step = event.key === "ArrowDown" ? 1 : -1;
      stops[(stops.indexOf(target) + step + stops.length) % stops.length].focus();
      event.preventDefault();
    } else if (event.key === "Enter" && target === search.input) {
      event.preventDefault();
      openFirstResult();
    } else if (links.indexOf(target) >= 0 && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      search.input.focus(); // typing on a result goes on in the search box
    }
    event.stopPropagation();
  }

  function openFirstResult() {
    var query = search.input.value.trim();
    var ready = query === search.shown && !search.timer ? Promise.resolve() : runSearch();
    ready.then(function () {
      var first = search.list.querySelector(".kb-result__link");
      if (first) first.click(); // Material closes the dialog and navigates instantly
    });
  }

  kb.mountApiSearch = mountApiSearch;
})(window.kbDesk = window.kbDesk || {});
