// The mock exam's countdown. The server keeps the real deadline; at zero this submits the
// paper with the response on screen (the server allows a few seconds for it to arrive).
(() => {
  const timer = document.getElementById("exam-timer");
  const form = document.getElementById("answer-form");
  if (!timer || !form) return;
  const deadline = Date.now() + Number(timer.dataset.remaining) * 1000;
  let sent = false;
  const show = (seconds) => {
    const minutes = Math.floor(seconds / 60);
    timer.textContent = `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
    timer.classList.toggle("text-bg-danger", seconds <= 60);
  };
  const tick = () => {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    show(seconds);
    if (seconds === 0 && !sent) {
      sent = true;
      const action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.submit(); // no submit event: no confirmation at the deadline
      return;
    }
    window.setTimeout(tick, 500);
  };
  tick();
})();
