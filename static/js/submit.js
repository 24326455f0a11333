/* The citizen form, enhanced. Without this script the form posts as it is and the server checks everything.
   With it: long lists filter as you type (with or without diacritics), the content counts its characters, typed
   text is kept in this tab (sessionStorage) so no error page loses it, photos are shrunk on the phone
   (longest side 1600 px, JPEG) and checked before sending, the upload shows its progress, and the button is
   disabled while sending (the server's one-time form token stops a double post anyway). */
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.82, IMAGE = /^image\/(jpeg|png|webp)$/;
  function shrink(file) {
    if (!IMAGE.test(file.type) || !window.createImageBitmap || !HTMLCanvasElement.prototype.toBlob) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1048576) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          resolve(new File([blob], file.name.replace(/\.[^.]+$/, "") + ".jpg", {type: "image/jpeg"}));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  // The one on-device photo shrinker: the offline queue (static/js/offline.js) uses it too, on every form.
  window.paknShrink = shrink;
  var form = document.getElementById("submit-form");
  if (!form) return;
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || 10485760;
  var maxFiles = parseInt(form.dataset.maxFiles, 10) || 5;
  var DRAFT = "pakn-draft:" + location.pathname;
  var vi = document.documentElement.lang !== "en";
  var T = vi ? {
    tooBig: "Tệp “%s” quá lớn (tối đa %m). Vui lòng chọn tệp nhỏ hơn.",
    badType: "Tệp “%s” không đúng loại: chỉ nhận ảnh JPG, PNG, WebP và tài liệu PDF, DOCX, XLSX.",
    tooMany: "Chỉ gửi được tối đa %n tệp.",
    shrinking: "Đang thu nhỏ ảnh…", shrunk: "Ảnh đã được thu nhỏ: %a → %b.",
    count: "%n/%min ký tự", failed: "Mất kết nối khi gửi. Nội dung bạn nhập vẫn còn; vui lòng bấm gửi lại."
  } : {
    tooBig: "File “%s” is too large (at most %m). Please choose a smaller file.",
    badType: "File “%s” is not an accepted type: JPG, PNG, WebP images and PDF, DOCX, XLSX documents only.",
    tooMany: "At most %n files can be sent.",
    shrinking: "Shrinking photos…", shrunk: "Photos shrunk: %a → %b.",
    count: "%n/%min characters", failed: "The connection was lost while sending. Your text is kept; please send again."
  };
  var OK_EXT = /\.(jpe?g|jfif|png|webp|pdf|docx|xlsx)$/i;

  function fold(s) {
    return s.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1).replace(".", ",") + " MB" : Math.ceil(n / 1024) + " KB"; }

  /* Long lists: a search box above the select keeps only matching options. */
  Array.prototype.forEach.call(form.querySelectorAll("select[data-filter]"), function (select) {
    var all = Array.prototype.map.call(select.options, function (o) { return {value: o.value, text: o.text, key: fold(o.text)}; });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = fold(box.value.trim()), current = select.value;
      select.innerHTML = "";
      all.forEach(function (o, i) {
        if (i === 0 || !q || o.key.indexOf(q) !== -1 || o.value === current) {
          var opt = new Option(o.text, o.value, false, o.value === current);
          select.add(opt);
        }
      });
      var matches = select.options.length - 1;
      if (q && matches === 1 && !current) select.selectedIndex = 1;
    });
  });

  /* The content's length against its minimum. */
  var content = document.getElementById("content"), counter = document.getElementById("content-count");
  function count() {
    if (!content || !counter) return;
    var n = content.value.trim().length, min = parseInt(content.dataset.min, 10) || 0;
    counter.textContent = n < min ? T.count.replace("%n", n).replace("%min", min) : "";
  }
  if (content) { content.addEventListener("input", count); count(); }

  /* Typed text kept in this tab: restored into empty fields (e.g. after a refused oversized upload). */
  var KEPT = ["title", "content", "sender_name", "sender_phone", "sender_email", "sender_address"];
  function save() {
    var d = {};
    KEPT.forEach(function (n) { if (form.elements[n]) d[n] = form.elements[n].value; });
    ["kind", "field_code", "commune_code"].forEach(function (n) { if (form.elements[n]) d[n] = form.elements[n].value; });
    try { sessionStorage.setItem(DRAFT, JSON.stringify(d)); } catch (e) { /* private mode: nothing kept */ }
  }
  try {
    var draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
    if (draft) {
      Object.keys(draft).forEach(function (n) {
        var el = form.elements[n];
        if (!el || !draft[n]) return;
        if (el instanceof RadioNodeList) { if (!el.value) el.value = draft[n]; }
        else if (!el.value) el.value = draft[n];
      });
      count();
    }
  } catch (e) { /* a broken draft is ignored */ }
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  /* Files: type, number and size checked before anything is sent. */
  var fileInput = document.getElementById("attachments"), status = document.getElementById("photo-status");
  function problem(files) {
    if (files.length > maxFiles) return T.tooMany.replace("%n", maxFiles);
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      if (!OK_EXT.test(f.name)) return T.badType.replace("%s", f.name);
      if (!IMAGE.test(f.type) && f.size > maxBytes) return T.tooBig.replace("%s", f.name).replace("%m", size(maxBytes));
    }
    return "";
  }
  if (fileInput) fileInput.addEventListener("change", function () {
    var p = problem(fileInput.files);
    status.textContent = p;
    status.className = p ? "error" : "hint";
    fileInput.setAttribute("aria-invalid", p ? "true" : "false");
  });

  var button = document.getElementById("send"), progress = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar"), sending = false;
  form.addEventListener("submit", function (ev) {
    if (sending) { ev.preventDefault(); return; }
    var files = fileInput ? Array.prototype.slice.call(fileInput.files) : [];
    var p = problem(files);
    if (p) { ev.preventDefault(); status.textContent = p; status.className = "error"; fileInput.focus(); return; }
    if (!navigator.onLine && window.paknQueue && window.paknQueue.queue) {  // no signal: kept on the device
      ev.preventDefault();
      window.paknQueue.queue(form);
      return;
    }
    if (!window.FormData || !window.XMLHttpRequest || !window.Promise) {  // old browser: a plain post
      sending = true; setTimeout(function () { button.disabled = true; }, 0); return;
    }
    ev.preventDefault();
    sending = true;
    button.disabled = true;
    button.dataset.label = button.textContent;
    button.textContent = button.dataset.sending;
    if (files.some(function (f) { return IMAGE.test(f.type); })) status.textContent = T.shrinking;
    Promise.all(files.map(shrink)).then(function (ready) {
      var before = files.reduce(function (s, f) { return s + f.size; }, 0);
      var after = ready.reduce(function (s, f) { return s + f.size; }, 0);
      status.textContent = after < before ? T.shrunk.replace("%a", size(before)).replace("%b", size(after)) : "";
      var bad = ready.filter(function (f) { return f.size > maxBytes; })[0];
      if (bad) throw new Error(T.tooBig.replace("%s", bad.name).replace("%m", size(maxBytes)));
      var data = new FormData(form);
      data.delete("attachments");
      ready.forEach(function (f) { data.append("attachments", f, f.name); });
      // Other file fields of the same name (the voice message, templates/reach/_extras.html) go as they are.
      Array.prototype.forEach.call(form.querySelectorAll('input[type=file][name="attachments"]'), function (input) {
        if (input === fileInput) return;
        Array.prototype.forEach.call(input.files, function (f) { data.append("attachments", f, f.name); });
      });
      send(data);
    }).catch(function (err) { done(); status.textContent = err.message; status.className = "error"; });
  });

  function done() {
    sending = false;
    button.disabled = false;
    button.textContent = button.dataset.label || button.textContent;
    progress.hidden = true;
  }

  function send(data) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    progress.hidden = false;
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = function () {
      var sent = xhr.status < 400 && /\/track\//.test(xhr.responseURL || "");
      if (sent) {
        try { sessionStorage.removeItem(DRAFT); } catch (e) { /* nothing kept */ }
        location.assign(xhr.responseURL);
        return;
      }
      // The server's answer (the form again with the problem marked) replaces the page.
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () { done(); status.textContent = T.failed; status.className = "error"; };
    xhr.send(data);
  }

  /* The error summary takes the focus, so a screen reader reads it first. */
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
