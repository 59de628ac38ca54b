/* kb agent desk, the activity log's "Did this solve the caller's problem?" under an article.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`. */
(function (kb) {
  "use strict";

  var ROOT = kb.ROOT;
  var make = kb.make;
  var button = kb.button;
  var currentDepth = kb.currentDepth;
  var postJson = kb.postJson;
  var pageSteps = kb.pageSteps;

  var REASONS = [["inaccurate", "Inaccurate"], ["missing-step", "A step is missing"],
    ["hard-to-follow", "Hard to follow"], ["other", "Something else"]];

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
    var pathNav = article.querySelector(".kb-path-nav"); // an onboarding path's previous/next comes last
    var feedbackWidget = (kb.feedbackWidget = feedbackBox(path, question(article))); // call mode marks it answered
    if (pathNav) pathNav.before(feedbackWidget);
    else article.append(feedbackWidget);
  }

  /** Only an article that fixes something can solve a caller's problem; a playbook or concept that
   * onboarding paths read (how to calm a caller, how mesh works) is asked whether it was useful. */
  function question(article) {
    var type = article.querySelector(".kb-meta .kb-type");
    var fixes = type && (type.textContent === "troubleshooting" || type.textContent === "how-to");
    return fixes ? "Did this solve the caller's problem?" : "Was this article useful?";
  }

  function feedbackBox(path, asked) {
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
      make("p", { class: "kb-feedback__question", id: "kb-feedback-question", text: asked }),
      answers, details, status,
    ]);
    details.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = details.querySelector("input[name=kb-feedback-reason]:checked");
      send({ helpful: false, reason: chosen ? chosen.value : null, comment: comment.value.trim() || null });
    });

    /** Sent: the buttons stay, the picked one pressed, so the agent sees which answer went. */
    function answered(message, helpful) {
      details.hidden = true;
      box.setAttribute("data-state", "sent");
      answers.querySelectorAll("button").forEach(function (b) {
        var picked = helpful !== undefined && b.classList.contains(helpful ? "kb-feedback__yes" : "kb-feedback__no");
        b.setAttribute("aria-pressed", String(picked));
        b.disabled = true;
      });
      status.textContent = message;
    }

    function send(answer) {
      box.setAttribute("aria-busy", "true");
      postJson("api/feedback", Object.assign({ article: path, depth: currentDepth() }, answer))
        .then(function () { answered("Thank you: recorded.", answer.helpful); }, function (error) {
          status.textContent = "Not recorded: " + error.message;
        })
        .finally(function () { box.removeAttribute("aria-busy"); });
    }

    box.kbAnswered = answered;
    return box;
  }

  kb.mountFeedback = mountFeedback;
})(window.kbDesk = window.kbDesk || {});
