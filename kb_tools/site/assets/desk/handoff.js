/* kb agent desk, hand-offs: the article's hand-off (from <div id="kb-handoff" data-kb-handoff>, written
 * by the kb plugin from `escalation:` and docs/teams.yml), its card in call mode's end, and the
 * "Record hand-off" button that tells the activity log (POST /api/handoff) which team took the call.
 * Plain script, no build step: loaded in order by the kb plugin, shares `window.kbDesk`.
 *
 * kb.pageHandoff(teamId) is what other parts read: for the article's own team (no id) or another team
 * an outcome hands to, {team: {id, name, how, hours, response}, collect, tell_caller, callback,
 * what_happens_next, who, by_when}; null when the page has no hand-off. Copy for the customer takes
 * "what happens next, who and by when" from its `what_happens_next`, `who` and `by_when`. */
(function (kb) {
  "use strict";

  var make = kb.make;
  var button = kb.button;
  var api = kb.api;
  var postJson = kb.postJson;
  var currentDepth = kb.currentDepth;

  function pageHandoffData() {
    var holder = document.getElementById("kb-handoff");
    if (!holder || !holder.dataset.kbHandoff) return null;
    try {
      return JSON.parse(holder.dataset.kbHandoff);
    } catch (error) {
      return null;
    }
  }

  /** The hand-off to `teamId` (default: the article's own `escalation:`), or null. */
  function pageHandoff(teamId) {
    var data = pageHandoffData();
    if (!data) return null;
    var own = data.team ? data : null;
    if (!teamId || (own && own.team.id === teamId)) return own ? withArticle(own, data) : null;
    var other = (data.other_teams || {})[teamId];
    return other ? withArticle(other, data) : null;
  }

  function withArticle(handoff, data) {
    return Object.assign({ article: data.article }, handoff);
  }

  /** A "Record hand-off" button: posts the hand-off once, then says it was recorded. */
  function recordButton(handoff, where) {
    var status = make("span", { class: "kb-handoff__status", role: "status", "aria-live": "polite" });
    var record = button("Record hand-off to " + handoff.team.name, { class: "md-button kb-handoff__record" }, function () {
      record.disabled = true;
      var body = { article: handoff.article, team: handoff.team.id, depth: where.depth || currentDepth(),
        via: where.via || "article" };
      if (where.step) body.step = where.step;
      postJson("api/handoff", body).then(function () {
        status.textContent = "Recorded: handed off to " + handoff.team.name + ".";
      }, function (error) {
        record.disabled = false;
        status.textContent = "Not recorded: " + error.message;
      });
    });
    return make("div", { class: "kb-handoff__actions" }, [record, status]);
  }

  /** The card as call mode's end shows it (the article's own card is built into the page). */
  function handoffCard(handoff, where) {
    if (!handoff) return null;
    var team = handoff.team;
    var facts = [["How", team.how], ["Hours", team.hours], ["Response", team.response],
      ["Calls the customer back", handoff.who]].filter(function (row) { return row[1]; });
    var card = make("aside", { class: "kb-handoff", "data-team": team.id, "aria-label": "Hand-off to " + team.name }, [
      make("p", { class: "kb-handoff__title" }, [make("strong", { text: "Hand off to:" }), " " + team.name]),
      make("dl", { class: "kb-handoff__facts" }, facts.reduce(function (nodes, row) {
        return nodes.concat([make("dt", { text: row[0] }), make("dd", { text: row[1] })]);
      }, [])),
      handoff.collect && handoff.collect.length ? make("p", { class: "kb-handoff__label", text: "Collect first" }) : null,
      handoff.collect && handoff.collect.length ? make("ul", { class: "kb-handoff__collect" },
        handoff.collect.map(function (item) { return make("li", { text: item }); })) : null,
      handoff.tell_caller ? make("p", { class: "kb-handoff__label", text: "Tell the caller" }) : null,
      handoff.tell_caller ? make("blockquote", { class: "kb-handoff__tell", text: handoff.tell_caller }) : null,
    ]);
    if (api.log) card.append(recordButton(handoff, where || {}));
    return card;
  }

  /** On an article: the record button under the page's own card (when kb serve keeps a log). */
  function mountHandoff() {
    var card = document.querySelector(".md-content__inner > .kb-handoff, .md-content__inner .kb-handoff[data-team]");
    var handoff = pageHandoff();
    if (!card || !handoff || !api.log || card.querySelector(".kb-handoff__record")) return;
    card.append(recordButton(handoff, { via: "article" }));
  }

  kb.pageHandoff = pageHandoff;
  kb.handoffCard = handoffCard;
  kb.mountHandoff = mountHandoff;
})(window.kbDesk = window.kbDesk || {});
