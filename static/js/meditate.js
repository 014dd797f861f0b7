// The meditation session page: countdown with bells, and the dhikr counter.
// Loaded as a file (the CSP allows no inline script); everything works without it.
(function () {
  "use strict";

  // The page's language from Django's JavaScript catalog (/jsi18n/); navigation.js gives
  // English ones when it did not load.
  var gettext = window.gettext;
  var ngettext = window.ngettext;
  var interpolate = window.interpolate;
  var digits = window.aysekaiDigits;

  var countdown = document.getElementById("countdown");
  var elapsedInput = document.getElementById("id_elapsed_seconds");
  var countInput = document.getElementById("id_dhikr_count");
  var minutesInput = document.getElementById("id_minutes");
  var article = document.querySelector("[data-sitting]");

  function store() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function load(key, fallback) {
    try {
      var value = store() && JSON.parse(store().getItem(key) || "null");
      return value || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      if (store()) {
        store().setItem(key, JSON.stringify(value));
      }
    } catch (e) {
      // full or refused: this page still works, a reload starts afresh
    }
  }

  // What a sitting keeps on this device is dropped a week after it was last written (a
  // sitting saved elsewhere, or abandoned, leaves nothing behind for good). `current` stays.
  var KEPT_MS = 7 * 86400000;

  function forgetOld(prefix, current) {
    var items = store();
    var oldest = Date.now() - KEPT_MS;
    try {
      for (var i = items ? items.length - 1 : -1; i >= 0; i--) {
        var name = items.key(i);
        if (name && name.indexOf(prefix) === 0 && name !== current) {
          var value = load(name, null);
          if (!value || !((value.at || value.begun) > oldest)) { // `begun`: kept before `at`
            items.removeItem(name);
          }
        }
      }
    } catch (e) {
      // nothing to tidy
    }
  }

  // The bells, synthesised here (no audio file, nothing third-party): a singing bowl (low,
  // long, with overtones) or a soft chime (higher, shorter). The choice and the volume are
  // kept on this device.
  var audio = null;
  var sound = load("aysekai.sound", { bell: "bowl", volume: 70 });
  var BELLS = {
    bowl: { partials: [[196, 1], [392, 0.5], [588, 0.25], [784, 0.12]], decay: 6, gap: 3 },
    chime: { partials: [[880, 1], [1320, 0.4], [1760, 0.15]], decay: 2.2, gap: 1.4 },
  };

  function unlockAudio() {
    // Called from a tap (Begin, or the first touch after a reload): browsers only let sound
    // start from a gesture, iOS and Android above all.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    } catch (e) {
      return;
    }
    if (audio.state === "suspended" && audio.resume) {
      audio.resume();
    }
    var silent = audio.createBuffer(1, 1, 22050);
    var source = audio.createBufferSource();
    source.buffer = silent;
    source.connect(audio.destination);
    source.start(0);
  }

  function bell(times) {
    var kind = BELLS[sound.bell];
    if (!kind || !audio || !sound.volume) {
      return;
    }
    var volume = Math.max(0, Math.min(1, sound.volume / 100)) * 0.35;
    for (var i = 0; i < times; i++) {
      var start = audio.currentTime + i * kind.gap;
      kind.partials.forEach(function (partial) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = partial[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(volume * partial[1], start + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + kind.decay);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + kind.decay + 0.1);
      });
    }
  }

  function soundChoices(panel) {
    panel.hidden = false;
    var radio = panel.querySelector('input[name="bell"][value="' + sound.bell + '"]');
    if (radio) {
      radio.checked = true;
    }
    var range = panel.querySelector('input[name="volume"]');
    range.value = sound.volume;
    panel.addEventListener("change", function () {
      var chosen = panel.querySelector('input[name="bell"]:checked');
      sound = { bell: chosen ? chosen.value : "bowl", volume: parseInt(range.value, 10) || 0 };
      save("aysekai.sound", sound);
    });
    panel.querySelector("[data-sound-try]").addEventListener("click", function () {
      unlockAudio();
      bell(1);
    });
  }

  // Keep the screen on while sitting (Wake Lock), asked again when the page comes back.
  var wakeLock = null;
  var wantAwake = false;

  function stayAwake(on) {
    wantAwake = on;
    if (!on) {
      if (wakeLock) {
        wakeLock.release();
        wakeLock = null;
      }
      return;
    }
    if (navigator.wakeLock && navigator.wakeLock.request && !wakeLock) {
      navigator.wakeLock.request("screen").then(function (lock) {
        wakeLock = lock;
        if (lock.addEventListener) {
          lock.addEventListener("release", function () {
            wakeLock = null;
          });
        }
      }, function () {
        // refused (battery saver, a hidden page): the sitting goes on
      });
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && wantAwake) {
      stayAwake(true);
    }
  });

  function format(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function spoken(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    var minutes = interpolate(ngettext("%(count)s minute", "%(count)s minutes", m),
      { count: m }, true);
    var secs = interpolate(ngettext("%(count)s second", "%(count)s seconds", r),
      { count: r }, true);
    if (!m) {
      return secs;
    }
    if (!r) {
      return minutes;
    }
    // Translators: a time in minutes and seconds, e.g. "2 minutes 5 seconds".
    return interpolate(gettext("%(minutes)s %(seconds)s"),
      { minutes: minutes, seconds: secs }, true);
  }

  if (countdown && article) {
    sitting(countdown, article.dataset.sitting);
  }

  // The timer: Begin starts it (and unlocks sound, keeps the screen awake); it can pause; End
  // stops it and shows the closing screen above the reflection. Its state is kept on this
  // device, so a reload carries on where it was.
  function sitting(countdown, id) {
    var PREFIX = "aysekai.sitting.";
    var key = PREFIX + id;
    var planned = parseInt(countdown.dataset.planned, 10);
    var intervalMinutes = parseInt(countdown.dataset.intervalMinutes, 10) || 0;
    var endBell = countdown.dataset.endBell === "true";
    var timeEl = countdown.querySelector("[data-countdown-time]");
    var statusEl = countdown.querySelector("[data-countdown-status]");
    var ring = countdown.querySelector("[data-ring]");
    var controls = countdown.querySelector("[data-countdown-controls]");
    var begin = controls.querySelector("[data-begin]");
    var toggle = controls.querySelector("[data-countdown-toggle]");
    var end = controls.querySelector("[data-end]");
    var finish = document.querySelector("[data-finish]");
    var closing = finish.querySelector("[data-closing]");
    var dhikrSection = document.getElementById("dhikr");
    // begun: when Begin was pressed; paused: ms spent paused before pausedAt; ended: when End was.
    var state = load(key, null);
    var timesUp = false;

    function elapsedMs(now) {
      if (!state) {
        return 0;
      }
      var stop = state.ended || state.pausedAt || now;
      return Math.max(0, stop - state.begun - state.paused);
    }

    function keep() {
      state.at = Date.now();
      save(key, state);
    }

    function field(input) {
      return input && (input.closest(".field") || input.parentNode);
    }

    // With the live timer and counter, the finish form's count and minutes would only
    // contradict them: they are filled in, not shown.
    [countInput, minutesInput].forEach(function (input) {
      var row = field(input);
      if (row) {
        row.hidden = true;
      }
    });
    finish.hidden = true;
    controls.hidden = false;
    var panel = document.querySelector("[data-sound]");
    if (panel) {
      soundChoices(panel);
    }

    function show(now) {
      var seconds = elapsedMs(now) / 1000;
      var left = Math.max(0, planned - seconds);
      timeEl.textContent = digits(format(left));
      if (ring) {
        var circumference = 339.292; // 2πr for the ring's r = 54
        ring.style.strokeDashoffset = String(circumference * (1 - Math.min(1, seconds / planned)));
      }
      if (elapsedInput) {
        elapsedInput.value = Math.round(seconds);
      }
      if (minutesInput) {
        minutesInput.value = Math.round(seconds / 60);
      }
      return seconds;
    }

    function buttons() {
      var running = state && !state.ended;
      begin.hidden = !!state;
      toggle.hidden = !running;
      end.hidden = !running;
      toggle.textContent = state && state.pausedAt ? gettext("Resume") : gettext("Pause");
    }

    function start() {
      unlockAudio();
      state = { begun: Date.now(), paused: 0, pausedAt: null, ended: null };
      keep();
      stayAwake(true);
      buttons();
      statusEl.textContent = gettext("The sitting has begun.");
      var tap = document.getElementById("dhikr-tap");
      if (tap) {
        tap.focus();
      }
    }

    function closingScreen() {
      var seconds = show(state.ended);
      closing.querySelector("[data-closing-time]").textContent = digits(spoken(seconds));
      var counted = countInput ? parseInt(countInput.value, 10) || 0 : 0;
      closing.querySelector("[data-closing-count]").textContent = digits(String(counted));
      closing.hidden = false;
      finish.hidden = false;
      finish.querySelector("[data-finish-heading]").textContent = gettext("Your reflection");
      finish.querySelector("[data-finish-intro]").hidden = true;
      if (dhikrSection) {
        dhikrSection.hidden = true;
      }
      controls.hidden = true;
      countdown.closest(".timer").hidden = true; // the time is in the closing screen now
    }

    begin.addEventListener("click", start);
    toggle.addEventListener("click", function () {
      var now = Date.now();
      if (state.pausedAt) {
        state.paused += now - state.pausedAt;
        state.pausedAt = null;
        stayAwake(true);
        statusEl.textContent = gettext("Timer resumed.");
      } else {
        state.pausedAt = now;
        stayAwake(false);
        statusEl.textContent = gettext("Timer paused.");
      }
      keep();
      buttons();
    });
    end.addEventListener("click", function () {
      var now = Date.now();
      if (state.pausedAt) {
        state.paused += now - state.pausedAt;
        state.pausedAt = null;
      }
      state.ended = now;
      keep();
      stayAwake(false);
      closingScreen();
      closing.querySelector("#closing-heading").focus();
    });
    finish.querySelector("[data-finish-form]").addEventListener("submit", function () {
      try {
        if (store()) {
          store().removeItem(key); // saved: a later visit of this address starts nothing
        }
      } catch (e) {
        // nothing kept
      }
    });

    // Full screen, where the browser offers it for an element (not on an iPhone): the sitting
    // alone on the screen. Esc, or the button again, leaves it; saving the reflection does too.
    var full = controls.querySelector("[data-fullscreen]");
    if (full && article && document.fullscreenEnabled && article.requestFullscreen) {
      full.hidden = false;
      full.addEventListener("click", function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          article.requestFullscreen().catch(function () {
            statusEl.textContent = gettext("Full screen is not available here.");
          });
        }
      });
      document.addEventListener("fullscreenchange", function () {
        full.setAttribute("aria-pressed", document.fullscreenElement === article ? "true" : "false");
      });
    }

    forgetOld(PREFIX, key);
    var before = elapsedMs(Date.now()) / 1000;
    timesUp = before >= planned;
    buttons();
    show(Date.now());
    if (state && state.ended) {
      closingScreen(); // ended before a reload: straight back to the reflection
      return;
    }
    if (state && !state.pausedAt) {
      stayAwake(true);
      // Sound needs a gesture again after a reload: the first touch anywhere gives it.
      var again = function () {
        unlockAudio();
        document.removeEventListener("pointerdown", again, true);
        document.removeEventListener("keydown", again, true);
      };
      document.addEventListener("pointerdown", again, true);
      document.addEventListener("keydown", again, true);
    }

    setInterval(function () {
      if (!state || state.ended) {
        return;
      }
      var seconds = show(Date.now());
      if (intervalMinutes && !timesUp && !state.pausedAt) {
        var step = intervalMinutes * 60;
        if (Math.floor(seconds / step) > Math.floor(before / step) && seconds < planned) {
          bell(1);
        }
      }
      if (!timesUp && seconds >= planned) {
        timesUp = true;
        statusEl.textContent = gettext("Time is up. End the sitting when you are ready.");
        if (endBell) {
          bell(3);
        }
      }
      before = seconds;
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
    var inFlight = null; // the request on its way, aborted when the sitting is saved
    var backoff = 0;

    function kept() {
      var value = load(key, null);
      return value && typeof value.total === "number" ? Math.min(value.total, MAX) : 0;
    }

    function keep() {
      save(key, { total: count, at: Date.now() }); // refused: the server copy is the only one
    }

    function show() {
      numberEl.textContent = digits(String(count));
      doneEl.hidden = count < target;
      if (countInput) {
        countInput.value = count; // the finish form carries the count too
      }
    }

    function announce() {
      // Milestones only: a screen reader is not read every tap.
      if (count === target) {
        statusEl.textContent = interpolate(gettext("You have reached %(target)s."),
          { target: digits(target) }, true);
      } else if (count % 33 === 0 || count % 100 === 0) {
        // Translators: the dhikr counted so far and the target, e.g. "33 of 99."
        statusEl.textContent = interpolate(gettext("%(count)s of %(target)s."),
          { count: digits(count), target: digits(target) }, true);
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
      inFlight = window.AbortController ? new AbortController() : null;
      fetch(form.action, {
        method: "POST",
        body: body(total),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: inFlight ? inFlight.signal : undefined,
      })
        .then(function (response) {
          if (response.status === 409 || (response.status >= 400 && response.status < 500 &&
              response.status !== 408 && response.status !== 429)) {
            // Ended elsewhere, or refused (signed out, an old page): stop sending. The
            // finish form still carries the count.
            stopped = true;
            tell(response.status === 409
              ? gettext("This session has already been saved.")
              : gettext("Your count could not be saved just now. It is kept on this page " +
                "and saved when you finish."));
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
            ? gettext("You are offline. Your count is kept on this device and saved when " +
              "you are back online.")
            : gettext("Your count is not saved yet. It is kept on this device; trying " +
              "again."));
        })
        .then(function () {
          sending = false;
          inFlight = null;
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
    // Finishing carries the count in its own form: nothing more is sent after it.
    var finishForm = document.querySelector("[data-finish-form]");
    if (finishForm) {
      finishForm.addEventListener("submit", function () {
        stopped = true;
        if (timer !== null) {
          window.clearTimeout(timer);
          timer = null;
        }
        if (inFlight) {
          inFlight.abort();
        }
      });
    }
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

    forgetOld(PREFIX, key);
    show();
    if (count > saved) {
      now(); // taps from before a reload, or made offline
    }
  }
})();
