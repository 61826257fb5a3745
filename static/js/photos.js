// SafeCampus photo shrinking. Without this file photos are uploaded as
// taken (the server still stores them upright, without GPS, with a
// thumbnail); with it, a photo chosen in a file input marked data-shrink is
// redrawn on the device at most MAX pixels on its longer side and sent as
// JPEG: a 12-megapixel phone photo of 4 MB becomes a few hundred KB.
(function () {
  "use strict";

  var MAX = 1600;
  var QUALITY = 0.85;
  var pending = new WeakMap(); // form -> promise of the shrink under way

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
      var scale = Math.min(1, MAX / Math.max(bmp.width, bmp.height));
      var w = Math.max(1, Math.round(bmp.width * scale));
      var h = Math.max(1, Math.round(bmp.height * scale));
      var canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff"; // JPEG has no transparency
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(bmp, 0, 0, w, h);
      bmp.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || (blob.size >= file.size && scale === 1 && file.type === "image/jpeg")) {
            resolve(file);
            return;
          }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () {
      return file; // the server decides what to do with it
    });
  }

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input || input.type !== "file" || !input.hasAttribute("data-shrink") || !window.DataTransfer) {
      return;
    }
    var files = Array.prototype.slice.call(input.files || []);
    var job = Promise.all(files.map(shrink)).then(function (out) {
      var dt = new DataTransfer();
      out.forEach(function (f) {
        dt.items.add(f);
      });
      input.files = dt.files; // setting files fires no change event
      input.setAttribute("data-shrink-done", String(out.length));
    });
    if (input.form) {
      pending.set(input.form, job);
      job.then(function () {
        pending.delete(input.form);
      });
    }
  });

  // A form sent while its photos are still being shrunk waits for them.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var job = pending.get(form);
    if (!job) {
      return;
    }
    e.preventDefault();
    var submitter = e.submitter;
    job.then(function () {
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  });
})();
