/* The site's one script, served locally and loaded with `defer`.
 *
 * Progressive enhancement only: every form it takes over (stars, Save, Hide,
 * sort, recommender choice) works without it, posting and reloading. With it,
 * ratings and marks go through the JSON API and the card changes in place,
 * with an undo. Words come from data attributes the templates translate
 * (`data-msg-*` on <body>, `data-label-*` on the forms): no strings live here.
 */
(function () {
  "use strict";

  var body = document.body;
  document.documentElement.classList.add("js");

  function message(name, values) {
    var text = body.dataset[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function starsText(stars) {
    return String(stars).replace(/\.0$/, "");
  }

  // The cookie first: signing in again in another tab rotates the token, and the page's copy goes stale.
  function csrfToken(form) {
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    if (cookie) { return decodeURIComponent(cookie.slice("csrftoken=".length)); }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // What a refusal means to a person, in the page's language (the API's own words are for developers).
  function refusal(response) {
    if (response.status === 401) { return message("msgSignedOut"); }
    if (response.status === 403) { return message("msgReload"); }
    if (response.status === 429) {
      return message("msgSlowDown", {seconds: response.headers.get("Retry-After") || "60"});
    }
    return message("msgFailedPlain");
  }

  // POST a JSON body; resolves with the answer, rejects with words for the visitor.
  function send(url, form, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(form)},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(refusal(response)); }
        return data;
      });
    }, function () {
      throw new Error(message("msgOffline"));
    });
  }

  function announce(text) {
    var live = document.getElementById("live");
    if (live) { live.textContent = text; }
  }

  function offerRefresh() {
    var offer = document.getElementById("refresh-offer");
    if (offer) { offer.hidden = false; }
  }

  /* Stars ------------------------------------------------------------- */

  // Every widget of one movie on the page shows the same stars (a film can be in two rows),
  // and the movie page's label says whether there is a rating ("Your rating" / "Rate it").
  function showStars(movieId, stars) {
    document.querySelectorAll("form.stars[data-movie='" + movieId + "']").forEach(function (form) {
      form.dataset.stars = stars === null ? "" : String(stars);
      form.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = stars !== null && parseFloat(input.value) === stars;
      });
      var label = form.closest(".my-rating") && form.closest(".my-rating").querySelector(".my-rating-label");
      if (label) { label.textContent = stars === null ? label.dataset.unrated : label.dataset.rated; }
    });
  }

  function savedStars(form) {
    return form.dataset.stars === "" ? null : parseFloat(form.dataset.stars);
  }

  // Resolves true once saved, false if refused. Only the latest request of a widget may set what it
  // shows: two quick clicks can be answered out of order.
  var latest = new WeakMap();
  function rate(form, stars, undoable) {
    var previous = savedStars(form);
    var status = form.querySelector(".stars-status");
    var ticket = (latest.get(form) || 0) + 1;
    latest.set(form, ticket);
    form.classList.add("is-saving");
    return send(body.dataset.apiRatings, form, {movie_id: parseInt(form.dataset.movie, 10), stars: stars})
      .then(function (data) {
        if (latest.get(form) !== ticket) { return true; }
        showStars(form.dataset.movie, data.stars);
        status.textContent = data.stars === null ? message("msgRemoved")
          : message("msgRated", {stars: starsText(data.stars)});
        if (undoable && previous !== data.stars) {
          var undo = document.createElement("button");
          undo.type = "button";
          undo.className = "small undo";
          undo.textContent = message("msgUndo");
          undo.addEventListener("click", function () {
            rate(form, previous, false).then(function (saved) {
              if (saved) { status.textContent = message("msgUndone"); }
            });
          });
          status.appendChild(document.createTextNode(" "));
          status.appendChild(undo);
        }
        offerRefresh();
        return true;
      })
      .catch(function (error) {
        if (latest.get(form) === ticket) {
          showStars(form.dataset.movie, previous);
          status.textContent = error.message;
        }
        return false;
      })
      .finally(function () { form.classList.remove("is-saving"); });
  }

  // Arrow keys move through the radios one step at a time: after a key, wait for the last step
  // before saving. A click or a tap is saved at once.
  var pending = new WeakMap();
  var keyAt = -1;
  document.addEventListener("keydown", function () { keyAt = performance.now(); });
  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.form;
    if (!form) { return; }
    if (form.classList.contains("stars") && input.type === "radio") {
      var started = performance.now();
      var save = function () {
        pending.delete(form);
        rate(form, parseFloat(input.value), true).then(function () {
          // How long the visitor waited for the card to say "rated" (bench/bench_card_rating.py reads it).
          form.dataset.savedInMs = String(Math.round(performance.now() - started));
        });
      };
      clearTimeout(pending.get(form));
      if (started - keyAt < 100) {
        pending.set(form, setTimeout(save, 300));
      } else {
        save();
      }
    } else if (input.dataset.autoSubmit !== undefined) {
      form.submit();   // sort order, recommender choice: applied on choosing
    } else if (form.classList.contains("onboarding")) {
      countRated(form);
    }
  });

  /* Save and Hide ----------------------------------------------------- */

  function showMark(form, on) {
    var button = form.querySelector("button");
    button.textContent = on ? form.dataset.labelOn : form.dataset.labelOff;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.setAttribute("aria-label", on ? form.dataset.ariaOn : form.dataset.ariaOff);
    form.querySelector("input[name=on]").value = on ? "0" : "1";
  }

  // Every card of the film on the page (the hot row, the grid and "for you" can all show it).
  function showMarks(movieId, kind, on) {
    document.querySelectorAll("form.mark-" + kind + "[data-movie='" + movieId + "']").forEach(function (form) {
      showMark(form, on);
      var card = form.closest(".movie-card, .movie-detail");
      if (kind === "hidden" && card) { card.classList.toggle("is-hidden", on); }
    });
  }

  function mark(form) {
    var on = form.querySelector("input[name=on]").value === "1";
    var movie = form.dataset.movie;
    send(body.dataset.apiMarks, form, {movie_id: parseInt(movie, 10), kind: form.dataset.kind, on: on})
      .then(function (data) {
        showMarks(movie, form.dataset.kind, data.on);
        if (form.dataset.kind === "hidden") {
          // Hiding takes a film off the watchlist (services.marks): its cards say so too.
          if (data.on) { showMarks(movie, "watchlist", false); }
          offerRefresh();
        }
        announce(data.on ? form.dataset.labelOn : form.dataset.labelOff);
      })
      .catch(function (error) { announce(error.message); window.alert(error.message); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("stars")) {
      event.preventDefault();
      clearTimeout(pending.get(form));      // Enter during the arrow keys' wait: saved once, now
      pending.delete(form);
      var clear = event.submitter && event.submitter.name === "delete";
      var checked = form.querySelector("input[type=radio]:checked");
      if (clear) { rate(form, null, true); } else if (checked) { rate(form, parseFloat(checked.value), true); }
    } else if (form.classList.contains("mark")) {
      event.preventDefault();
      mark(form);
    }
  });

  /* Onboarding: one form of star widgets, each with a "not seen" choice; a running count. */

  function countRated(form) {
    var counter = form.querySelector(".rated-count");
    if (!counter) { return; }
    var rated = form.querySelectorAll("input[type=radio]:checked:not([value=''])").length;
    counter.textContent = message("msgCount", {n: rated, min: form.dataset.minimum});
    counter.classList.toggle("enough", rated >= parseInt(form.dataset.minimum, 10));
  }

  document.querySelectorAll("form.onboarding").forEach(countRated);

  /* The refresh offer on "for you" reloads the list with the new ratings folded in. */
  var refresh = document.querySelector("#refresh-offer button");
  if (refresh) { refresh.addEventListener("click", function () { window.location.reload(); }); }
}());
