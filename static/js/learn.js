// /learn/ and its recitation: keyboard shortcuts and focus. The forms work without this
// script (each answer posts and the whole page comes back); htmx swaps only the round.
//
// - 1 to 4 choose an answer of a choice of four (not while typing in a field).
// - Enter, when no control has focus, goes on: to the typed answer's field, or "Another
//   round" / "Go on" at the end.
// - After each answer the feedback (or the next question's field) takes the focus, so a
//   screen reader reads what happened and the keyboard is where the next answer goes.
(function () {
  "use strict";

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var option = /^[1-4]$/.test(event.key) &&
      document.querySelector('[data-learn-question] [data-learn-key="' + event.key + '"]');
    if (option) {
      event.preventDefault();
      option.click();
      return;
    }
    var onControl = event.target instanceof HTMLElement &&
      /^(A|BUTTON|SUMMARY)$/.test(event.target.tagName);
    if (event.key === "Enter" && !onControl) {
      var next = document.querySelector("[data-learn-question] input[type=text]") ||
        document.querySelector("[data-learn-continue]");
      if (next) {
        event.preventDefault();
        if (next.tagName === "A") {
          next.click();
        } else {
          next.focus();
        }
      }
    }
  });

  // After a swap: the feedback first (it says what happened), else the typed answer's field,
  // else the end of the round.
  function settle(root) {
    var feedback = root.querySelector("[data-learn-feedback]");
    var field = root.querySelector("[data-learn-question] input[type=text]");
    var end = root.querySelector("[data-learn-end]");
    var target = field && !feedback ? field : feedback || end;
    if (target) {
      target.focus({ preventScroll: false });
    }
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var root = document.getElementById("round") || document.getElementById("recital");
    if (root && event.target && (event.target === root || root.contains(event.target) ||
        event.target.contains(root))) {
      settle(root);
    }
  });
})();
