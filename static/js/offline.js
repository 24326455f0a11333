/* PAKN Điện Biên: the forms keep working without signal.
   - Registers the service worker (/sw.js), which keeps the form pages and these scripts for offline use.
   - A form marked data-offline-form="<endpoint>" sent while offline is kept on the device (IndexedDB) with its
     own Idempotency-Key, and posted to <endpoint> when a connection returns (Background Sync where the browser
     has it, else on the `online` event or the next page open). The server creates one item per key, so a retry,
     or the page and the service worker sending at once, never makes a duplicate.
   - Photos are shrunk on the device before they are sent or queued, by the one shrinker of static/js/submit.js.
   The same file runs in the service worker (importScripts) for Background Sync: the DOM parts are skipped there. */
(function (self) {
  "use strict";
  var DB = "pakn-offline", QUEUE = "queue", SENT = "sent";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(QUEUE, { keyPath: "key" });
        req.result.createObjectStore(SENT, { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), result = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function put(store, value) { return tx(store, "readwrite", function (s) { s.put(value); }); }
  function remove(store, key) { return tx(store, "readwrite", function (s) { s.delete(key); }); }

  var flushing = null;
  /* Sends every queued submission once; stops at the first network failure (still offline). */
  function flush() {
    if (flushing) return flushing;
    flushing = all(QUEUE).then(function (items) {
      items = items.filter(function (item) { return !item.error; });  // refused: sending it again changes nothing
      if (!items.length) return;
      return fetch("/queue/token", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
        if (!r.ok) throw new Error("token");
        return r.json();
      }).then(function (token) {
        return items.reduce(function (previous, item) {
          return previous.then(function (go) { return go && send(item, token.csrf); });
        }, Promise.resolve(true));
      });
    }).catch(function () {}).then(function () { flushing = null; announce(); });
    return flushing;
  }
  function send(item, csrf) {
    var body = new FormData();
    item.fields.forEach(function (f) { body.append(f[0], f[1]); });
    item.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
    return fetch(item.endpoint, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Idempotency-Key": item.key, "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (answer) {
        if (r.ok) {
          return put(SENT, { key: item.key, code: answer.tracking_code, url: answer.url, at: Date.now() })
            .then(function () { return remove(QUEUE, item.key); }).then(function () { return true; });
        }
        if (r.status === 422 || r.status === 409 || r.status === 413 || r.status === 400) {
          item.error = answer.message || String(r.status);
          return put(QUEUE, item).then(function () { return true; });
        }
        return false;  // 403 (signed out), 5xx: keep it for later
      });
    }, function () { return false; });
  }
  function announce() {
    if (self.clients && self.clients.matchAll) {  // in the service worker: tell the open pages
      self.clients.matchAll().then(function (list) { list.forEach(function (c) { c.postMessage("pakn-queue"); }); });
    } else if (typeof document !== "undefined") {
      render();
    }
  }
  self.paknQueue = { flush: flush };
  if (typeof document === "undefined") return;

  // ------------------------------------------------------------------ the page
  var script = document.currentScript || {};
  var labels = (script.dataset) || {};
  function text(template, n) { return (template || "").replace("%(n)s", n); }

  function shrink(file) {  // the citizen form's shrinker (static/js/submit.js, loaded with this file)
    return self.paknShrink ? self.paknShrink(file) : Promise.resolve(file);
  }
  function shrinkInputs(form) {
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (i) {
      return i.files && i.files.length;
    });
    return Promise.all(inputs.map(function (input) {
      return Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        if (!window.DataTransfer) return;
        var dt = new DataTransfer();
        files.forEach(function (f) { dt.items.add(f); });
        input.files = dt.files;
      });
    }));
  }
  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function enqueue(form) {
    var fields = [], files = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrf_token") return;
      if (el.type === "file") {
        Array.prototype.forEach.call(el.files, function (f) { files.push({ field: el.name, name: f.name, blob: f }); });
      } else if ((el.type !== "checkbox" && el.type !== "radio") || el.checked) {
        fields.push([el.name, el.value]);
      }
    });
    return put(QUEUE, { key: newKey(), endpoint: form.dataset.offlineForm, fields: fields, files: files,
                        at: Date.now() });
  }

  function status() {
    var box = document.querySelector("[data-queue-status]"), form = document.querySelector("form[data-offline-form]");
    if (!box && form) {
      box = document.createElement("div");
      box.setAttribute("data-queue-status", "");
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form);
    }
    return box;
  }
  function render() {
    var box = status();
    if (!box) return;
    Promise.all([all(QUEUE), all(SENT)]).then(function (lists) {
      var waiting = lists[0], sent = lists[1].sort(function (a, b) { return b.at - a.at; }).slice(0, 10);
      box.textContent = "";
      if (waiting.length) {
        var p = document.createElement("p");
        p.className = "notice queue-waiting";
        p.textContent = text(labels.lWaiting, waiting.length);
        box.appendChild(p);
        waiting.forEach(function (item) {
          if (!item.error) return;
          var e = document.createElement("p"), drop = document.createElement("button");
          e.className = "error";
          e.textContent = labels.lFailed + " " + item.error + " ";
          drop.type = "button";
          drop.className = "small";
          drop.textContent = labels.lDrop;
          drop.addEventListener("click", function () { remove(QUEUE, item.key).then(render); });
          e.appendChild(drop);
          box.appendChild(e);
        });
      }
      if (sent.length) {
        var list = document.createElement("ul");
        list.className = "queue-sent";
        sent.forEach(function (s) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = s.url;
          a.textContent = s.code;
          li.textContent = labels.lSent + " ";
          li.appendChild(a);
          list.appendChild(li);
        });
        box.appendChild(list);
      }
    });
  }

  /* Keeps a form on the device until there is signal (the citizen form's own script calls this when offline). */
  function queue(form) {
    return shrinkInputs(form).then(function () { return enqueue(form); }).then(function () {
      form.reset();
      return navigator.serviceWorker && navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (reg && reg.sync) return reg.sync.register("pakn-queue").catch(function () {});
    }).then(render);
  }
  self.paknQueue.queue = queue;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A form whose own script already took the post (static/js/submit.js) is left to it.
    if (event.defaultPrevented || !form.matches("form[data-offline-form]") || form.dataset.shrunk) return;
    event.preventDefault();
    if (!navigator.onLine) { queue(form); return; }
    shrinkInputs(form).then(function () {  // online: the ordinary form post, with the photos already shrunk
      form.dataset.shrunk = "1";
      form.submit();
    });
  });

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "pakn-queue") render(); });
  }
  self.addEventListener("online", flush);
  render();
  if (navigator.onLine) flush();
})(self);
