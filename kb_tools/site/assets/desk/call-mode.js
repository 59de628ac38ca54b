/* kb agent desk, call mode: one step at a time in a modal dialog, following the customer's answers.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`.
 *
 * At a step with outcomes the agent picks what the customer sees (number keys or a click) and call
 * mode goes where it leads: another step, another article (the page opens and call mode goes on
 * there), or an end. The answers make the trail; Backspace or ← goes back one move. The call's
 * state is kept in sessionStorage (call-store.js), so closing and reopening resumes it, across pages
 * too. The dialog is call-view.js, its end ("Is the problem solved?") call-end.js; this file moves. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var make = kb.make;
  var currentDepth = kb.currentDepth;
  var setDepth = kb.setDepth;
  var stepsAt = kb.stepsAt;
  var callStore = kb.callStore;
  var positionAt = callStore.positionAt;

  var callMode = (function () {
    // The call: the page's steps data, the depth, the step shown, the moves made (to go back), the
    // customer's answers, and how it ended ({kind, note, team}, or null while it goes on).
    var call = { data: null, depth: "beginner", position: 0, history: [], trail: [], ended: null };
    var view = null, opener = null, leaving = false;
    var end = kb.callEnd(call, function () { return view; });

    function build() {
      view = kb.callView(call, {
        solved: end.solved, notYet: end.notYet, stuckAt: end.stuckAt, skip: end.skip,
        back: goBack, next: forward, choose: choose, key: onKey,
        closed: function () {
          if (!leaving) keep(); // (leaving for another page: the state to resume there is saved already)
          leaving = false;
          if (opener && opener.isConnected) opener.focus();
        },
        depth: function (newDepth) {
          call.depth = newDepth;
          restart(0);
        },
      });
    }

    function steps() {
      return stepsAt(call.data, call.depth);
    }

    /** Start over at `at` (a depth change, or Home): no moves, no answers. */
    function restart(at) {
      begin(at, [], []);
      view.render();
    }

    function begin(position, history, trail) {
      call.position = position;
      call.history = history;
      call.trail = trail;
      call.ended = null;
    }

    /* --- moving: forward, by an answer, back ---------------------------------------------- */

    function here() {
      return { path: call.data[call.depth].path, url: call.data[call.depth].url, position: call.position };
    }

    function forward() {
      var step = steps()[call.position];
      if (!step || (step.outcomes && step.outcomes.length)) return;
      call.history.push(here());
      call.position += 1;
      moved();
    }

    function choose(index) {
      var step = steps()[call.position];
      var outcome = step && step.outcomes && step.outcomes[index];
      if (!outcome) return;
      var page = call.data[call.depth];
      call.history.push(here());
      call.trail.push({ path: page.path, title: page.title, step: call.position + 1, outcome: index + 1, label: outcome.label });
      var to = outcome.to || {};
      if (to.kind === "step" && to.position) {
        call.position = to.position - 1;
      } else if (to.kind === "article" && to.path === page.path) {
        call.position = positionAt(steps(), to.anchor, to.number);
      } else if (to.kind === "article") {
        return followTo(to);
      } else {
        call.ended = { kind: to.kind, note: to.note || "", team: to.team || null };
      }
      moved();
    }

    function goBack() {
      var trail = call.trail;
      if (call.ended) {
        call.ended = null;
        trail.pop();
        var last = call.history.pop();
        if (last) call.position = last.position;
        return moved();
      }
      if (!call.history.length) {
        if (call.position > 0) call.position -= 1;
        return moved();
      }
      var previous = call.history.pop();
      if (trail.length && trail[trail.length - 1].path === previous.path && trail[trail.length - 1].step === previous.position + 1) {
        trail.pop();
      }
      if (previous.path !== call.data[call.depth].path) {
        return openElsewhere(previous.url, { path: previous.path, depth: call.depth, position: previous.position });
      }
      call.position = previous.position;
      moved();
    }

    function moved(opening) {
      keep();
      view.render();
      view.focusNext(opening);
    }

    /** Go on in another article: its page opens (instant navigation if Material has it) and call mode with it. */
    function followTo(to) {
      openElsewhere(to.url, { path: to.path, depth: call.depth, anchor: to.anchor || "", number: to.number || null });
    }

    function openElsewhere(url, where) {
      callStore.save(Object.assign({ history: call.history, trail: call.trail, open: true }, where));
      leaving = true;
      view.dialog.close();
      var link = make("a", { href: new URL(url, ROOT).href, hidden: true });
      document.body.append(link);
      link.click(); // a click, not location.assign: Material's instant navigation handles it
      link.remove();
    }

    /** Remember where the call is, so closing and reopening (or another page) resumes it. */
    function keep() {
      if (!call.data) return;
      callStore.save({ path: call.data[call.depth].path, depth: call.depth, position: call.position,
        history: call.history, trail: call.trail, ended: call.ended, open: false });
    }

    /* --- keys ----------------------------------------------------------------------------- */

    function onKey(event) {
      // Keys stay in the dialog: Material's own shortcuts (n, p, s, /) would act on the page behind.
      event.stopPropagation();
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
      if (target instanceof HTMLButtonElement && (event.key === "Enter" || event.key === " ")) return;
      if (/^[1-9]$/.test(event.key) && view.outcomeKey(event.key)) {
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

    /* --- opening --------------------------------------------------------------------------- */

    function show(pageData, openerButton) {
      call.data = pageData;
      if (!view) build();
      opener = openerButton;
      view.render();
      if (!view.dialog.open) view.dialog.showModal();
      moved(true);
    }

    return {
      /** Walk me through: resume this article's call where it was, else start at the first step. */
      open: function (pageData, openerButton) {
        var kept = callStore.load();
        call.depth = currentDepth();
        if (kept && kept.path === pageData[call.depth].path && kept.depth === call.depth) {
          begin(Math.min(kept.position || 0, stepsAt(pageData, call.depth).length), kept.history || [], kept.trail || []);
          call.ended = kept.ended || null;
        } else {
          begin(0, [], []);
        }
        show(pageData, openerButton);
      },
      /** The start key: a new call at the first step of the section the page is at (its #anchor). */
      openAt: function (pageData, anchor, openerButton) {
        call.depth = currentDepth();
        var all = stepsAt(pageData, call.depth);
        var inSection = all.some(function (step) { return step.section === anchor; });
        begin(inSection ? positionAt(all, anchor, null) : 0, [], []);
        show(pageData, openerButton);
      },
      /** On a page call mode was sent to (an answer led here): open it there and go on. */
      resume: function (pageData, openerButton) {
        var kept = callStore.load();
        if (!kept || !kept.open || !pageData[kept.depth] || kept.path !== pageData[kept.depth].path) return;
        if (kept.depth !== currentDepth()) setDepth(kept.depth);
        call.depth = kept.depth;
        var all = stepsAt(pageData, call.depth);
        begin(typeof kept.position === "number" ? kept.position : positionAt(all, kept.anchor, kept.number),
          kept.history || [], kept.trail || []);
        show(pageData, openerButton);
      },
      isOpen: function () { return !!(view && view.dialog.open); },
    };
  })();

  kb.callMode = callMode;
})(window.kbDesk = window.kbDesk || {});
