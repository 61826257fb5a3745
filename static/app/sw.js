// SafeCampus service worker (served at /sw.js, scope /). It keeps the app
// shell (styles, scripts, icons) and the pages a school administrator needs
// at the gate (the school page and the checklist form) so they open without
// a network. Pages are fetched from the network first and the copy is only
// used when the network fails; nothing but GET requests is touched.
// Checklists filled offline are kept by offline.js in IndexedDB, not here.
"use strict";

var SHELL = "sc-shell-v1";
var PAGES = "sc-pages"; // deleted at sign-out by offline.js
var SHELL_FILES = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/htmx.min.js",
  "/static/js/offline.js",
  "/static/js/photos.js",
  "/static/img/logo.svg",
  "/static/img/icon-192.png",
  "/manifest.webmanifest"
];

self.addEventListener("install", function (e) {
  e.waitUntil(
    caches.open(SHELL).then(function (c) {
      return c.addAll(SHELL_FILES);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (e) {
  e.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("sc-shell-") === 0 && k !== SHELL;
      }).map(function (k) {
        return caches.delete(k);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

// keptPage reports whether a page is kept for offline use: the school page
// and its new-checklist form.
function keptPage(path) {
  return /^\/schools\/[^\/]+(\/checklists\/new)?$/.test(path);
}

function offlineAnswer() {
  var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" " +
    "content=\"width=device-width, initial-scale=1\"><title>SafeCampus 平安校园</title>" +
    "<link rel=\"stylesheet\" href=\"/static/css/app.css\"></head><body><main class=\"wrap\">" +
    "<h1>没有网络 · No network</h1><p>此页面未保存在本设备上。学校页面和检查表在打开过一次后可离线使用。</p>" +
    "<p>This page is not kept on this device. Your school page and the checklist form work offline once opened.</p>" +
    "<p><a href=\"/\">平安校园 · SafeCampus</a></p></main></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// plain copies a response without its redirect flag, so it can answer a
// navigation.
function plain(res) {
  return res.blob().then(function (body) {
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") {
    return;
  }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  // The shell: answer from the copy at once and refresh it behind.
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    e.respondWith(
      caches.open(SHELL).then(function (c) {
        return c.match(req).then(function (hit) {
          var fresh = fetch(req).then(function (res) {
            if (res.ok) {
              c.put(req, res.clone());
            }
            return res;
          });
          if (hit) {
            fresh.catch(function () {});
            return hit;
          }
          return fresh;
        });
      })
    );
    return;
  }
  if (req.mode !== "navigate") {
    return;
  }
  var path = url.pathname;
  e.respondWith(
    fetch(req).then(function (res) {
      if (res.ok && res.type === "basic" && keptPage(path)) {
        var copy = res.clone();
        e.waitUntil(caches.open(PAGES).then(function (c) {
          var puts = [c.put(path, copy.clone())];
          if (!/\/checklists\/new$/.test(path)) {
            // A school user's home (/) is their school page.
            puts.push(c.put("/", copy));
          }
          return Promise.all(puts);
        }));
      }
      return res;
    }).catch(function () {
      return caches.open(PAGES).then(function (c) {
        return c.match(path).then(function (hit) {
          return hit ? plain(hit) : offlineAnswer();
        });
      });
    })
  );
});
