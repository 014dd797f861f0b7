// The meditation session page: countdown with bells, and keyboard counting for dhikr.
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

  // Keep the finish form's count in step with the live counter.
  document.body.addEventListener("htmx:afterSwap", function () {
    var dhikr = document.getElementById("dhikr");
    if (dhikr && countInput) {
      countInput.value = dhikr.dataset.count;
    }
    var tap = document.getElementById("dhikr-tap");
    if (tap) {
      tap.focus();
    }
  });
})();
