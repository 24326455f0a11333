/* PAKN Điện Biên: the voice recorder (MediaRecorder, up to 5 minutes) and the location button of the forms.
   Without JavaScript, or without a microphone, the file input and the village field still work. */
(function () {
  "use strict";
  var LIMIT = 300;
  function fmt(s) { return Math.floor(s / 60) + ":" + ("0" + Math.floor(s % 60)).slice(-2); }

  document.querySelectorAll("[data-geo]").forEach(function (box) {
    if (!navigator.geolocation) return;
    box.hidden = false;
    var form = box.closest("form"), status = box.querySelector("[data-geo-status]");
    box.querySelector("[data-geo-button]").addEventListener("click", function () {
      status.textContent = box.dataset.lWait;
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.lat.value = p.coords.latitude.toFixed(6);
        form.elements.lon.value = p.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(p.coords.accuracy);
        status.textContent = form.elements.lat.value + ", " + form.elements.lon.value +
          " (± " + form.elements.accuracy.value + " m)";
      }, function () { status.textContent = box.dataset.lFail; },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  });

  document.querySelectorAll("[data-recorder]").forEach(function (box) {
    if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
    box.hidden = false;
    var button = box.querySelector("[data-record]"), timer = box.querySelector("[data-timer]");
    var preview = box.querySelector("[data-preview]"), input = box.parentNode.querySelector("input[type=file]");
    var recorder = null, tick = null;
    function stop() { if (recorder && recorder.state !== "inactive") recorder.stop(); }
    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].filter(function (t) {
          return MediaRecorder.isTypeSupported(t);
        })[0];
        var chunks = [], started = Date.now();
        recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 24000 } : {});
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          clearInterval(tick);
          stream.getTracks().forEach(function (t) { t.stop(); });
          var mime = (recorder.mimeType || "audio/webm").split(";")[0];
          var ext = { "audio/ogg": "ogg", "audio/mp4": "m4a" }[mime] || "webm";
          var file = new File(chunks, "tin-nhan-thoai." + ext, { type: mime });
          var dt = new DataTransfer();
          dt.items.add(file);
          input.files = dt.files;
          preview.src = URL.createObjectURL(file);
          preview.hidden = false;
          button.textContent = box.dataset.lAgain;
          button.setAttribute("aria-pressed", "false");
          button.classList.remove("recording");
        };
        recorder.start(1000);
        button.textContent = box.dataset.lStop;
        button.setAttribute("aria-pressed", "true");
        button.classList.add("recording");
        tick = setInterval(function () {
          var s = (Date.now() - started) / 1000;
          timer.textContent = fmt(Math.min(s, LIMIT)) + " / 5:00";
          if (s >= LIMIT) stop();
        }, 250);
      }, function () { timer.textContent = box.dataset.lNomic; });
    });
  });
})();
