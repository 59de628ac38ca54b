/* kb agent desk, the end of a call in call mode: "Yes, it's solved" or "Not yet" (with the hand-off card
 * and the step it got stuck at), posted as the article's feedback with call mode's trail of answers.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var api = kb.api;
  var postJson = kb.postJson;
  var callStore = kb.callStore;

  /** What the end's answers do to `call` (call-mode.js's state) shown in `view` (call-view.js). */
  function callEnd(call, view) {
    function finishCall(message) {
      callStore.save(null);
      call.history = [];
      call.trail = [];
      call.ended = null;
      call.data = null;
      view().dialog.close();
      var bar = document.querySelector(".kb-desk-actions");
      if (bar && bar.kbStatus) bar.kbStatus.textContent = message;
    }

    function notSolved(recorded) {
      finishCall("Not solved yet: " + recorded + "see the rest of the article, or escalate.");
    }

    /** Post the call's outcome; false when there is no activity log to post to. */
    function sendCallFeedback(answer) {
      if (!api.log) return false;
      // The trail by numbers (article, step, outcome): the server takes each label from the article itself.
      var answers = call.trail.filter(function (a) { return a.outcome; }).map(function (a) { return [a.path, a.step, a.outcome]; });
      var body = Object.assign({ article: call.data[call.depth].path, depth: call.depth, via: "call" }, answer,
        answers.length ? { trail: answers } : {});
      var picked = call.trail.length ? call.trail.map(function (a) { return a.label; }).join(" \u2192 ") : "";
      postJson("api/feedback", body).then(function () {
        var widget = kb.feedbackWidget;
        if (widget && widget.isConnected) {
          widget.kbAnswered("Answered in call mode" + (picked ? " (" + picked + ")" : "") + ": thank you.", answer.helpful);
        }
      }, function () {});
      return true;
    }

    return {
      solved: function () {
        var recorded = sendCallFeedback({ helpful: true });
        finishCall("Marked solved" + (recorded ? " and recorded" : "") + ". Copy steps if the customer wants them in writing.");
      },
      notYet: function () {
        if (!api.log) return notSolved(""); // the article's own card says whom to hand off to
        view().showHandoff(call.ended && call.ended.team);
        view().askWhereStuck();
      },
      stuckAt: function (step) {
        notSolved(sendCallFeedback({ helpful: false, step: step }) ? "recorded as stuck at step " + step + "; " : "");
      },
      skip: function () { notSolved(""); },
    };
  }

  kb.callEnd = callEnd;
})(window.kbDesk = window.kbDesk || {});
