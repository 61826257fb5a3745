// SafeCampus offline work. Every page works without this file; with it:
// - the service worker (/sw.js) is registered, so the school page and the
//   checklist form open without a network;
// - a checklist form (form[data-offline]) sent without a network is kept on
//   this device (IndexedDB), with the time it was made, and sent once the
//   network is back, with its idempotency key, so a retry never makes a
//   second checklist;
// - a badge on every page says how many are not sent yet, and signing out
//   with unsent checklists asks whether to send, keep or discard them.
(function () {
  "use strict";

  var DB = "safecampus-offline";
  var STORE = "outbox";
  var PAGES = "sc-pages";

  var chrome = document.querySelector("[data-offline-chrome]");
  var user = chrome ? chrome.getAttribute("data-user") : "";

  if ("serviceWorker" in navigator && chrome) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  function text(name, n) {
    var t = (chrome && chrome.getAttribute("data-t-" + name)) || "";
    return t.replace("{n}", String(n));
  }

  // --- IndexedDB -----------------------------------------------------------

  function openDB() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "key" });
      };
      req.onsuccess = function () {
        resolve(req.result);
      };
      req.onerror = function () {
        reject(req.error);
      };
    });
  }

  function tx(mode, fn) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var out = fn(t.objectStore(STORE));
        t.oncomplete = function () {
          db.close();
          resolve(out && out.result !== undefined ? out.result : undefined);
        };
        t.onerror = function () {
          db.close();
          reject(t.error);
        };
      });
    });
  }

  function allItems() {
    return tx("readonly", function (s) {
      return s.getAll();
    }).then(function (items) {
      return (items || []).filter(function (it) {
        return it.user === user;
      }).sort(function (a, b) {
        return a.madeAt < b.madeAt ? -1 : 1;
      });
    });
  }

  function putItem(item) {
    return tx("readwrite", function (s) {
      s.put(item);
    });
  }

  function deleteItem(key) {
    return tx("readwrite", function (s) {
      s.delete(key);
    });
  }

  // --- Badge and the list of unsent items ----------------------------------

  function render() {
    if (!chrome || !window.indexedDB) {
      return Promise.resolve([]);
    }
    return allItems().then(function (items) {
      var badge = chrome.querySelector("[data-unsent-badge]");
      var box = chrome.querySelector("[data-outbox]");
      var list = chrome.querySelector("[data-outbox-list]");
      badge.hidden = items.length === 0;
      badge.textContent = text("badge", items.length);
      box.hidden = items.length === 0;
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      items.forEach(function (it) {
        var li = document.createElement("li");
        li.setAttribute("data-testid", "unsent-item");
        var what = document.createElement("span");
        what.textContent = it.school + " · " + text(it.submit ? "kind-submit" : "kind-draft") + " · " +
          text("made-at") + " " + new Date(it.madeAt).toLocaleString();
        li.appendChild(what);
        if (it.error) {
          var err = document.createElement("span");
          err.className = "field-error";
          err.textContent = " " + it.error + " ";
          li.appendChild(err);
          var open = document.createElement("button");
          open.type = "button";
          open.className = "btn-link";
          open.textContent = text("open");
          open.addEventListener("click", function () {
            openItem(it);
          });
          li.appendChild(open);
        }
        list.appendChild(li);
      });
      return items;
    });
  }

  function notice(msg) {
    if (!chrome) {
      return;
    }
    var n = chrome.querySelector("[data-offline-notice]");
    n.textContent = msg;
    n.hidden = msg === "";
  }

  // --- Sending -------------------------------------------------------------

  // freshToken reads a CSRF token from a page fetched now: the one on a page
  // opened from the device's copy may be stale.
  function freshToken(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok || /\/login/.test(new URL(res.url).pathname)) {
        throw new Error("signin");
      }
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var input = doc.querySelector("input[name=_csrf]");
      if (!input) {
        throw new Error("signin");
      }
      return input.value;
    });
  }

  // post sends one kept form; it resolves to "sent", "refused" (with the
  // reason in item.error) or rejects when there is no network.
  function post(item, token) {
    var body = new URLSearchParams(item.body);
    body.set("_csrf", token);
    return fetch(item.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      if (res.redirected && /^\/checklists\/\d+$/.test(new URL(res.url).pathname)) {
        return "sent";
      }
      if (res.status === 401 || res.status === 403) {
        throw new Error("signin");
      }
      return "refused";
    });
  }

  var sending = null;

  // sendQueued sends every kept checklist of the signed-in user, oldest
  // first. A second call while one runs waits for the same run.
  function sendQueued() {
    if (sending) {
      return sending;
    }
    sending = allItems().then(function (items) {
      var waiting = items.filter(function (it) {
        return !it.error;
      });
      if (waiting.length === 0 || !navigator.onLine) {
        return 0;
      }
      var sent = 0;
      return freshToken(waiting[0].tokenURL).then(function (token) {
        var chain = Promise.resolve();
        waiting.forEach(function (it) {
          chain = chain.then(function () {
            return post(it, token).then(function (outcome) {
              if (outcome === "sent") {
                sent++;
                return deleteItem(it.key);
              }
              it.error = text("refused");
              return putItem(it);
            });
          });
        });
        return chain;
      }).then(function () {
        return sent;
      }, function (err) {
        notice(err && err.message === "signin" ? text("signin") : text("failed"));
        return sent;
      });
    }).then(function (sent) {
      sending = null;
      if (sent > 0) {
        notice(text("sent", sent));
      }
      return render().then(function () {
        return sent;
      });
    }, function () {
      sending = null;
      return 0;
    });
    return sending;
  }

  // openItem shows a refused checklist as the server answers it: its values
  // are sent as a normal form, and the page that comes back says what is
  // wrong, beside the fields, with the values kept.
  function openItem(it) {
    freshToken(it.tokenURL).then(function (token) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = it.action;
      new URLSearchParams(it.body).forEach(function (v, k) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = k;
        input.value = k === "_csrf" ? token : v;
        form.appendChild(input);
      });
      document.body.appendChild(form);
      return deleteItem(it.key).then(function () {
        form.submit();
      });
    }).catch(function () {
      notice(text("failed"));
    });
  }

  // --- The checklist form ---------------------------------------------------

  function formBody(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var body = new URLSearchParams();
    data.forEach(function (v, k) {
      if (typeof v === "string") {
        body.append(k, v);
      }
    });
    return body;
  }

  function keep(form, body) {
    if (!body.get("made_at")) {
      body.set("made_at", new Date().toISOString());
    }
    var item = {
      key: body.get("idempotency_key"),
      user: user,
      action: form.getAttribute("action"),
      tokenURL: form.getAttribute("data-offline"),
      school: form.getAttribute("data-offline-school") || "",
      submit: body.get("action") === "submit",
      madeAt: body.get("made_at"),
      body: body.toString()
    };
    return putItem(item).then(function () {
      var madeAt = form.querySelector("input[name=made_at]");
      if (madeAt) {
        madeAt.value = item.madeAt;
      }
      notice(text("queued"));
      window.scrollTo(0, 0);
      return render();
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.hasAttribute("data-offline") || !window.indexedDB) {
      return;
    }
    var body = formBody(form, e.submitter);
    if (!body.get("idempotency_key")) {
      return;
    }
    e.preventDefault();
    if (!navigator.onLine) {
      keep(form, body);
      return;
    }
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function () {
      // The server answered: send the same form the plain way, so the
      // browser shows the server's page (the checklist and its notice, or
      // the form with an error beside a field). The key makes the second
      // send answer with the checklist the first one made.
      if (e.submitter && e.submitter.name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = e.submitter.name;
        input.value = e.submitter.value;
        form.appendChild(input);
      }
      form.submit();
    }, function () {
      keep(form, body);
    });
  });

  // --- Signing out ------------------------------------------------------------

  function signOut(form) {
    var done = function () {
      form.setAttribute("data-offline-ok", "1");
      form.submit();
    };
    if (window.caches) {
      caches.delete(PAGES).then(done, done);
    } else {
      done();
    }
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || form.getAttribute("action") !== "/logout" || form.hasAttribute("data-offline-ok") || !chrome) {
      return;
    }
    e.preventDefault();
    allItems().then(function (items) {
      var dialog = chrome.querySelector("[data-logout-dialog]");
      if (items.length === 0 || !dialog || !dialog.showModal) {
        signOut(form);
        return;
      }
      dialog.querySelector("[data-logout-count]").textContent = text("logout-title", items.length);
      dialog.onclose = function () {
        var choice = dialog.returnValue;
        if (choice === "keep") {
          signOut(form);
        } else if (choice === "discard") {
          Promise.all(items.map(function (it) {
            return deleteItem(it.key);
          })).then(function () {
            signOut(form);
          });
        } else if (choice === "send") {
          sendQueued().then(function () {
            return allItems();
          }).then(function (left) {
            if (left.length === 0) {
              signOut(form);
            }
          });
        }
      };
      dialog.returnValue = "";
      dialog.showModal();
    }).catch(function () {
      signOut(form);
    });
  });

  // --- Start ---------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    if (!chrome) {
      return;
    }
    var send = chrome.querySelector("[data-send-now]");
    if (send) {
      send.addEventListener("click", function () {
        sendQueued();
      });
    }
    render().then(function () {
      if (navigator.onLine) {
        sendQueued();
      }
    });
  });
  window.addEventListener("online", function () {
    sendQueued();
  });
  window.addEventListener("offline", function () {
    notice(text("offline"));
  });

  // For the browser tests and the console: send now, count what is kept.
  window.SafeCampusOffline = { send: sendQueued, items: allItems };
})();
