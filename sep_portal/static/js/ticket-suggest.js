// While the subject of a ticket is typed, show matching help articles (progressive enhancement:
// without JavaScript the form works and the help articles are one link away).
(function () {
  "use strict";
  var box = document.getElementById("suggestions");
  var input = document.getElementById("subject");
  if (!box || !input) { return; }
  var list = document.getElementById("suggestion-list");
  var timer = null;
  var last = "";
  function show(articles) {
    list.textContent = "";
    articles.forEach(function (a) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = a.title;
      li.appendChild(link);
      list.appendChild(li);
    });
    box.hidden = articles.length === 0;
  }
  function lookup() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 3) { show([]); return; }
    fetch(box.dataset.url + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {articles: []}; })
      .then(function (data) { if (input.value.trim() === q) { show(data.articles || []); } })
      .catch(function () { show([]); });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 300); });
  lookup();
})();
