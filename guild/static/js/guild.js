// Site-wide behaviour, loaded as a file because the CSP allows no inline script.
// A form or the button that submits it may ask for confirmation with data-confirm.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || (form.dataset ? form.dataset.confirm : null);
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
