/* Endnote previews: hover, keyboard focus or a first tap on a marker shows its reference.
   Without this script every marker is still a plain link to its note, and each marker's
   aria-describedby already gives screen readers the reference, so the preview is visual only. */
(function () {
  "use strict";
  var markers = document.querySelectorAll('a[role="doc-noteref"]');
  if (!markers.length) return;

  var tip = document.createElement("div");
  tip.className = "note-preview";
  tip.id = "note-preview";
  tip.hidden = true;
  // Visual duplicate of the marker's description: hidden from assistive technology.
  tip.setAttribute("aria-hidden", "true");
  document.body.appendChild(tip);

  var current = null;
  var hideTimer = 0;
  var tapToPreview = false;

  function show(marker) {
    clearTimeout(hideTimer);
    if (current === marker) return;
    var note = document.getElementById(decodeURIComponent(marker.hash.slice(1)));
    var text = note && note.querySelector(".note-text");
    if (!text) return;
    var label = document.createElement("p");
    label.className = "note-preview-label";
    label.textContent = "Note " + marker.textContent.replace(/[\[\]]/g, "");
    var body = text.cloneNode(true);
    body.removeAttribute("id");
    tip.replaceChildren(label, body);
    note.querySelectorAll(".health").forEach(function (line) {
      tip.appendChild(line.cloneNode(true));
    });
    // Links stay clickable with a pointer but out of the tab order: focus never gets trapped.
    tip.querySelectorAll("a").forEach(function (a) { a.tabIndex = -1; });
    tip.hidden = false;
    current = marker;
    place(marker);
  }

  function place(marker) {
    var rect = marker.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = rect.left + rect.width / 2 - tip.offsetWidth / 2;
    left = Math.max(8, Math.min(left, width - tip.offsetWidth - 8));
    var top = rect.bottom + 8;
    if (top + tip.offsetHeight > window.innerHeight && rect.top - tip.offsetHeight - 8 > 0) {
      top = rect.top - tip.offsetHeight - 8;
    }
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = top + window.scrollY + "px";
  }

  function hide() {
    clearTimeout(hideTimer);
    tip.hidden = true;
    current = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    // A moment's grace lets the pointer travel from the marker into the preview.
    hideTimer = setTimeout(hide, 250);
  }

  markers.forEach(function (marker) {
    marker.addEventListener("mouseenter", function () { show(marker); });
    marker.addEventListener("mouseleave", hideSoon);
    marker.addEventListener("focus", function () { show(marker); });
    marker.addEventListener("blur", hideSoon);
    marker.addEventListener("pointerdown", function (event) {
      tapToPreview = event.pointerType !== "mouse" && current !== marker;
    });
    marker.addEventListener("click", function (event) {
      // On touch, the first tap previews the note and a second tap follows the link.
      if (tapToPreview) {
        event.preventDefault();
        tapToPreview = false;
        show(marker);
      }
    });
  });
  tip.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  tip.addEventListener("mouseleave", hideSoon);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !tip.hidden) hide();
  });
  document.addEventListener("pointerdown", function (event) {
    if (!tip.hidden && !tip.contains(event.target) && !event.target.closest('a[role="doc-noteref"]')) {
      hide();
    }
  });
  window.addEventListener("resize", hide);
})();
