// Tell the server the browser's time zone, so visitors see times in their own zone too.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (error) { /* very old browser: the server falls back to UTC */ }
})();

// The event form: show the how-to hint of the chosen format.
document.addEventListener("change", function (event) {
  if (!event.target.matches("[data-format-select]")) return;
  document.querySelectorAll("[data-format-hint]").forEach(function (hint) {
    hint.hidden = hint.getAttribute("data-format-hint") !== event.target.value;
  });
});

// Forms with data-confirm ask before they submit (removals outside htmx).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
