// The meditation session page: countdown with bells, and the dhikr counter.
// Loaded as a file (the CSP allows no inline script); everything works without it.
(function () {
  "use strict";

  var countdown = document.getElementById("countdown");
  var elapsedInput = document.getElementById("id_elapsed_seconds");
  var countInput = document.getElementById("id_dhikr_count");
  var audio = null;

  function bell(times) {
    // A soft synthesised bell: no audio file to fetch, nothing third-party.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    } catch (e) {
      return;
    }
    for (var i = 0; i < times; i++) {
      var start = audio.currentTime + i * 1.6;
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 528;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 1.5);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 1.6);
    }
  }

  function format(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  if (countdown) {
    var planned = parseInt(countdown.dataset.planned, 10);
    var remaining = parseInt(countdown.dataset.remaining, 10);
    var intervalMinutes = parseInt(countdown.dataset.intervalMinutes, 10) || 0;
    var endBell = countdown.dataset.endBell === "true";
    var elapsed = planned - remaining; // seconds sat before this page loaded
    var running = true;
    var ended = remaining <= 0;
    var timeEl = countdown.querySelector("[data-countdown-time]");
    var statusEl = countdown.querySelector("[data-countdown-status]");
    var controls = countdown.querySelector("[data-countdown-controls]");
    var toggle = countdown.querySelector("[data-countdown-toggle]");
    var last = Date.now();

    controls.hidden = false;
    toggle.addEventListener("click", function () {
      running = !running;
      toggle.textContent = running ? "Pause" : "Resume";
      statusEl.textContent = running ? "Timer resumed." : "Timer paused.";
      last = Date.now();
    });

    setInterval(function () {
      var now = Date.now();
      if (running) {
        var before = elapsed;
        elapsed += (now - last) / 1000;
        if (intervalMinutes && !ended) {
          var step = intervalMinutes * 60;
          if (Math.floor(elapsed / step) > Math.floor(before / step) && elapsed < planned) {
            bell(1);
          }
        }
        if (!ended && elapsed >= planned) {
          ended = true;
          statusEl.textContent = "Time is up. Take a moment before you write your reflection.";
          if (endBell) {
            bell(3);
          }
        }
      }
      last = now;
      timeEl.textContent = ended ? "0:00" : format(planned - elapsed);
      if (elapsedInput) {
        elapsedInput.value = Math.round(elapsed);
      }
    }, 250);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if ((event.key === "+" || event.key === "=") && !typing(event.target)) {
      var tap = document.getElementById("dhikr-tap");
      if (tap) {
        event.preventDefault();
        tap.click();
      }
    }
  });

  // The dhikr counter: each tap counts here at once; the running total is saved in the
  // background. The server keeps the larger of its count and the total it is sent, so a
  // retry, a repeat or a late answer never counts a tap twice nor loses one. The total is
  // kept on this device too (localStorage), so taps made offline, or before a reload, are
  // saved when the connection returns. Without JavaScript the form posts each tap.
  var dhikr = document.getElementById("dhikr");
  if (dhikr) {
    dhikrCounter(dhikr);
  }

  function dhikrCounter(section) {
    var MAX = 100000; // DHIKR_MAX on the server
    var PAUSE = 300; // ms after a tap before the total is sent: quick taps go together
    var KEPT_DAYS = 7;
    var PREFIX = "aysekai.dhikr.";
    var form = section.querySelector("[data-dhikr-form]");
    var numberEl = section.querySelector("[data-dhikr-number]");
    var doneEl = section.querySelector("[data-dhikr-done]");
    var statusEl = section.querySelector("[data-dhikr-status]");
    var syncEl = section.querySelector("[data-dhikr-sync]");
    var target = parseInt(section.dataset.target, 10) || 0;
    var key = PREFIX + section.dataset.sitting;
    var saved = parseInt(section.dataset.count, 10) || 0; // what the server is known to have
    var count = Math.max(saved, kept());
    var sending = false;
    var stopped = false; // the server will take no more (the sitting ended, or it refused)
    var timer = null;
    var backoff = 0;

    function storage() {
      try {
        return window.localStorage;
      } catch (e) {
        return null; // storage disabled: the count is still sent, only not kept here
      }
    }

    function kept() {
      var store = storage();
      try {
        var value = store && JSON.parse(store.getItem(key) || "null");
        return value && typeof value.total === "number" ? Math.min(value.total, MAX) : 0;
      } catch (e) {
        return 0;
      }
    }

    function keep() {
      var store = storage();
      try {
        if (store) {
          store.setItem(key, JSON.stringify({ total: count, at: Date.now() }));
        }
      } catch (e) {
        // full or refused: the server copy is the only one
      }
    }

    function forgetOld() {
      var store = storage();
      var oldest = Date.now() - KEPT_DAYS * 86400000;
      try {
        for (var i = store ? store.length - 1 : -1; i >= 0; i--) {
          var name = store.key(i);
          if (name && name.indexOf(PREFIX) === 0 && name !== key) {
            var value = JSON.parse(store.getItem(name) || "null");
            if (!value || !(value.at > oldest)) {
              store.removeItem(name);
            }
          }
        }
      } catch (e) {
        // nothing to tidy
      }
    }

    function show() {
      numberEl.textContent = count;
      doneEl.hidden = count < target;
      if (countInput) {
        countInput.value = count; // the finish form carries the count too
      }
    }

    function announce() {
      // Milestones only: a screen reader is not read every tap.
      if (count === target) {
        statusEl.textContent = "You have reached " + target + ".";
      } else if (count % 33 === 0 || count % 100 === 0) {
        statusEl.textContent = count + " of " + target + ".";
      }
    }

    function tell(text) {
      if (syncEl.textContent !== text) {
        syncEl.textContent = text;
      }
      syncEl.hidden = !text;
    }

    function body(total) {
      var data = new FormData(form);
      data.set("total", String(total));
      return data;
    }

    function later(wait) {
      if (timer === null && !stopped) {
        timer = window.setTimeout(function () {
          timer = null;
          send();
        }, wait);
      }
    }

    function now() {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      backoff = 0;
      send();
    }

    function send() {
      if (sending || stopped || count <= saved) {
        return;
      }
      sending = true;
      var total = count;
      fetch(form.action, {
        method: "POST",
        body: body(total),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (response.status === 409 || (response.status >= 400 && response.status < 500 &&
              response.status !== 408 && response.status !== 429)) {
            // Ended elsewhere, or refused (signed out, an old page): stop sending. The
            // finish form still carries the count.
            stopped = true;
            tell(response.status === 409
              ? "This session has already been saved."
              : "Your count could not be saved just now. It is kept on this page and saved " +
                "when you finish.");
            return null;
          }
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (answer === null) {
            return;
          }
          saved = Math.max(saved, answer.count);
          if (answer.count > count) {
            count = answer.count; // counted in another tab too
            keep();
            show();
          }
          backoff = 0;
          tell("");
        })
        .catch(function () {
          backoff = Math.min(backoff ? backoff * 2 : 1000, 30000);
          tell(navigator.onLine === false
            ? "You are offline. Your count is kept on this device and saved when you are " +
              "back online."
            : "Your count is not saved yet. It is kept on this device; trying again.");
        })
        .then(function () {
          sending = false;
          if (count > saved) {
            later(backoff || PAUSE);
          }
        });
    }

    function tap() {
      if (count >= MAX) {
        return;
      }
      count += 1;
      keep();
      show();
      announce();
      if (navigator.vibrate) {
        navigator.vibrate(count === target ? [40, 60, 40] : 12);
      }
      later(PAUSE);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      tap();
    });
    window.addEventListener("online", now);
    // Leaving the page (or the phone locking it away): hand the total over in the background.
    function handOver() {
      if (count > saved && !stopped && navigator.sendBeacon) {
        navigator.sendBeacon(form.action, body(count));
      }
    }
    window.addEventListener("pagehide", handOver);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        handOver();
      }
    });

    forgetOld();
    show();
    if (count > saved) {
      now(); // taps from before a reload, or made offline
    }
  }
})();
