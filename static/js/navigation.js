// Every page's script: the scripts' translations when Django's catalog (/jsi18n/, loaded
// before this one) did not arrive, in English, so that the other scripts always have them.
// A person who asked for Arabic-Indic digits on Arabic pages (<html data-digits>): the numbers
// the scripts write, like those the server wrote (platform/digits.py).
window.aysekaiDigits = function (text) {
  if (document.documentElement.getAttribute("data-digits") !== "arabic-indic") {
    return String(text);
  }
  return String(text).replace(/[0-9]/g, function (digit) {
    return "٠١٢٣٤٥٦٧٨٩".charAt(Number(digit));
  });
};

if (!window.gettext) {
  window.gettext = function (text) {
    return text;
  };
  window.ngettext = function (singular, plural, count) {
    return count === 1 ? singular : plural;
  };
  window.interpolate = function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) {
      return String(values[name]);
    });
  };
}

// On a narrow screen, the main navigation folds behind a "Menu" button (a disclosure).
// Without this script the button stays hidden and the links wrap under the brand.
(function () {
  "use strict";

  var toggle = document.querySelector(".site-nav__toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 40rem)");

  function set(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("site-menu--folded", narrow.matches && !open);
  }

  function fit() {
    toggle.hidden = !narrow.matches;
    set(false);
  }

  toggle.addEventListener("click", function () {
    set(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
  if (narrow.addEventListener) {
    narrow.addEventListener("change", fit);
  }
  fit();
})();
