/* Print buttons (the assistant's answer slip, the QR posters): <button data-print>. A file of its own because the
   Content-Security-Policy (app/headers.py) allows no inline script. */
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
