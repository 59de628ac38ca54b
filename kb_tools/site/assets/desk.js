/* kb agent desk: search through `kb serve`'s API, call mode, "Copy steps" and article feedback.
 *
 * Plain JavaScript, no build step, nothing fetched from outside. Only documented Material hooks:
 * `document$` (runs again after each instant navigation), the DOM state of the content-tab inputs
 * (the Beginner/Expert choice, linked site-wide by `content.tabs.link`), and Material's
 * documented `__md_get`/`__md_set` storage helpers on pages that have no depth tabs.
 * The steps come from the page itself (<script id="kb-steps">, written by the kb plugin from the
 * content model), so call mode and Copy steps work on plain static files too.
 * When `kb serve` keeps an activity log, the desk reports which result was opened, and every
 * article asks "Did this solve the caller's problem?"; without the API neither appears.
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript;
  var ROOT = new URL("../../", SCRIPT ? SCRIPT.src : location.href); // assets/kb/desk.js -> site root
  var DEPTH_NAMES = { beginner: "Beginner", expert: "Expert" };
  var SEARCH_DELAY_MS = 120;
  var RESULT_LIMIT = 10;

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

  /* --- the site-wide depth (Beginner/Expert linked content tabs) ---------------------- */

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

  /* --- talking to kb serve: this tab's session, JSON posts ------------------------------- */

  var api = { log: false }; // log: kb serve keeps an activity log (clicks and feedback are recorded)

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

  /** POST `body` as JSON; resolves with the answer, rejects with the server's error message. */
  function postJson(path, body, keepalive) {
    return fetch(new URL(path, ROOT), {
      method: "POST", keepalive: !!keepalive, body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-KB-Session": SESSION },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) throw new Error(answer.error || "the server answered " + response.status);
        return answer;
      });
    });
  }

  /* --- search through kb serve's API ---------------------------------------------------- */

  var search = null; // set once the API answered

  function searchIsOpen() {
    var toggle = document.getElementById("__search");
    return !!(toggle && toggle.checked);
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
    depthListeners.push(function () { if (search.input.value.trim()) runSearch(); });
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
    var hits = data.hits || [];
    var depth = DEPTH_NAMES[currentDepth()];
    if (!search.select.value) search.facets = { query: query, product: (data.facets || {}).product || {} };
    updateProductCounts(query);
    search.list.replaceChildren.apply(search.list, hits.map(function (hit, index) {
      return resultItem(hit, index + 1, searchId);
    }));
    search.shown = query;
    var where = search.select.value ? " in " + (search.names[search.select.value] || search.select.value) : "";
    var count = hits.length === 1 ? "1 article" : hits.length + " articles";
    if (data.total > hits.length) count = "Top " + hits.length + " of " + data.total + " articles";
    showStatus(hits.length
      ? count + where + " at " + depth + " depth. Arrows to move, Enter to open."
      : "No articles found" + where + ". Try fewer or other words.");
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
      hit.product ? make("span", { class: "kb-result__product", text: search.names[hit.product] || hit.product }) : null,
    ]);
    var link = make("a", { class: "kb-result__link", href: new URL(hit.url, ROOT).href, "data-path": hit.path,
      "data-rank": String(rank), "data-search": searchId }, [
      make("span", { class: "kb-result__title", text: hit.title }),
      where,
      snippet(hit.snippet || hit.summary || ""),
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

  /* --- steps of this page: call mode and Copy steps ------------------------------------- */

  function pageSteps() {
    var script = document.getElementById("kb-steps");
    if (!script) return null;
    try {
      return JSON.parse(script.textContent);
    } catch (error) {
      return null;
    }
  }

  function stepsAt(data, depth) {
    return (data[depth] && data[depth].steps) || [];
  }

  /** The steps as plain numbered text, for a follow-up email or chat. */
  function stepsText(data, depth) {
    var steps = stepsAt(data, depth);
    var lines = [data[depth].title + " (" + DEPTH_NAMES[depth] + ")", ""];
    steps.forEach(function (step, index) {
      var variant = step.variant ? "[" + step.variant + "] " : "";
      lines.push(index + 1 + ". " + variant + step.text);
      if (step.checkpoint) lines.push("   Check: " + step.checkpoint);
    });
    return lines.join("\n") + "\n";
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
        return copyWithSelection(text);
      });
    }
    return Promise.resolve(copyWithSelection(text));
  }

  function copyWithSelection(text) {
    // file:// pages may have no Clipboard API: the older selection-based copy still works there.
    var area = make("textarea", { class: "kb-offscreen", "aria-hidden": "true", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  function mountActions() {
    var data = pageSteps();
    var article = document.querySelector(".md-content__inner");
    if (!data || !article || article.querySelector(".kb-desk-actions")) return;
    var count = make("span", { class: "kb-count" });
    var walk = button("Walk me through", { class: "md-button md-button--primary kb-walk" }, function () {
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
    var bar = make("div", { class: "kb-desk-actions", role: "group", "aria-label": "Call tools" },
      [walk, copy, status]);
    var anchor = article.querySelector(".kb-depth-hint") || article.querySelector(".kb-meta") ||
      article.querySelector("h1");
    if (anchor) anchor.after(bar);
    else article.prepend(bar);

    function show(depth) {
      if (!bar.isConnected) return false;
      var n = stepsAt(data, depth).length;
      count.textContent = "(" + n + (n === 1 ? " step, " : " steps, ") + DEPTH_NAMES[depth] + ")";
      walk.disabled = copy.disabled = n === 0;
    }
    depthListeners.push(show);
    show(currentDepth());
    bar.kbStatus = status;
  }

  /* --- call mode: one step at a time, in a modal dialog --------------------------------- */

  var callMode = (function () {
    var dialog, title, progress, meter, variant, stepText, checkpoint, checkpointText, finish, back, next, yes;
    var stuck, stuckStep;
    var data = null, depth = "beginner", position = 0, opener = null;

    function build() {
      title = make("h2", { id: "kb-call-title", class: "kb-call__title" });
      var close = button("Close", { class: "kb-call__close", "aria-label": "Close call mode" }, function () {
        dialog.close();
      });
      progress = make("p", { class: "kb-call__progress", "aria-live": "polite" });
      meter = make("progress", { class: "kb-call__meter", max: "1", value: "0", "aria-hidden": "true" });
      variant = make("p", { class: "kb-call__variant" });
      stepText = make("p", { class: "kb-call__step", id: "kb-call-step" });
      checkpointText = make("span", { class: "kb-call__checkpoint-text" });
      checkpoint = make("div", { class: "kb-call__checkpoint" }, [
        make("span", { class: "kb-call__checkpoint-label", text: "Checkpoint \u2014 confirm before the next step" }),
        checkpointText,
      ]);
      yes = button("Yes, it's solved", { class: "md-button md-button--primary kb-call__yes" }, function () {
        var recorded = sendCallFeedback({ helpful: true });
        finishCall("Marked solved" + (recorded ? " and recorded" : "") + ". Copy steps if the customer wants them in writing.");
      });
      stuckStep = make("select", { class: "kb-call__stuck-step", id: "kb-call-stuck-step" });
      stuck = make("form", { class: "kb-call__stuck", hidden: true }, [
        make("label", { for: "kb-call-stuck-step", text: "At which step did it get stuck?" }),
        stuckStep,
        make("button", { type: "submit", class: "md-button md-button--primary kb-call__send", text: "Send" }),
        button("Skip", { class: "md-button kb-call__skip" }, function () { notSolved(""); }),
      ]);
      stuck.addEventListener("submit", function (event) {
        event.preventDefault();
        var step = Number(stuckStep.value);
        notSolved(sendCallFeedback({ helpful: false, step: step }) ? "recorded as stuck at step " + step + "; " : "");
      });
      finish = make("div", { class: "kb-call__finish", hidden: true }, [
        make("p", { class: "kb-call__question", text: "That was the last step. Is the problem solved?" }),
        make("div", { class: "kb-call__answers" }, [
          yes,
          button("Not yet", { class: "md-button kb-call__no" }, function () {
            if (!api.log) return notSolved("");
            askWhereStuck();
          }),
        ]),
        stuck,
      ]);
      back = button("Back", { class: "md-button kb-call__back", "aria-keyshortcuts": "ArrowLeft" }, function () { move(-1); });
      next = button("Next", { class: "md-button md-button--primary kb-call__next", "aria-keyshortcuts": "ArrowRight" },
        function () { move(1); });
      dialog = make("dialog", { class: "kb-call md-typeset", "aria-labelledby": "kb-call-title", "aria-describedby": "kb-call-step" }, [
        make("div", { class: "kb-call__head" }, [title, depthSwitch("kb-call__depth"), close]),
        progress, meter, variant, stepText, checkpoint, finish,
        make("div", { class: "kb-call__nav" }, [
          back, make("span", { class: "kb-call__keys", text: "\u2190 \u2192 to move \u00b7 Esc to close" }), next,
        ]),
      ]);
      dialog.addEventListener("keydown", onKey);
      dialog.addEventListener("close", function () {
        if (opener && opener.isConnected) opener.focus();
      });
      depthListeners.push(function (newDepth) {
        if (dialog.open && newDepth !== depth) {
          depth = newDepth;
          position = 0;
          render();
        }
      });
      document.body.append(dialog);
    }

    function steps() {
      return stepsAt(data, depth);
    }

    function render() {
      var all = steps();
      var done = position >= all.length;
      title.textContent = data[depth].title;
      finish.hidden = !done;
      stuck.hidden = true;
      stepText.hidden = variant.hidden = done;
      back.disabled = position === 0;
      next.hidden = done;
      meter.max = all.length || 1;
      meter.value = Math.min(position + 1, all.length);
      if (done) {
        progress.textContent = all.length ? "All " + all.length + " steps done" : "No steps at this depth";
        checkpoint.hidden = true;
        return;
      }
      var step = all[position];
      progress.textContent = "Step " + (position + 1) + " of " + all.length;
      variant.textContent = step.variant ? "Only for: " + step.variant : "";
      variant.hidden = !step.variant;
      stepText.textContent = step.text;
      checkpoint.hidden = !step.checkpoint;
      checkpointText.textContent = step.checkpoint || "";
      next.textContent = position + 1 === all.length ? "Finish" : "Next";
    }

    function move(by) {
      var last = steps().length;
      var wanted = Math.max(0, Math.min(last, position + by));
      if (wanted === position) return;
      position = wanted;
      render();
      var active = document.activeElement;
      if (position === last) yes.focus();
      else if (!dialog.contains(active) || active.disabled || active.closest("[hidden]")) next.focus();
    }

    function onKey(event) {
      // Keys stay in the dialog: Material's own shortcuts (n, p, s, /) would act on the page behind.
      event.stopPropagation();
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target instanceof HTMLButtonElement && (event.key === "Enter" || event.key === " ")) return;
      switch (event.key) {
        case "ArrowRight": case "PageDown": case "n": case " ":
          move(1); break;
        case "ArrowLeft": case "PageUp": case "p": case "b":
          move(-1); break;
        case "Home":
          move(-position); break;
        default:
          return;
      }
      event.preventDefault();
    }

    function finishCall(message) {
      dialog.close();
      var bar = document.querySelector(".kb-desk-actions");
      if (bar && bar.kbStatus) bar.kbStatus.textContent = message;
    }

    /** "Not yet": which step did the call get stuck at? Pre-filled with the step just done. */
    function askWhereStuck() {
      var all = steps();
      stuckStep.replaceChildren.apply(stuckStep, all.map(function (step, index) {
        var text = step.text.length > 60 ? step.text.slice(0, 59) + "\u2026" : step.text;
        return make("option", { value: String(index + 1), text: "Step " + (index + 1) + ": " + text });
      }));
      stuckStep.value = String(Math.max(1, Math.min(position, all.length)));
      stuck.hidden = false;
      stuckStep.focus();
    }

    function notSolved(recorded) {
      finishCall("Not solved yet: " + recorded + "see the rest of the article, or escalate.");
    }

    /** Post the call's outcome; false when there is no activity log to post to. */
    function sendCallFeedback(answer) {
      if (!api.log) return false;
      var body = Object.assign({ article: data[depth].path, depth: depth, via: "call" }, answer);
      postJson("api/feedback", body).then(function () {
        if (feedbackWidget && feedbackWidget.isConnected) feedbackWidget.kbAnswered("Answered in call mode: thank you.");
      }, function () {});
      return true;
    }

    return {
      open: function (pageData, openerButton) {
        if (!dialog) build();
        data = pageData;
        depth = currentDepth();
        position = 0;
        opener = openerButton;
        render();
        dialog.showModal();
        next.focus();
      },
    };
  })();

  /* --- the activity log: "Did this solve the caller's problem?" ---------------------------- */

  var REASONS = [["inaccurate", "Inaccurate"], ["missing-step", "A step is missing"],
    ["hard-to-follow", "Hard to follow"], ["other", "Something else"]];
  var feedbackWidget = null;

  /** What the server knows this page by: the article path the steps carry, else the page's URL. */
  function pageArticle() {
    var data = pageSteps();
    if (data && data.beginner && data.beginner.path) return data.beginner.path;
    if (!document.querySelector(".md-content__inner .kb-meta")) return null; // not an article
    return location.pathname.slice(ROOT.pathname.length) || "index.md";
  }

  function mountFeedback() {
    var article = document.querySelector(".md-content__inner");
    var path = pageArticle();
    if (!article || !path || article.querySelector(".kb-feedback")) return;
    feedbackWidget = feedbackBox(path);
    var pathNav = article.querySelector(".kb-path-nav"); // an onboarding path's previous/next comes last
    if (pathNav) pathNav.before(feedbackWidget);
    else article.append(feedbackWidget);
  }

  function feedbackBox(path) {
    var status = make("p", { class: "kb-feedback__status", role: "status", "aria-live": "polite" });
    var comment = make("textarea", { class: "kb-feedback__comment", id: "kb-feedback-comment", rows: "3", maxlength: "1000" });
    var reasons = make("fieldset", { class: "kb-feedback__reasons" }, [make("legend", { text: "What was wrong? (optional)" })]
      .concat(REASONS.map(function (reason) {
        return make("label", {}, [make("input", { type: "radio", name: "kb-feedback-reason", value: reason[0] }), " " + reason[1]]);
      })));
    var details = make("form", { class: "kb-feedback__details", id: "kb-feedback-details", hidden: true }, [
      reasons,
      make("label", { class: "kb-feedback__comment-label", for: "kb-feedback-comment", text: "Comment (optional)" }),
      comment,
      make("p", { class: "kb-feedback__hint", text: "Leave out the caller's name, e-mail, phone and account numbers." }),
      make("button", { type: "submit", class: "md-button md-button--primary kb-feedback__send", text: "Send" }),
    ]);
    var answers = make("div", { class: "kb-feedback__answers" }, [
      button("Yes", { class: "md-button kb-feedback__yes" }, function () { send({ helpful: true }); }),
      button("No", { class: "md-button kb-feedback__no", "aria-expanded": "false", "aria-controls": "kb-feedback-details" },
        function (event) {
          details.hidden = false;
          event.currentTarget.setAttribute("aria-expanded", "true");
          details.querySelector("input").focus();
        }),
    ]);
    var box = make("section", { class: "kb-feedback", "aria-labelledby": "kb-feedback-question" }, [
      make("p", { class: "kb-feedback__question", id: "kb-feedback-question", text: "Did this solve the caller's problem?" }),
      answers, details, status,
    ]);
    details.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = details.querySelector("input[name=kb-feedback-reason]:checked");
      send({ helpful: false, reason: chosen ? chosen.value : null, comment: comment.value.trim() || null });
    });

    function answered(message) {
      answers.hidden = details.hidden = true;
      box.setAttribute("data-state", "sent");
      status.textContent = message;
    }

    function send(answer) {
      box.setAttribute("aria-busy", "true");
      postJson("api/feedback", Object.assign({ article: path, depth: currentDepth() }, answer))
        .then(function () { answered("Thank you: recorded."); }, function (error) {
          status.textContent = "Not recorded: " + error.message;
        })
        .finally(function () { box.removeAttribute("aria-busy"); });
    }

    box.kbAnswered = answered;
    return box;
  }

  /* --- start ------------------------------------------------------------------------------ */

  onEachPage(mountActions);
  detectApi().then(function (health) {
    if (!health) {
      document.documentElement.setAttribute("data-kb-search", "builtin"); // Material's own search stays
      return;
    }
    api.log = !!health.activity_log;
    if (api.log) onEachPage(mountFeedback);
    loadProducts().then(mountApiSearch);
  });
})();
