/* kb agent desk, the steps of this page (from <div id="kb-steps" data-kb-steps>), shown with their
 * bold labels and live links, and copied as text.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var DEPTH_NAMES = kb.DEPTH_NAMES;
  var make = kb.make;
  var KEPT_TAGS = { STRONG: "strong", EM: "em", CODE: "code", KBD: "kbd" };

  /** The JSON the plugin put in a hidden element's data attribute (`key` as in `dataset`), or null:
   * an attribute, not a <script>, which Material's instant navigation would run. */
  function pageData(id, key) {
    var holder = document.getElementById(id);
    if (!holder || !holder.dataset[key]) return null;
    try {
      return JSON.parse(holder.dataset[key]);
    } catch (error) {
      return null;
    }
  }

  function pageSteps() {
    return pageData("kb-steps", "kbSteps");
  }

  /** A step's HTML as nodes, keeping only bold, emphasis, code, keys and links (else `text`). */
  function richText(html, text) {
    var out = document.createDocumentFragment();
    if (!html) {
      out.append(text || "");
      return out;
    }
    var template = document.createElement("template");
    template.innerHTML = html; // inert: nothing in a template runs or loads
    (function copy(from, to) {
      from.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE) to.append(node.textContent);
        else if (KEPT_TAGS[node.nodeName]) copy(node, to.appendChild(document.createElement(KEPT_TAGS[node.nodeName])));
        else if (node.nodeName === "A" && safeHref(node.getAttribute("href"))) {
          copy(node, to.appendChild(make("a", { href: safeHref(node.getAttribute("href")) })));
        } else copy(node, to);
      });
    })(template.content, out);
    return out;
  }

  /** Links in steps are from the site root (the content model wrote them so), or web addresses. */
  function safeHref(href) {
    if (!href) return null;
    var url = new URL(href, ROOT);
    return /^(https?|file|mailto):$/.test(url.protocol) ? url.href : null;
  }

  function describeTarget(to) {
    if (!to) return "";
    if (to.kind === "step") return "step " + to.position;
    if (to.kind === "article") return new URL(to.url, ROOT).href + (to.number ? ", step " + to.number : "");
    if (to.kind === "handoff") return "hand off" + (to.note ? ": " + to.note : "");
    return to.kind || "";
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
      (step.outcomes || []).forEach(function (outcome) {
        lines.push("   - " + outcome.label + " \u2192 " + describeTarget(outcome.to));
      });
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

  kb.pageData = pageData;
  kb.pageSteps = pageSteps;
  kb.richText = richText;
  kb.stepsAt = stepsAt;
  kb.stepsText = stepsText;
  kb.copyText = copyText;
})(window.kbDesk = window.kbDesk || {});
