// The notice is confirmed: the drafts kept in this browser are no longer needed.
(function () {
  try {
    Object.keys(localStorage).forEach(function (k) { if (k.indexOf("draft:") === 0) localStorage.removeItem(k); });
  } catch (e) { /* storage unavailable */ }
})();
