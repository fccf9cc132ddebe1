// The judge's marking sheet: save a row's mark without leaving the page. Each form still
// posts on its own without this script; here it goes to the JSON address with the same
// fields (CSRF token and the version the judge saw), and the row shows the reply. A mark
// changed meanwhile comes back as 409 with what is saved now, to be checked and sent again.
(() => {
  const sheet = document.getElementById("marking-sheet");
  if (!sheet || !window.fetch || !window.FormData) return;
  const progress = document.getElementById("aspect-progress");
  const chooser = document.getElementById("aspect-choice");
  if (chooser) chooser.addEventListener("change", () => chooser.form.submit());

  const countMarked = () => {
    const rows = sheet.querySelectorAll("[data-entry]");
    const marked = [...rows].filter((row) => row.dataset.value !== "").length;
    progress.textContent = progress.dataset.template
      .replace("{marked}", marked)
      .replace("{total}", rows.length);
  };

  const show = (row, value, version) => {
    row.dataset.value = value;
    const form = row.querySelector("form");
    if (version !== undefined) form.elements.version.value = version === null ? "" : version;
    const badge = row.querySelector("[data-role=value]");
    badge.textContent = value === "" ? sheet.dataset.empty : value;
    badge.className = value === "" ? "badge text-bg-light border" : "badge text-bg-success";
    form.querySelectorAll("button[name=value]").forEach((button) => {
      const pressed = button.value === value;
      button.classList.toggle("btn-primary", pressed);
      button.classList.toggle("btn-outline-primary", !pressed);
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
    const input = form.querySelector("input[name=value]");
    if (input) input.value = value;
  };

  // state: "busy" while saving, then "saved" or "failed".
  const say = (row, text, state) => {
    const message = row.querySelector("[data-role=message]");
    message.textContent = text;
    message.classList.toggle("text-danger", state === "failed");
    message.classList.toggle("text-success", state === "saved");
    const input = row.querySelector("input[name=value]");
    if (input) input.classList.toggle("is-invalid", state === "failed");
  };

  const send = async (form, data) => {
    try {
      const response = await fetch(form.dataset.json, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": data.get("csrf_token") },
      });
      const reply = await response.json().catch(() => ({ message: sheet.dataset.failed }));
      return { status: response.status, ...reply };
    } catch (error) {
      return { status: 0, message: sheet.dataset.offline };
    }
  };

  sheet.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.classList.contains("mark-form")) return;
    event.preventDefault();
    const row = form.closest("[data-entry]");
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    say(row, sheet.dataset.saving, "busy");
    const reply = await send(form, data);
    buttons.forEach((button) => { button.disabled = false; });
    if (reply.ok) {
      show(row, reply.value, reply.version);
      if (form.elements.reason) form.elements.reason.value = "";
      say(row, reply.message, "saved");
    } else {
      if (reply.status === 409) show(row, reply.current === null ? "" : reply.current, reply.version);
      say(row, reply.message || sheet.dataset.failed, "failed");
    }
    countMarked();
  });
})();
