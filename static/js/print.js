// One click to print (or save as PDF) the report page; without JavaScript the browser's own Print works.
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
});
