/*
 * The live list of a MENTORS session's questions, refreshed without reloading the page.
 *
 * Markup (mentors/templates/mentors/questions/session_questions.html): an element with
 * data-live-questions holding an aria-live="polite" region marked
 * data-live-questions-list, which the server has already filled (so the page works
 * without JavaScript). Attributes of the data-live-questions element:
 *   data-url            the JSON list: [{"id", "title", "score", "answers", "url"}]
 *   data-live           "true" while the session is live; otherwise nothing is polled
 *   data-ends-at        ISO date-time of the end; polling stops after it
 *   data-label-votes, data-label-answers, data-empty-text   the translated words
 * The region's data-state ("id:score:answers|" per question) tells what is shown, so
 * that the region is re-rendered (and announced) only when something changed.
 */
(function () {
    "use strict";

    var POLL_MILLISECONDS = 10000;

    function stateOf(items) {
        return items.map(function (item) {
            return item.id + ":" + item.score + ":" + item.answers + "|";
        }).join("");
    }

    function render(section, region, items) {
        var labelVotes = section.getAttribute("data-label-votes") || "";
        var labelAnswers = section.getAttribute("data-label-answers") || "";
        var fragment = document.createDocumentFragment();
        if (!items.length) {
            var empty = document.createElement("p");
            empty.className = "live-questions__empty";
            empty.textContent = section.getAttribute("data-empty-text") || "";
            fragment.appendChild(empty);
        } else {
            var list = document.createElement("ol");
            list.className = "live-questions__list";
            items.forEach(function (item) {
                var entry = document.createElement("li");
                var link = document.createElement("a");
                link.href = item.url;
                link.textContent = item.title;
                var meta = document.createElement("span");
                meta.className = "entry-meta";
                meta.textContent = "(" + labelVotes + ": " + item.score + " · " +
                    labelAnswers + ": " + item.answers + ")";
                entry.appendChild(link);
                entry.appendChild(document.createTextNode(" "));
                entry.appendChild(meta);
                list.appendChild(entry);
            });
            fragment.appendChild(list);
        }
        region.replaceChildren(fragment);
    }

    function watch(section) {
        var url = section.getAttribute("data-url");
        var region = section.querySelector("[data-live-questions-list]");
        if (!url || !region || section.getAttribute("data-live") !== "true" || !window.fetch) {
            return;
        }
        var endsAt = Date.parse(section.getAttribute("data-ends-at") || "");
        var busy = false;
        var timer = null;

        function poll() {
            if (!isNaN(endsAt) && Date.now() > endsAt) {
                window.clearInterval(timer);
                return;
            }
            if (busy || document.hidden) {
                return;
            }
            busy = true;
            window.fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
                .then(function (response) {
                    return response.ok ? response.json() : null;
                })
                .then(function (items) {
                    if (!Array.isArray(items)) {
                        return;
                    }
                    var state = stateOf(items);
                    if (state !== region.getAttribute("data-state")) {
                        region.setAttribute("data-state", state);
                        render(section, region, items);
                    }
                })
                .catch(function () {
                    // A failed poll leaves the list as it is; the next one tries again.
                })
                .then(function () {
                    busy = false;
                });
        }

        timer = window.setInterval(poll, POLL_MILLISECONDS);
    }

    Array.prototype.forEach.call(document.querySelectorAll("[data-live-questions]"), watch);
}());
