/* kb agent desk, call mode: one step at a time, in a modal dialog.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var make = kb.make;
  var button = kb.button;
  var api = kb.api;
  var currentDepth = kb.currentDepth;
  var depthSwitch = kb.depthSwitch;
  var onDepth = kb.onDepth;
  var postJson = kb.postJson;
  var stepsAt = kb.stepsAt;

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
      onDepth(function (newDepth) {
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
        var widget = kb.feedbackWidget;
        if (widget && widget.isConnected) widget.kbAnswered("Answered in call mode: thank you.");
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

  kb.callMode = callMode;
})(window.kbDesk = window.kbDesk || {});
