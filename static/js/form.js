// Live checks while the advertiser types, and a draft kept in this browser.
// The form works completely without this script: every check also runs on the server when
// "检查并预览" is pressed.
(function () {
  "use strict";
  var form = document.querySelector("form.notice-form");
  if (!form) return;
  var draftKey = form.dataset.draftKey;
  // This page answers a POST (检查并预览): make its history entry a plain address, so that going
  // back to it from the receipt, or reloading it, fetches the form instead of asking to send the
  // form again ("Confirm Form Resubmission"). The typed values live on in the draft below.
  if (form.dataset.posted && window.history && history.replaceState) {
    try { history.replaceState(history.state, "", location.href); } catch (e) { /* keep the entry */ }
  }
  var IDENTIFIER_KINDS = ["uscc", "regno", "id-card", "seal-code", "licence-serial"];
  // Checks wait for a pause this long (ms): a person typing Chinese pauses between words, and a
  // check every 300 ms spoke up in the middle of them. Never during pinyin composition.
  var PAUSE = 600;
  // Inputs that are not the notice: typing in them leaves the preview and price as they are.
  function aboutTheNotice(el) { return !/^(advertiser_|doc_)/.test(el.name || "") && el.type !== "file"; }
  var SKIP = ["csrf_token", "submission_key", "preview_token", "action"];

  function fieldBox(name) { return form.querySelector('.field[data-field="' + name + '"]'); }
  // Whether the advertiser has given this field a value yet (a radio group: one is chosen).
  function answered(box) {
    var radios = box.querySelectorAll("input[type=radio]");
    if (radios.length) return Array.prototype.some.call(radios, function (r) { return r.checked; });
    var input = box.querySelector("input,textarea,select");
    return !!(input && input.value);
  }

  // --- draft: saved on every change, restored into an untouched form --------------------------
  function saveDraft() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP.indexOf(el.name) >= 0) return;
      // Files are not kept in a draft (a browser cannot set them again); the server holds them.
      if (el.type === "file" || el.name.indexOf("doc_") === 0) return;
      // An ID number is not kept in the browser: the computer may be a shared one.
      if (el.closest && el.closest('[data-kind="id-card"]')) return;
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
      else if (el.type === "checkbox" && form.querySelectorAll('[name="' + el.name + '"]').length > 1) {
        // A group of boxes under one name (the order's further dates): the values ticked.
        data[el.name] = (data[el.name] || []).concat(el.checked ? [el.value] : []);
      }
      else if (el.type === "checkbox") { data[el.name] = el.checked; }
      else if (el.tagName !== "BUTTON") { data[el.name] = el.value; }
    });
    try { localStorage.setItem(draftKey, JSON.stringify(data)); } catch (e) { /* private mode: no draft */ }
  }
  function restoreDraft() {
    var typed = Array.prototype.some.call(form.querySelectorAll("input[type=text],input:not([type]),textarea"),
      function (el) { return el.value.trim() !== ""; });
    if (typed) return;                       // the server re-showed a form: it wins
    var raw; try { raw = localStorage.getItem(draftKey); } catch (e) { return; }
    if (!raw) return;
    var data; try { data = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    Object.keys(data).forEach(function (name) {
      var els = form.querySelectorAll('[name="' + name + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") { el.checked = el.value === data[name]; }
        else if (el.type === "checkbox" && Array.isArray(data[name])) { el.checked = data[name].indexOf(el.value) >= 0; }
        else if (el.type === "checkbox") { el.checked = !!data[name]; }
        else if (el.type === "file") { /* never restored */ }
        else if (el.tagName !== "SELECT" || Array.prototype.some.call(el.options, function (o) { return o.value === data[name]; })) {
          if (data[name]) { el.value = data[name]; restored = true; }
        }
      });
    });
    if (restored) {
      var note = document.createElement("div");
      note.className = "banner info";
      note.setAttribute("role", "status");
      note.textContent = "已恢复您上次在本机填写但未提交的内容。";
      form.parentNode.insertBefore(note, form);
    }
  }

  // --- identifier checks as you type ------------------------------------------------------------
  var timers = {};
  function checkIdentifier(box, input) {
    var live = box.querySelector(".live");
    var value = input.value.trim();
    if (!value) { live.textContent = ""; live.className = "live"; return; }
    fetch(form.dataset.identifierCheck, {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({kind: box.dataset.kind, value: value})
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (input.value.trim() !== value) return;
      live.textContent = res.message || "";
      live.className = "live " + (res.severity || "");
    }).catch(function () { live.textContent = ""; });
  }

  // --- whole-form live check (debounced) --------------------------------------------------------
  var liveTimer = null, textarea = form.querySelector("textarea[name=text]");
  var composedHash = form.querySelector("input[name=composed_hash]");
  // An input and the live message under it (aria-describedby, aria-invalid), as the server ties its own.
  function inputsOf(box) { return box ? box.querySelectorAll("input:not([type=hidden]),textarea,select") : []; }
  function tie(box, id) {
    Array.prototype.forEach.call(inputsOf(box), function (el) {
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(id) < 0) ids.push(id);
      el.setAttribute("aria-describedby", ids.join(" "));
      el.setAttribute("aria-invalid", "true");
    });
  }
  function untie(box, id) {
    Array.prototype.forEach.call(inputsOf(box), function (el) {
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
      if (!box.querySelector(".error-message")) el.removeAttribute("aria-invalid");
    });
  }
  var wantPreview = false;
  // Checks are numbered: an answer to an older one (two server workers, a slow link) that comes
  // after a newer one's would put back messages about what the advertiser typed before.
  var liveAsked = 0;
  function liveCheck() {
    var asked = ++liveAsked;
    var body = new FormData(form);
    body.set("action", "check");
    wantPreview = !!preview;
    if (wantPreview) body.set("preview", "1");
    // The live check reads the text, not the documents: never send the files with it.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (el) { body.delete(el.name); });
    fetch(form.dataset.live, {method: "POST", body: body, headers: {"X-CSRFToken": body.get("csrf_token")}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) {
        if (!res || asked !== liveAsked) return;
        form.querySelectorAll(".field .live-error").forEach(function (el) {
          untie(el.closest(".field"), el.id); el.remove();
        });
        Object.keys(res.errors).forEach(function (name) {
          var box = fieldBox(name) || (name === "text" && textarea && textarea.closest(".field"));
          // Identifier fields have their own live message (checkIdentifier) already.
          if (!box || IDENTIFIER_KINDS.indexOf(box.dataset.kind) >= 0) return;
          // Only speak about fields the advertiser has already filled or the text.
          if (name !== "text" && !answered(box)) return;
          res.errors[name].forEach(function (msg, i) {
            var p = document.createElement("p"); p.className = "error-message live-error"; p.textContent = msg;
            p.id = "live-error-" + name + "-" + i;
            box.appendChild(p);
            tie(box, p.id);
          });
        });
        if (wantPreview) showPreview(res);
        if (res.text && composedHash.value && textarea && document.activeElement !== textarea) {
          textarea.value = res.text; composedHash.value = res.composed_hash;
        } else if (res.text && !textarea.value.trim()) {
          textarea.value = res.text; composedHash.value = res.composed_hash;
        }
        var box = form.querySelector(".live-findings");
        box.innerHTML = "";
        (res.warnings || []).forEach(function (w) {
          var p = document.createElement("p"); p.className = "live warning"; p.textContent = "注意：" + w.message; box.appendChild(p);
        });
        box.hidden = !(res.warnings || []).length;
      }).catch(function () { /* offline: the server check on submit still runs */ });
  }

  function onInput(ev) {
    // During pinyin (or any IME) composition the value is half a word: wait for compositionend.
    if (ev.isComposing) return;
    saveDraft();
    var box = ev.target.closest(".field");
    if (box && IDENTIFIER_KINDS.indexOf(box.dataset.kind) >= 0) {
      // The server's message was about the value before this edit: the live one replaces it.
      box.querySelectorAll(".error-message:not(.live-error)").forEach(function (el) { el.remove(); });
      box.classList.remove("has-error");
      clearTimeout(timers[box.dataset.field]);
      timers[box.dataset.field] = setTimeout(function () { checkIdentifier(box, ev.target); }, PAUSE);
    }
    if (ev.target === textarea) composedHash.value = composedHash.value && "";
    if (preview && aboutTheNotice(ev.target)) previewPending();
    clearTimeout(liveTimer);
    liveTimer = setTimeout(liveCheck, PAUSE);
  }
  form.addEventListener("input", onInput);
  form.addEventListener("compositionend", function (ev) { onInput({target: ev.target, isComposing: false}); });
  form.addEventListener("change", saveDraft);
  // A file over the limit is refused here, before minutes of uploading; the server checks again.
  form.addEventListener("change", function (ev) {
    var input = ev.target;
    if (input.type !== "file" || !input.dataset.maxBytes) return;
    var box = input.closest(".field"), max = parseInt(input.dataset.maxBytes, 10);
    box.querySelectorAll(".size-error").forEach(function (el) { el.remove(); });
    var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
    if (!big.length) return;
    input.value = "";
    var p = document.createElement("p"); p.className = "error-message size-error"; p.setAttribute("role", "alert");
    p.textContent = big.map(function (f) { return "“" + f.name + "”有 " + (f.size / 1048576).toFixed(1) + " MB"; }).join("、") +
      "，超过了 10 MB 的上限，未选上。请缩小后再选，例如手机拍照时选较低的分辨率，或扫描时选 200 dpi。";
    box.appendChild(p);
  });
  // A double click must not send two requests; the server is idempotent anyway.
  form.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    if (form.dataset.sending === "1") { ev.preventDefault(); return; }
    form.dataset.sending = "1";
    if (btn) setTimeout(function () { btn.disabled = true; }, 0);
    setTimeout(function () { form.dataset.sending = ""; if (btn) btn.disabled = false; }, 8000);
  });
  // --- the preview: seen before confirming, following the typing, larger, as a PDF -------------
  var preview = document.getElementById("preview");
  var confirmButton = form.querySelector("button[data-confirm]");
  var stale = preview && preview.querySelector(".preview-stale");
  var seeLink = null;
  if (preview && confirmButton) {
    // 确认提交 only once the preview and price have been in view (above the sticky bar): until
    // then the bar offers the way to them instead.
    seeLink = document.createElement("a");
    seeLink.href = "#preview";
    seeLink.className = "button primary see-preview";
    seeLink.textContent = "先看预览与价格";
    confirmButton.hidden = true;
    confirmButton.parentNode.insertBefore(seeLink, confirmButton);
    var bar = confirmButton.parentNode;
    var seen = function () {
      if (!confirmButton.hidden) return;
      confirmButton.hidden = false;
      seeLink.remove();
    };
    var price = preview.querySelector(".price");
    if ("IntersectionObserver" in window) {
      var watch = new IntersectionObserver(function (items) {
        if (items.some(function (i) { return i.isIntersecting; })) { seen(); watch.disconnect(); }
      }, {rootMargin: "0px 0px -" + (bar.offsetHeight || 80) + "px 0px", threshold: 1.0});
      watch.observe(price);
    } else {
      seen();                                   // an old browser: as without JavaScript
    }
  }
  function previewPending() {
    if (confirmButton) confirmButton.disabled = true;
    if (stale) { stale.hidden = false; stale.className = "preview-stale"; stale.textContent = "正在按您的修改更新预览和价格……"; }
  }
  function showPreview(res) {
    if (!preview) return;
    if (!res.ok || !res.preview) {
      preview.classList.add("outdated");
      stale.hidden = false;
      stale.className = "preview-stale error-message";
      stale.textContent = res.preview_error || "所填内容有需要改正的地方（见各项下的提示），改正后预览和价格会随之更新；下面是上次的预览。";
      if (confirmButton) confirmButton.disabled = true;
      return;
    }
    var p = res.preview;
    preview.classList.remove("outdated");
    preview.querySelector("figure img").src = p.png;
    preview.querySelector(".price strong").textContent = p.price;
    preview.querySelector(".price .explanation").textContent = p.explanation;
    form.querySelector("input[name=preview_token]").value = p.token;
    stale.hidden = true;
    stale.textContent = "";
    // The order's dates, each priced, and the total (views/submit.py live_check).
    var table = preview.querySelector("table.order-dates");
    if (table && p.dates) {
      var rows = table.querySelector("tbody");
      rows.textContent = "";
      p.dates.forEach(function (d) {
        var tr = document.createElement("tr");
        [d.date, String(d.lines), d.price].forEach(function (text) {
          var td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
        });
        rows.appendChild(tr);
      });
      table.querySelector("caption").textContent = "本次预订 " + p.dates.length + " 期，每期是单独的一则公告";
      table.querySelector("tfoot strong").textContent = p.total;
      table.hidden = p.dates.length < 2;
    }
    if (confirmButton) {
      confirmButton.textContent = p.confirm || ("确认提交（" + p.price + "）");
      confirmButton.disabled = false;
    }
  }
  // The form as it stands, without the files (the preview reads the text, not the documents).
  function formBody(button) {
    var body = new FormData(form);
    body.set("action", button.value);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (el) { body.delete(el.name); });
    return body;
  }
  function fetchFile(button) {
    return fetch(button.dataset.png || button.formAction, {method: "POST", body: formBody(button)}).then(function (r) {
      if (!r.ok) throw new Error("check");
      return r.blob();
    });
  }
  function fileFailed() {
    stale.hidden = false;
    stale.className = "preview-stale error-message";
    stale.textContent = "未能生成：所填内容可能有需要改正的地方。请点“检查并预览”查看。";
  }
  var dialog = null;
  function enlarge(button) {
    button.disabled = true;
    fetchFile(button).then(function (blob) {
      // A data: URI, not a blob: one (the page's Content-Security-Policy allows data: images).
      var reader = new FileReader();
      reader.onload = function () {
        if (!dialog) {
          dialog = document.createElement("dialog");
          dialog.className = "enlarged";
          dialog.setAttribute("aria-label", "放大的见报预览");
          dialog.innerHTML = '<form method="dialog" class="enlarged-bar"><span>见报预览（放大）</span>' +
            '<button class="button secondary small" type="submit">关闭</button></form><div class="enlarged-image"><img alt=""></div>';
          document.body.appendChild(dialog);
        }
        var img = dialog.querySelector("img");
        img.src = reader.result;
        img.alt = preview.querySelector("figure img").alt;
        dialog.showModal();
        dialog.querySelector("button").focus();
      };
      reader.readAsDataURL(blob);
    }).catch(fileFailed).then(function () { button.disabled = false; });
  }
  function download(button) {
    button.disabled = true;
    fetchFile(button).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "公告预览.pdf";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(fileFailed).then(function () { button.disabled = false; });
  }
  form.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button[data-enlarge],button[data-download]");
    if (!button || !window.fetch) return;          // without fetch: the form posts to them itself
    ev.preventDefault();
    (button.hasAttribute("data-enlarge") ? enlarge : download)(button);
  });
  // An error summary's link takes the focus to the input it names (an anchor only scrolls).
  document.querySelectorAll("#error-summary a, #contact-summary a").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (!target) return;
      ev.preventDefault();
      var box = target.closest(".field") || target;
      box.scrollIntoView({block: "start"});
      target.focus({preventScroll: true});
    });
  });

  restoreDraft();
  form.querySelectorAll(".field").forEach(function (box) {
    // Fields the server already judged keep the server's message; the others get a live one.
    if (IDENTIFIER_KINDS.indexOf(box.dataset.kind) >= 0 && !box.classList.contains("has-error")) {
      var input = box.querySelector("input");
      if (input && input.value) checkIdentifier(box, input);
    }
  });
})();
