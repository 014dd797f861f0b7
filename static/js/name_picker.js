// The meditate form's name picker, searchable: a "Find a name" box narrows the select of the 99
// to the names the site's own search finds (the names API, /api/names/?q=: the same folding,
// spellings and order), and a single match is chosen. Without this script the select is the
// picker.
(function () {
  "use strict";

  // The page's language from Django's JavaScript catalog (/jsi18n/); navigation.js gives
  // English ones when it did not load.
  var gettext = window.gettext;
  var ngettext = window.ngettext;
  var interpolate = window.interpolate;

  var select = document.querySelector("select[name=number]");
  if (!select || !window.fetch) {
    return;
  }
  var WAIT = 200; // ms after the last key before searching
  var all = Array.prototype.map.call(select.options, function (option) {
    return option.cloneNode(true);
  });
  var draw = all[0]; // "Draw a name for me"
  var byNumber = {};
  all.slice(1).forEach(function (option) {
    byNumber[option.value] = option;
  });

  var field = select.closest(".field") || select.parentNode;
  var wrap = document.createElement("div");
  wrap.className = "field name-picker";
  var label = document.createElement("label");
  label.htmlFor = "name-picker";
  label.textContent = gettext("Find a name");
  var box = document.createElement("input");
  box.type = "search";
  box.id = "name-picker";
  box.dir = "auto";
  box.autocomplete = "off";
  box.setAttribute("aria-describedby", "name-picker-status");
  box.placeholder = gettext("A name, a meaning or a number");
  var status = document.createElement("p");
  status.id = "name-picker-status";
  status.className = "hint";
  status.setAttribute("role", "status");
  wrap.appendChild(label);
  wrap.appendChild(box);
  wrap.appendChild(status);
  field.parentNode.insertBefore(wrap, field);

  var everyNumber = all.slice(1).map(function (option) {
    return parseInt(option.value, 10);
  });
  var timer = null;
  var request = null;

  function offer(numbers) {
    var chosen = select.value;
    while (select.options.length) {
      select.remove(0);
    }
    select.add(draw.cloneNode(true));
    numbers.forEach(function (number) {
      if (byNumber[number]) {
        select.add(byNumber[number].cloneNode(true));
      }
    });
    if (numbers.length === 1) {
      select.value = String(numbers[0]);
    } else if (numbers.indexOf(parseInt(chosen, 10)) !== -1 || chosen === "") {
      select.value = chosen;
    }
  }

  function say(numbers, query) {
    if (!query) {
      status.textContent = "";
    } else if (!numbers.length) {
      status.textContent = interpolate(
        gettext("No name matches “%(query)s”: the name will be drawn for you."),
        { query: query }, true);
    } else if (numbers.length === 1) {
      status.textContent = gettext("One name matches, and it is chosen.");
    } else {
      // Never 1 (the sentence above): the singular is there for the languages' plural forms.
      status.textContent = interpolate(ngettext("%(count)s name matches: choose one below.",
        "%(count)s names match: choose one below.", numbers.length),
        { count: numbers.length }, true);
    }
  }

  function search() {
    var query = box.value.trim();
    if (request) {
      request.abort();
      request = null;
    }
    if (!query) {
      offer(everyNumber);
      say([], "");
      return;
    }
    request = window.AbortController ? new AbortController() : null;
    fetch("/api/names/?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "omit", // public: a visitor's answer, cacheable
      signal: request ? request.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (found) {
        var numbers = found.results.map(function (name) {
          return name.number;
        });
        offer(numbers);
        say(numbers, query);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        offer(everyNumber);
        status.textContent = gettext(
          "Search is unavailable just now: choose from the whole list.");
      });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, WAIT);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches now; it does not begin the sitting
      window.clearTimeout(timer);
      search();
    }
  });
})();
