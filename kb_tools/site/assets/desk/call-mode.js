/* kb agent desk, call mode: one step at a time in a modal dialog, following the customer's answers.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`.
 *
 * At a step with outcomes the agent picks what the customer sees (number keys or a click) and call
 * mode goes where it leads: another step, another article (the page opens and call mode goes on
 * there), or an end. The answers make the trail; Backspace or ← goes back one move. The call's
 * state is kept in sessionStorage, so closing and reopening resumes it, across pages too. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var make = kb.make;
  var button = kb.button;
  var api = kb.api;
  var currentDepth = kb.currentDepth;
  var setDepth = kb.setDepth;
  var depthSwitch = kb.depthSwitch;
  var onDepth = kb.onDepth;
  var postJson = kb.postJson;
  var stepsAt = kb.stepsAt;
  var richText = kb.richText;

  var STORE = "kb-call";
  var MAX_KEYED_OUTCOMES = 9;

  /* --- the call, kept in this tab's storage ------------------------------------------------- */

  function loadCall() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return kept && typeof kept === "object" ? kept : null;
    } catch (error) {
      return null;
    }
  }

  function saveCall(call) {
    try {
      if (call) sessionStorage.setItem(STORE, JSON.stringify(call));
      else sessionStorage.removeItem(STORE);
    } catch (error) { /* storage blocked: the call still works on this page */ }
  }

  /** The position (0-based) of step `number` of the list at `anchor`, or of that list's first step. */
  function positionAt(steps, anchor, number) {
    var index = -1;
    steps.forEach(function (step, i) {
      if (index >= 0 || (anchor && step.section !== anchor)) return;
      if (!number || step.number === number) index = i;
    });
    return Math.max(index, 0);
  }

  var callMode = (function () {
    var dialog, title, trailList, progress, meter, variant, stepText, agentNote, agentText, checkpoint, checkpointText, outcomes;
    var finish, question, back, next, yes, stuck, stuckStep, handoffSlot, customerSlot;
    var data = null, depth = "beginner", position = 0, opener = null, ended = null, leaving = false;
    var history = [], trail = [];

    function build() {
      title = make("h2", { id: "kb-call-title", class: "kb-call__title" });
      var close = button("Close", { class: "kb-call__close", "aria-label": "Close call mode" }, function () {
        dialog.close();
      });
      trailList = make("ol", { class: "kb-call__trail", "aria-label": "Answers so far" });
      progress = make("p", { class: "kb-call__progress", "aria-live": "polite" });
      meter = make("progress", { class: "kb-call__meter", max: "1", value: "0", "aria-hidden": "true" });
      variant = make("p", { class: "kb-call__variant" });
      stepText = make("p", { class: "kb-call__step", id: "kb-call-step" });
      agentText = make("span", { class: "kb-call__agent-text" });
      agentNote = make("div", { class: "kb-call__agent" }, [
        make("span", { class: "kb-call__agent-label", text: "For agents" }), agentText,
      ]);
      checkpointText = make("span", { class: "kb-call__checkpoint-text" });
      checkpoint = make("div", { class: "kb-call__checkpoint" }, [
        make("span", { class: "kb-call__checkpoint-label", text: "Checkpoint \u2014 confirm before the next step" }),
        checkpointText,
      ]);
      outcomes = make("ol", { class: "kb-call__outcomes", "aria-label": "What does the customer see?" });
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
      question = make("p", { class: "kb-call__question" });
      handoffSlot = make("div", { class: "kb-call__handoff", hidden: true });
      customerSlot = make("div", { class: "kb-call__customer-slot" });
      finish = make("div", { class: "kb-call__finish", hidden: true }, [
        question,
        handoffSlot,
        make("div", { class: "kb-call__answers" }, [
          yes,
          button("Not yet", { class: "md-button kb-call__no" }, function () {
            if (!api.log) return notSolved(""); // the article's own card says whom to hand off to
            showHandoff(ended && ended.team);
            askWhereStuck();
          }),
        ]),
        stuck,
        customerSlot,
      ]);
      back = button("Back", { class: "md-button kb-call__back", "aria-keyshortcuts": "ArrowLeft Backspace" }, goBack);
      next = button("Next", { class: "md-button md-button--primary kb-call__next", "aria-keyshortcuts": "ArrowRight" },
        function () { forward(); });
      dialog = make("dialog", { class: "kb-call md-typeset", "aria-labelledby": "kb-call-title", "aria-describedby": "kb-call-step" }, [
        make("div", { class: "kb-call__head" }, [title, depthSwitch("kb-call__depth"), close]),
        trailList, progress, meter, variant, stepText, agentNote, checkpoint, outcomes, finish,
        make("div", { class: "kb-call__nav" }, [
          back, make("span", { class: "kb-call__keys", text: "1\u20139 to answer \u00b7 \u2190 \u2192 to move \u00b7 Esc to close" }), next,
        ]),
      ]);
      dialog.addEventListener("keydown", onKey);
      // A dialog opened as a page loads (an answer led here) may not hold the focus: its keys still count.
      window.addEventListener("keydown", function (event) {
        if (dialog.open && !dialog.contains(event.target)) onKey(event);
      }, true);
      dialog.addEventListener("close", function () {
        if (!leaving) keep(); // (leaving for another page: the state to resume there is saved already)
        leaving = false;
        if (opener && opener.isConnected) opener.focus();
      });
      onDepth(function (newDepth) {
        if (dialog.open && newDepth !== depth) {
          depth = newDepth;
          restart(0);
        }
      });
      document.body.append(dialog);
    }

    function steps() {
      return stepsAt(data, depth);
    }

    function restart(at) {
      position = at;
      history = [];
      trail = [];
      ended = null;
      render();
    }

    /* --- what the dialog shows ---------------------------------------------------------- */

    function render() {
      var all = steps();
      var done = ended !== null || position >= all.length;
      title.textContent = data[depth].title;
      renderTrail();
      finish.hidden = !done;
      stuck.hidden = true;
      stepText.hidden = variant.hidden = agentNote.hidden = done;
      back.disabled = position === 0 && !history.length && !ended;
      meter.max = all.length || 1;
      meter.value = Math.min(position + 1, all.length);
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
      var step = all[position];
      progress.textContent = "Step " + (position + 1) + " of " + all.length;
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
          choose(index);
        });
        return make("li", {}, [pick]);
      }));
      next.hidden = choices.length > 0; // the customer's answer decides where to go
      next.textContent = position + 1 === all.length ? "Finish" : "Next";
    }

    /** "Copy for the customer" at the end: the e-mail for how the call ended (solved, handed off, or open). */
    function customerCopy() {
      var emails = kb.customerEmails();
      if (!emails) return [];
      var ending = ended && ended.kind === "solved" ? "solved" : ended && ended.kind === "handoff" ? "not_solved" : "any";
      // Handed to another team than the article's (`→ hand off to billing`): its own "what happens next".
      var own = kb.pageHandoff ? kb.pageHandoff(null) : null;
      var team = ending === "not_solved" && ended.team && !(own && own.team.id === ended.team) ? ended.team : null;
      if (team) ending = "not_solved:" + team;
      var panel = kb.customerCopyPanel(emails, data[depth].path, function () { return depth; }, ending);
      return [make("details", { class: "kb-call__customer" }, [make("summary", { text: "Copy for the customer" }), panel])];
    }

    function renderTrail() {
      trailList.hidden = !trail.length;
      trailList.replaceChildren.apply(trailList, trail.map(function (answer) {
        var where = answer.path === data[depth].path ? "" : " (" + answer.title + ")";
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

    /* --- moving: forward, by an answer, back ---------------------------------------------- */

    function here() {
      return { path: data[depth].path, url: data[depth].url, position: position };
    }

    function forward() {
      var step = steps()[position];
      if (!step || (step.outcomes && step.outcomes.length)) return;
      history.push(here());
      position += 1;
      moved();
    }

    function choose(index) {
      var step = steps()[position];
      var outcome = step && step.outcomes && step.outcomes[index];
      if (!outcome) return;
      history.push(here());
      trail.push({ path: data[depth].path, title: data[depth].title, step: position + 1, outcome: index + 1,
        label: outcome.label });
      var to = outcome.to || {};
      if (to.kind === "step" && to.position) {
        position = to.position - 1;
      } else if (to.kind === "article" && to.path === data[depth].path) {
        position = positionAt(steps(), to.anchor, to.number);
      } else if (to.kind === "article") {
        return followTo(to);
      } else {
        ended = { kind: to.kind, note: to.note || "", team: to.team || null };
      }
      moved();
    }

    function goBack() {
      if (ended) {
        ended = null;
        trail.pop();
        var last = history.pop();
        if (last) position = last.position;
        return moved();
      }
      if (!history.length) {
        if (position > 0) position -= 1;
        return moved();
      }
      var previous = history.pop();
      if (trail.length && trail[trail.length - 1].path === previous.path && trail[trail.length - 1].step === previous.position + 1) {
        trail.pop();
      }
      if (previous.path !== data[depth].path) {
        return openElsewhere(previous.url, { path: previous.path, depth: depth, position: previous.position });
      }
      position = previous.position;
      moved();
    }

    function moved(opening) {
      keep();
      render();
      var active = document.activeElement;
      if (ended !== null || position >= steps().length) yes.focus();
      else if (!outcomes.hidden) outcomes.querySelector("button").focus();
      else if (opening || !dialog.contains(active) || active.disabled || active.closest("[hidden]")) next.focus();
    }

    /** Go on in another article: its page opens (instant navigation if Material has it) and call mode with it. */
    function followTo(to) {
      openElsewhere(to.url, { path: to.path, depth: depth, anchor: to.anchor || "", number: to.number || null });
    }

    function openElsewhere(url, where) {
      saveCall(Object.assign({ history: history, trail: trail, open: true }, where));
      leaving = true;
      dialog.close();
      var link = make("a", { href: new URL(url, ROOT).href, hidden: true });
      document.body.append(link);
      link.click(); // a click, not location.assign: Material's instant navigation handles it
      link.remove();
    }

    /** Remember where the call is, so closing and reopening (or another page) resumes it. */
    function keep() {
      if (!data) return;
      saveCall({ path: data[depth].path, depth: depth, position: position, history: history, trail: trail,
        ended: ended, open: false });
    }

    /* --- keys ----------------------------------------------------------------------------- */

    function onKey(event) {
      // Keys stay in the dialog: Material's own shortcuts (n, p, s, /) would act on the page behind.
      event.stopPropagation();
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
      if (target instanceof HTMLButtonElement && (event.key === "Enter" || event.key === " ")) return;
      var picked = /^[1-9]$/.test(event.key) ? outcomes.querySelector('[data-key="' + event.key + '"]') : null;
      if (picked && !outcomes.hidden) {
        choose(Number(event.key) - 1);
        event.preventDefault();
        return;
      }
      switch (event.key) {
        case "ArrowRight": case "PageDown": case "n": case " ":
          forward(); break;
        case "ArrowLeft": case "PageUp": case "p": case "b": case "Backspace":
          goBack(); break;
        case "Home":
          restart(0); break;
        default:
          return;
      }
      event.preventDefault();
    }

    /* --- the end of the call -------------------------------------------------------------- */

    function finishCall(message) {
      saveCall(null);
      history = [];
      trail = [];
      ended = null;
      data = null;
      dialog.close();
      var bar = document.querySelector(".kb-desk-actions");
      if (bar && bar.kbStatus) bar.kbStatus.textContent = message;
    }

    function handoffTeamName(team) {
      var handoff = kb.pageHandoff ? kb.pageHandoff(team || null) : null;
      return handoff ? " to " + handoff.team.name : "";
    }

    /** The hand-off card (handoff.js) to `team` (the article's own when null) at the end; false hides it.
     * True when there is a hand-off to show. */
    function showHandoff(team) {
      var handoff = team === false || !kb.pageHandoff ? null : kb.pageHandoff(team || null);
      var card = handoff && kb.handoffCard(handoff, { via: "call", depth: depth,
        step: Math.max(1, Math.min(ended ? position + 1 : position, steps().length)) });
      handoffSlot.replaceChildren.apply(handoffSlot, card ? [card] : []);
      handoffSlot.hidden = !card;
      return !!card;
    }

    /** "Not yet": which step did the call get stuck at? Pre-filled with the step just done. */
    function askWhereStuck() {
      var all = steps();
      stuckStep.replaceChildren.apply(stuckStep, all.map(function (step, index) {
        var text = step.text.length > 60 ? step.text.slice(0, 59) + "\u2026" : step.text;
        return make("option", { value: String(index + 1), text: "Step " + (index + 1) + ": " + text });
      }));
      var last = ended ? position + 1 : position;
      stuckStep.value = String(Math.max(1, Math.min(last, all.length)));
      stuck.hidden = false;
      stuckStep.focus();
    }

    function notSolved(recorded) {
      finishCall("Not solved yet: " + recorded + "see the rest of the article, or escalate.");
    }

    /** Post the call's outcome; false when there is no activity log to post to. */
    function sendCallFeedback(answer) {
      if (!api.log) return false;
      // The trail by numbers (article, step, outcome): the server takes each label from the article itself.
      var answers = trail.filter(function (a) { return a.outcome; }).map(function (a) { return [a.path, a.step, a.outcome]; });
      var body = Object.assign({ article: data[depth].path, depth: depth, via: "call" }, answer,
        answers.length ? { trail: answers } : {});
      var picked = trail.length ? trail.map(function (a) { return a.label; }).join(" \u2192 ") : "";
      postJson("api/feedback", body).then(function () {
        var widget = kb.feedbackWidget;
        if (widget && widget.isConnected) {
          widget.kbAnswered("Answered in call mode" + (picked ? " (" + picked + ")" : "") + ": thank you.", answer.helpful);
        }
      }, function () {});
      return true;
    }

    /* --- opening --------------------------------------------------------------------------- */

    function show(pageData, openerButton) {
      if (!dialog) build();
      data = pageData;
      opener = openerButton;
      render();
      if (!dialog.open) dialog.showModal();
      moved(true);
    }

    return {
      /** Walk me through: resume this article's call where it was, else start at the first step. */
      open: function (pageData, openerButton) {
        var kept = loadCall();
        depth = currentDepth();
        if (kept && kept.path === pageData[depth].path && kept.depth === depth) {
          position = Math.min(kept.position || 0, stepsAt(pageData, depth).length);
          history = kept.history || [];
          trail = kept.trail || [];
          ended = kept.ended || null;
        } else {
          position = 0;
          history = [];
          trail = [];
          ended = null;
        }
        show(pageData, openerButton);
      },
      /** The start key: a new call at the first step of the section the page is at (its #anchor). */
      openAt: function (pageData, anchor, openerButton) {
        depth = currentDepth();
        var all = stepsAt(pageData, depth);
        var inSection = all.some(function (step) { return step.section === anchor; });
        position = inSection ? positionAt(all, anchor, null) : 0;
        history = [];
        trail = [];
        ended = null;
        show(pageData, openerButton);
      },
      /** On a page call mode was sent to (an answer led here): open it there and go on. */
      resume: function (pageData, openerButton) {
        var kept = loadCall();
        if (!kept || !kept.open || !pageData[kept.depth] || kept.path !== pageData[kept.depth].path) return;
        if (kept.depth !== currentDepth()) setDepth(kept.depth);
        depth = kept.depth;
        var all = stepsAt(pageData, depth);
        position = typeof kept.position === "number" ? kept.position : positionAt(all, kept.anchor, kept.number);
        history = kept.history || [];
        trail = kept.trail || [];
        ended = null;
        show(pageData, openerButton);
      },
      isOpen: function () { return !!(dialog && dialog.open); },
    };
  })();

  kb.callMode = callMode;
})(window.kbDesk = window.kbDesk || {});
