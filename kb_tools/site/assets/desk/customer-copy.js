/* kb agent desk, Copy for the customer: the follow-up e-mail in the customer's words.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`.
 *
 * The wording is the team's template (docs/templates/customer-email.md.j2), rendered when the site
 * was built for each depth and ending (any, solved, not solved), with the steps' own text only:
 * `!!! agent` blocks never reach it. The one thing only the call knows, the problem as the agent
 * restated it, goes where the template put the slot, from a box the agent edits. */
(function (kb) {
  "use strict";

  var make = kb.make;
  var button = kb.button;
  var copyText = kb.copyText;

  var SLOT = "\u27e6problem\u27e7";
  var STORE = "kb-problem:";
  var panels = 0;

  function customerEmails() {
    return kb.pageData("kb-customer-copy", "kbCustomerCopy");
  }

  function loadProblem(path) {
    try {
      return sessionStorage.getItem(STORE + path) || "";
    } catch (error) {
      return "";
    }
  }

  function saveProblem(path, text) {
    try {
      sessionStorage.setItem(STORE + path, text);
    } catch (error) { /* storage blocked: the box still works on this page */ }
  }

  /** The panel: the problem box, the e-mail as it will be copied, and "Copy e-mail".
   * `depthOf()` gives the depth to use; `ending` is "any", "solved", "not_solved" or "not_solved:TEAM" (handed
   * to another team than the article's own). */
  function customerCopyPanel(emails, path, depthOf, ending) {
    panels += 1;
    var boxId = "kb-customer-problem-" + panels;
    var box = make("textarea", { id: boxId, class: "kb-customer-copy__problem", rows: "2",
      placeholder: "e.g. the Wi-Fi drops for a few minutes every evening, mostly in the back bedroom" });
    box.value = loadProblem(path);
    var preview = make("pre", { class: "kb-customer-copy__preview", tabindex: "0", "aria-label": "The e-mail as it will be copied" });
    var status = make("span", { class: "kb-customer-copy__status", role: "status", "aria-live": "polite" });
    var copy = button("Copy e-mail", { class: "md-button md-button--primary kb-customer-copy__copy" }, function () {
      if (!box.value.trim()) {
        status.textContent = "Write the problem as you restated it to the customer first.";
        box.focus();
        return;
      }
      copyText(emailText()).then(function (copied) {
        status.textContent = copied
          ? "Copied the e-mail for the customer: paste it into your reply."
          : "Copying was blocked by the browser: select the e-mail above instead.";
      });
    });

    function emailText() {
      var byDepth = emails[depthOf()] || emails[Object.keys(emails)[0]];
      var text = byDepth[ending] || byDepth[ending.split(":")[0]] || byDepth.any; // "not_solved:TEAM", else not_solved
      return text.split(SLOT).join(box.value.trim() || "\u2026");
    }

    function update() {
      preview.textContent = emailText();
    }

    box.addEventListener("input", function () {
      saveProblem(path, box.value);
      update();
    });
    var panel = make("div", { class: "kb-customer-copy", role: "group", "aria-label": "Copy for the customer" }, [
      make("label", { for: boxId, class: "kb-customer-copy__label", text: "The problem, as you restated it to the customer" }),
      box, preview, make("div", { class: "kb-customer-copy__actions" }, [copy, status]),
    ]);
    panel.kbUpdate = update;
    update();
    return panel;
  }

  kb.customerEmails = customerEmails;
  kb.customerCopyPanel = customerCopyPanel;
})(window.kbDesk = window.kbDesk || {});
