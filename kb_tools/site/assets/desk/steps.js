/* kb agent desk, the steps of this page (from <script id="kb-steps">) and copying them as text.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var DEPTH_NAMES = kb.DEPTH_NAMES;
  var make = kb.make;

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

  kb.pageSteps = pageSteps;
  kb.stepsAt = stepsAt;
  kb.stepsText = stepsText;
  kb.copyText = copyText;
})(window.kbDesk = window.kbDesk || {});
