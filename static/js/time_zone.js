// The time-zone choice (settings): offers this device's zone, when it differs from the one
// chosen, as a button that selects it. Saving stays the person's act. Loaded as a file (the
// CSP allows no inline script); without it the list simply makes no suggestion.
(function () {
  "use strict";

  // The page's language from Django's JavaScript catalog (/jsi18n/); navigation.js gives
  // English ones when it did not load.
  var gettext = window.gettext;
  var interpolate = window.interpolate;

  var select = document.querySelector("select[data-zone-suggest]");
  if (!select || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  var aliases = {};
  try {
    aliases = JSON.parse(select.getAttribute("data-zone-aliases") || "{}");
  } catch (e) {
    aliases = {};
  }
  // Browsers may report an older name of a zone (Asia/Calcutta for Asia/Kolkata).
  if (zone && Object.prototype.hasOwnProperty.call(aliases, zone)) {
    zone = aliases[zone];
  }
  var offered = Array.prototype.some.call(select.options, function (option) {
    return option.value === zone;
  });
  if (!zone || !offered || select.value === zone) {
    return;
  }

  var hint = document.createElement("p");
  hint.className = "hint zone-suggestion";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "link-button";
  button.setAttribute("data-zone", zone);
  button.textContent = interpolate(gettext("Use %(zone)s, this device's time zone"),
    { zone: zone }, true);
  button.addEventListener("click", function () {
    select.value = zone;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.focus();
  });
  hint.appendChild(button);
  select.insertAdjacentElement("afterend", hint);
  select.addEventListener("change", function () {
    if (select.value === zone) {
      hint.remove();
    }
  });
})();
