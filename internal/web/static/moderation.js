// Keyboard shortcuts for the moderation queues. The page works without
// them: every action is a form button.
(function () {
  "use strict";
  var root = document.querySelector("[data-moderation]");
  if (!root) return;
  var cards = Array.prototype.slice.call(root.querySelectorAll("[data-card]"));
  var current = -1;

  function focusCard(i) {
    if (cards.length === 0) return;
    current = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (c, j) { c.classList.toggle("current", j === current); });
    cards[current].focus();
    cards[current].scrollIntoView({ block: "nearest" });
  }

  function press(card, key) {
    var button = card.querySelector('form.decide [data-key="' + key + '"]');
    if (!button) return;
    if (key === "t") {
      var category = card.querySelector("[data-category]");
      if (category && !category.value) {
        // Trash tells the author which rule was broken: choose it first.
        category.focus();
        return;
      }
    }
    button.click();
  }

  function pressBulk(key) {
    var button = document.querySelector('#bulk [data-bulk="' + key + '"]');
    var selected = root.querySelectorAll("[data-select]:checked").length;
    if (!button || selected === 0) return;
    if (key === "t") {
      var category = document.querySelector("#bulk select[name=category]");
      if (!category.value) { category.focus(); return; }
    }
    button.click();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    var key = e.key;
    if (key === "?") {
      var hint = root.querySelector(".shortcuts-hint");
      if (hint) hint.classList.toggle("open");
      return;
    }
    if (key === "j") { focusCard(current + 1); e.preventDefault(); return; }
    if (key === "k") { focusCard(current - 1); e.preventDefault(); return; }
    if ("ASTR".indexOf(key) >= 0 && key.length === 1) { pressBulk(key.toLowerCase()); e.preventDefault(); return; }
    if (current < 0) {
      if ("xastr".indexOf(key) < 0 || key.length !== 1) return;
      focusCard(0);
    }
    var card = cards[current];
    if (key === "x") {
      var box = card.querySelector("[data-select]");
      box.checked = !box.checked;
      e.preventDefault();
      return;
    }
    if ("astr".indexOf(key) >= 0 && key.length === 1) { press(card, key); e.preventDefault(); }
  });

  root.addEventListener("focusin", function (e) {
    var card = e.target.closest && e.target.closest("[data-card]");
    if (card) {
      var i = cards.indexOf(card);
      if (i !== current) { current = i; cards.forEach(function (c, j) { c.classList.toggle("current", j === i); }); }
    }
  });
})();
