// A searchable <select> (templates/_macros/forms.html, body_picker): the select works alone; this
// shows the search box above it and, as one types, hides the options that do not match (case and
// accents ignored), opens the list to show the matches and says how many there are.
(function () {
  function fold(text) {
    return text.normalize ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase() : text.toLowerCase();
  }
  document.querySelectorAll("[data-picker]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-picker"));
    var search = box.querySelector("input[type=search]");
    var count = document.getElementById(search.getAttribute("aria-describedby"));
    if (!select || !search) { return; }
    box.querySelector(".picker-search").hidden = false;
    var options = Array.prototype.slice.call(select.querySelectorAll("option")).filter(function (o) { return o.value; });
    options.forEach(function (o) { o.dataset.folded = fold(o.textContent); });
    function filter() {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (o) {
        var match = words.every(function (w) { return o.dataset.folded.indexOf(w) !== -1; });
        o.hidden = !match;
        o.disabled = !match && !o.selected;
        if (match) { shown += 1; }
      });
      select.querySelectorAll("optgroup").forEach(function (g) {
        g.hidden = !g.querySelector("option:not([hidden])");
      });
      if (!words.length) {
        select.size = 0;
        count.textContent = "";
        return;
      }
      select.size = Math.max(2, Math.min(8, shown + 1));
      count.textContent = shown ? search.dataset.some.replace("{n}", String(shown)) : search.dataset.none;
    }
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key === "Enter") { event.preventDefault(); }  // never submit the whole form from the filter
    });
  });
}());
