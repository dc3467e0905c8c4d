// A "Print" button (data-print) opens the browser's print dialogue; without JavaScript the
// button stays hidden and the browser's own print command does the same (the print stylesheet
// leaves out the menu and the buttons).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
