/* kb agent desk, call mode's dialog: built once, and drawn from the call's state (call-mode.js moves it).
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var make = kb.make;
  var button = kb.button;
  var depthSwitch = kb.depthSwitch;
  var onDepth = kb.onDepth;
  var stepsAt = kb.stepsAt;
  var richText = kb.richText;

  var MAX_KEYED_OUTCOMES = 9;

  /** The dialog for `call` ({data, depth, position, trail, ended}, shared with call-mode.js), added to the
   * page. `on` says what its controls do: solved(), notYet(), stuckAt(step), skip(), back(), next(),
   * choose(index), key(event), closed(), depth(newDepth). */
  function callView(call, on) {
    var title = make("h2", { id: "kb-call-title", class: "kb-call__title" });
    var close = button("Close", { class: "kb-call__close", "aria-label": "Close call mode" }, function () {
      dialog.close();
    });
    var trailList = make("ol", { class: "kb-call__trail", "aria-label": "Answers so far" });
    var progress = make("p", { class: "kb-call__progress", "aria-live": "polite" });
    var meter = make("progress", { class: "kb-call__meter", max: "1", value: "0", "aria-hidden": "true" });
    var variant = make("p", { class: "kb-call__variant" });
    var stepText = make("p", { class: "kb-call__step", id: "kb-call-step" });
    var agentText = make("span", { class: "kb-call__agent-text" });
    var agentNote = make("div", { class: "kb-call__agent" }, [
      make("span", { class: "kb-call__agent-label", text: "For agents" }), agentText,
    ]);
    var checkpointText = make("span", { class: "kb-call__checkpoint-text" });
    var checkpoint = make("div", { class: "kb-call__checkpoint" }, [
      make("span", { class: "kb-call__checkpoint-label", text: "Checkpoint \u2014 confirm before the next step" }),
      checkpointText,
    ]);
    var outcomes = make("ol", { class: "kb-call__outcomes", "aria-label": "What does the customer see?" });
    var yes = button("Yes, it's solved", { class: "md-button md-button--primary kb-call__yes" }, on.solved);
    var stuckStep = make("select", { class: "kb-call__stuck-step", id: "kb-call-stuck-step" });
    var stuck = make("form", { class: "kb-call__stuck", hidden: true }, [
      make("label", { for: "kb-call-stuck-step", text: "At which step did it get stuck?" }),
      stuckStep,
      make("button", { type: "submit", class: "md-button md-button--primary kb-call__send", text: "Send" }),
      button("Skip", { class: "md-button kb-call__skip" }, on.skip),
    ]);
    stuck.addEventListener("submit", function (event) {
      event.preventDefault();
      on.stuckAt(Number(stuckStep.value));
    });
    var question = make("p", { class: "kb-call__question" });
    var handoffSlot = make("div", { class: "kb-call__handoff", hidden: true });
    var customerSlot = make("div", { class: "kb-call__customer-slot" });
    var finish = make("div", { class: "kb-call__finish", hidden: true }, [
      question,
      handoffSlot,
      make("div", { class: "kb-call__answers" }, [yes, button("Not yet", { class: "md-button kb-call__no" }, on.notYet)]),
      stuck,
      customerSlot,
    ]);
    var back = button("Back", { class: "md-button kb-call__back", "aria-keyshortcuts": "ArrowLeft Backspace" }, on.back);
    var next = button("Next", { class: "md-button md-button--primary kb-call__next", "aria-keyshortcuts": "ArrowRight" },
      function () { on.next(); });
    var dialog = make("dialog", { class: "kb-call md-typeset", "aria-labelledby": "kb-call-title", "aria-describedby": "kb-call-step" }, [
      make("div", { class: "kb-call__head" }, [title, depthSwitch("kb-call__depth"), close]),
      trailList, progress, meter, variant, stepText, agentNote, checkpoint, outcomes, finish,
      make("div", { class: "kb-call__nav" }, [
        back, make("span", { class: "kb-call__keys", text: "1\u20139 to answer \u00b7 \u2190 \u2192 to move \u00b7 Esc to close" }), next,
      ]),
    ]);
    dialog.addEventListener("keydown", on.key);
    // A dialog opened as a page loads (an answer led here) may not hold the focus: its keys still count.
    window.addEventListener("keydown", function (event) {
      if (dialog.open && !dialog.contains(event.target)) on.key(event);
    }, true);
    dialog.addEventListener("close", on.closed);
    onDepth(function (newDepth) {
      if (dialog.open && newDepth !== call.depth) on.depth(newDepth);
    });
    document.body.append(dialog);

    function steps() {
      return stepsAt(call.data, call.depth);
    }

    /* --- what the dialog shows ---------------------------------------------------------- */

    function render() {
      var all = steps();
      var ended = call.ended;
      var done = ended !== null || call.position >= all.length;
      title.textContent = call.data[call.depth].title;
      renderTrail();
      finish.hidden = !done;
      stuck.hidden = true;
      stepText.hidden = variant.hidden = agentNote.hidden = done;
      back.disabled = call.position === 0 && !call.history.length && !ended;
      meter.max = all.length || 1;
      meter.value = Math.min(call.position + 1, all.length);
      if (done) {
        progress.textContent = all.length ? "End of the call" : "No steps at this depth";
        question.textContent = ended && ended.kind === "handoff"
          ? "Hand off" + handoffTeamName(ended.team) + (ended.note ? ": " + ended.note : "") + ". Is the problem solved?"
          : ended && ended.kind === "solved" ? "The customer's answer says it is solved. Is it?"
          : "That was the last step. Is the problem solved?";
        checkpoint.hidden = outcomes.hidden = next.hidden = true;
        if (ended && ended.kind === "handoff") showHandoff(ended.team);
        else showHandoff(false);
        customerSlot.replaceChildren.apply(customerSlot, customerCopy());
        return;
      }
      showHandoff(false);
      var step = all[call.position];
      progress.textContent = "Step " + (call.position + 1) + " of " + all.length;
      variant.textContent = step.variant ? "Only for: " + step.variant : "";
      variant.hidden = !step.variant;
      stepText.replaceChildren(richText(step.html, step.text));
      agentNote.hidden = !step.agent; // what only the agent does at this step (`!!! agent`)
      agentText.textContent = step.agent || "";
      checkpoint.hidden = !step.checkpoint;
      checkpointText.replaceChildren(richText(step.checkpoint_html, step.checkpoint || ""));
      var choices = step.outcomes || [];
      outcomes.hidden = !choices.length;
      outcomes.replaceChildren.apply(outcomes, choices.map(function (outcome, index) {
        var key = index < MAX_KEYED_OUTCOMES ? String(index + 1) : "";
        var pick = make("button", { type: "button", class: "kb-call__outcome", "data-key": key,
          "aria-keyshortcuts": key || null }, [
          make("kbd", { class: "kb-call__outcome-key", text: key }), " ", richText(outcome.html, outcome.label),
          make("span", { class: "kb-call__outcome-to", text: " \u2192 " + describe(outcome.to) }),
        ]);
        pick.addEventListener("click", function (event) {
          if (event.target.closest("a")) return; // a link in the label opens as a link
          on.choose(index);
        });
        return make("li", {}, [pick]);
      }));
      next.hidden = choices.length > 0; // the customer's answer decides where to go
      next.textContent = call.position + 1 === all.length ? "Finish" : "Next";
    }

    /** "Copy for the customer" at the end: the e-mail for how the call ended (solved, handed off, or open). */
    function customerCopy() {
      var emails = kb.customerEmails();
      if (!emails) return [];
      var ended = call.ended;
      var ending = ended && ended.kind === "solved" ? "solved" : ended && ended.kind === "handoff" ? "not_solved" : "any";
      // Handed to another team than the article's (`→ hand off to billing`): its own "what happens next".
      var own = kb.pageHandoff ? kb.pageHandoff(null) : null;
      var team = ending === "not_solved" && ended.team && !(own && own.team.id === ended.team) ? ended.team : null;
      if (team) ending = "not_solved:" + team;
      var panel = kb.customerCopyPanel(emails, call.data[call.depth].path, function () { return call.depth; }, ending);
      return [make("details", { class: "kb-call__customer" }, [make("summary", { text: "Copy for the customer" }), panel])];
    }

    function renderTrail() {
      trailList.hidden = !call.trail.length;
      trailList.replaceChildren.apply(trailList, call.trail.map(function (answer) {
        var where = answer.path === call.data[call.depth].path ? "" : " (" + answer.title + ")";
        return make("li", { text: "Step " + answer.step + where + ": " + answer.label });
      }));
    }

    function describe(to) {
      if (!to) return "";
      if (to.kind === "step") return "step " + to.position;
      if (to.kind === "article") return to.path + (to.number ? ", step " + to.number : "");
      if (to.kind === "handoff") return "hand off";
      if (to.kind === "solved") return "solved";
      return "?";
    }

    function handoffTeamName(team) {
      var handoff = kb.pageHandoff ? kb.pageHandoff(team || null) : null;
      return handoff ? " to " + handoff.team.name : "";
    }

    /** The hand-off card (handoff.js) to `team` (the article's own when null) at the end; false hides it. */
    function showHandoff(team) {
      var handoff = team === false || !kb.pageHandoff ? null : kb.pageHandoff(team || null);
      var card = handoff && kb.handoffCard(handoff, { via: "call", depth: call.depth,
        step: Math.max(1, Math.min(call.ended ? call.position + 1 : call.position, steps().length)) });
      handoffSlot.replaceChildren.apply(handoffSlot, card ? [card] : []);
      handoffSlot.hidden = !card;
    }

    /** "Not yet": which step did the call get stuck at? Pre-filled with the step just done. */
    function askWhereStuck() {
      var all = steps();
      stuckStep.replaceChildren.apply(stuckStep, all.map(function (step, index) {
        var text = step.text.length > 60 ? step.text.slice(0, 59) + "\u2026" : step.text;
        return make("option", { value: String(index + 1), text: "Step " + (index + 1) + ": " + text });
      }));
      var last = call.ended ? call.position + 1 : call.position;
      stuckStep.value = String(Math.max(1, Math.min(last, all.length)));
      stuck.hidden = false;
      stuckStep.focus();
    }

    /** After a move: the focus on what answers next (an outcome, Next, or "Yes, it's solved" at the end). */
    function focusNext(opening) {
      var active = document.activeElement;
      if (call.ended !== null || call.position >= steps().length) yes.focus();
      else if (!outcomes.hidden) outcomes.querySelector("button").focus();
      else if (opening || !dialog.contains(active) || active.disabled || active.closest("[hidden]")) next.focus();
    }

    /** The outcome button for number key `key` ("1" to "9"), when the step shows outcomes. */
    function outcomeKey(key) {
      return outcomes.hidden ? null : outcomes.querySelector('[data-key="' + key + '"]');
    }

    return { dialog: dialog, render: render, showHandoff: showHandoff, askWhereStuck: askWhereStuck,
      focusNext: focusNext, outcomeKey: outcomeKey };
  }

  kb.callView = callView;
})(window.kbDesk = window.kbDesk || {});
