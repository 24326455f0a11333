/* Print buttons (the quarterly report, the assistant's answer slip, the QR posters): <button data-print>. A file of
   its own because the Content-Security-Policy (app/headers.py) allows no inline script; without JavaScript the
   browser's own Print works. */
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
});
