// The editors' console works without JavaScript; this file adds the live
// preview of Markdown beside the editor. The server renders the preview, so
// it shows exactly what readers will see, sanitised the same way.
(function () {
  "use strict";

  var source = document.querySelector("textarea[data-preview]");
  var target = source && document.getElementById(source.dataset.preview);
  if (!target || !window.fetch) return;

  var timer, asked = 0;
  function refresh() {
    var n = ++asked;
    fetch("/admin/preview", {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams({ body: source.value })
    }).then(function (res) {
      if (!res.ok) throw new Error("preview: " + res.status);
      return res.text();
    }).then(function (html) {
      // Only the answer to the latest request: answers can overtake each other.
      if (n === asked) target.innerHTML = html;
    }).catch(function () {
      // The Preview button still works.
    });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
