// Contest results pages (the CSP allows no inline script): the Print button. Charts are
// drawn by charts.js.
(() => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
