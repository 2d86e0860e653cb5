// Parley works without JavaScript; this file only makes it nicer.
(function () {
  "use strict";

  // A link to a comment (or an expert's answer) that is on another page of
  // the thread finds its page. Only once: if it is not on the page it was
  // sent to, it is gone.
  var m = /^#(comment|answer)-(\d+)$/.exec(location.hash);
  if (m && !document.getElementById(m[1] + "-" + m[2]) && sessionStorage.getItem("parley-sought") !== m[0]) {
    sessionStorage.setItem("parley-sought", m[0]);
    location.replace("/" + m[1] + "s/" + m[2]);
    return;
  }

  // A link to a comment among folded replies opens the fold it is in.
  function reveal(hash) {
    var target = hash && hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    var opened = false;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) { el.open = true; opened = true; }
    }
    if (opened) target.scrollIntoView();
  }
  if (location.hash) reveal(location.hash);
  window.addEventListener("hashchange", function () { reveal(location.hash); });
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href^='#']");
    if (a && a.getAttribute("href") === location.hash) reveal(location.hash);
  });

  // Times shown in UTC ("26 Nov 2026, 14:05 UTC") are shown in the reader's
  // own time zone, with the UTC time kept as a tooltip.
  if (window.Intl && Intl.DateTimeFormat) {
    var local = new Intl.DateTimeFormat([document.documentElement.lang, navigator.language], {day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"});
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var text = el.textContent.trim();
      var when = new Date(el.getAttribute("datetime"));
      if (!/ UTC$/.test(text) || isNaN(when)) return;
      el.title = text;
      el.textContent = local.format(when);
    });
  }

  // The browser's own share sheet, where there is one, beside the plain links.
  if (navigator.share) {
    document.querySelectorAll("button.share-native").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        navigator.share({title: b.dataset.title, url: b.dataset.url}).catch(function () {});
      });
    });
  }

  // "Reply" opens the comment form under the comment instead of a new page.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.reply[data-reply-to]");
    var main = document.getElementById("comment-form");
    if (!link || !main || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    var article = link.closest("article");
    var open = article.parentNode.querySelector(":scope > .comment-form");
    if (open) { open.querySelector("textarea").focus(); return; }
    var form = main.cloneNode(true);
    form.removeAttribute("id");
    form.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-" + link.dataset.replyTo; });
    form.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor + "-" + link.dataset.replyTo; });
    form.querySelectorAll("[aria-describedby]").forEach(function (el) {
      el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ").map(function (id) { return id + "-" + link.dataset.replyTo; }).join(" "));
    });
    // A fresh form: none of the main form's problems come along.
    var problems = form.querySelector(".form-problems");
    if (problems) problems.remove();
    form.querySelectorAll(".problem").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("autofocus");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id.indexOf("-problem-") < 0; });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
    var label = form.querySelector("label[for^=body]");
    if (label) label.textContent = main.dataset.replyLabel;
    form.querySelector("textarea").value = "";
    var parent = form.querySelector("input[name=parent_id]");
    if (!parent) {
      parent = document.createElement("input");
      parent.type = "hidden";
      parent.name = "parent_id";
      form.prepend(parent);
    }
    parent.value = link.dataset.replyTo;
    form.querySelector("button[type=submit]").textContent = main.dataset.replyButton;
    article.after(form);
    form.querySelector("textarea").focus();
  });

  // A second click on a submit button does not post the comment twice.
  document.addEventListener("submit", function (e) {
    var button = e.target.querySelector("button[type=submit]");
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });
  // "Translate from …" shows the comment's translation in place, labelled,
  // with a button back to the original; without JavaScript the link leads
  // to a page that shows both.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.translate[data-comment]");
    if (!link || e.metaKey || e.ctrlKey || e.shiftKey) return;
    var body = link.closest("article").querySelector(":scope > .body");
    if (!body) return;
    e.preventDefault();
    var shown = body.parentNode.querySelector(":scope > .translation");
    if (shown) { shown.hidden = false; body.hidden = true; return; }
    link.setAttribute("aria-busy", "true");
    fetch(link.href + "&format=json", {headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (t) {
        var box = document.createElement("div");
        box.className = "translation";
        box.lang = link.href.split("to=")[1].split("&")[0];
        var label = document.createElement("p");
        label.className = "translation-label";
        label.setAttribute("role", "status");
        label.textContent = t.label || t.problem;
        box.append(label);
        if (t.html) {
          var text = document.createElement("div");
          text.className = "body";
          text.innerHTML = t.html; // sanitised by the server, as every comment
          box.append(text);
          var back = document.createElement("button");
          back.type = "button";
          back.className = "link-button";
          back.textContent = t.original;
          back.addEventListener("click", function () { box.hidden = true; body.hidden = false; link.focus(); });
          box.append(back);
          body.hidden = true;
        }
        body.after(box);
      })
      .catch(function () { location.href = link.href; })
      .finally(function () { link.removeAttribute("aria-busy"); });
  });

  // A page restored by the Back button gets its buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[type=submit][disabled]").forEach(function (b) { b.disabled = false; });
  });
})();
