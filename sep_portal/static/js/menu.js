// The main menu is a <details> element, open by default so that it works without JavaScript.
// On a phone (480 px or less) it starts closed: one "Menu" button opens it.
(function () {
  var menu = document.querySelector(".main-nav details.menu");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 480px)");
  function fit() { menu.open = !phone.matches; }
  fit();
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
}());
