// The review queue's "select all" box (templates/desk/queue.html): hidden without JavaScript,
// where each row is ticked by itself. It ticks or clears every row of the page and shows a
// partial state when only some are ticked.
(function () {
  var all = document.querySelector("[data-select-all]");
  var form = document.getElementById("bulk");
  if (!all || !form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="notice"]'));
  if (!rows.length) { return; }
  function sync() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  rows.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
