// The field that has the focus is never under the sticky bar of buttons (.actions), WCAG 2.4.11.
// The stylesheet asks the same (scroll-padding-bottom, scroll-margin-bottom), but a browser
// scrolling to a focused field that is already on the screen leaves it where it is, under the
// bar: this moves the page up by what the bar covers. Pages work the same without it.
(function () {
  "use strict";
  document.addEventListener("focusin", function (ev) {
    var el = ev.target, bar = document.querySelector(".actions");
    if (!bar || !el.getBoundingClientRect || bar.contains(el) || getComputedStyle(bar).position !== "sticky") return;
    requestAnimationFrame(function () {
      var box = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
      if (box.bottom <= top) return;
      // Up by what is covered and a little air, never so far that the field's top leaves the screen.
      window.scrollBy(0, Math.max(0, Math.min(box.bottom - top + 12, box.top - 8)));
    });
  });
})();
