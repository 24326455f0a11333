/* PAKN Điện Biên service worker: keeps the form pages and their files for use without signal, and sends the
   queued submissions (static/js/offline.js) on Background Sync. No third-party code. */
"use strict";
importScripts("/static/js/offline.js");
var CACHE = "pakn-v1";
var SHELL = ["/", "/static/css/app.css", "/static/js/offline.js", "/static/js/reach.js",
             "/static/js/submit.js", "/static/pwa/icon.svg",
             "/static/pwa/icon-192.png", "/manifest.webmanifest"];
var PAGES = ["/", "/assistant", "/assistant/new"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/login") {  // signed out: forget the assistant's pages
    event.waitUntil(caches.open(CACHE).then(function (c) {
      return Promise.all([c.delete("/assistant"), c.delete("/assistant/new")]);
    }));
  }
  var page = request.mode === "navigate" && PAGES.indexOf(url.pathname) !== -1;
  if (page) {  // network first (fresh form, fresh token); the last copy without signal
    var key = url.pathname;
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (c) { c.put(key, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(key).then(function (hit) { return hit || caches.match("/"); });
    }));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    // Pages ask for fingerprinted files (?v=…, issue 14): the shell's plain copy stands in until the exact one is kept.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || caches.match(request, { ignoreSearch: true });
    }).then(function (hit) {
      var network = fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (c) { c.put(request, copy); });
        }
        return response;
      });
      return hit || network;
    }));
  }
});
self.addEventListener("sync", function (event) {
  if (event.tag === "pakn-queue") event.waitUntil(self.paknQueue.flush());
});
