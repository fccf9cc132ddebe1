// Show only the answer fields that fit the chosen question type.
(() => {
  const type = document.getElementById("type");
  if (!type) return;
  const sync = () => {
    document.querySelectorAll("[data-for-types]").forEach((block) => {
      block.hidden = !block.dataset.forTypes.split(" ").includes(type.value);
    });
  };
  type.addEventListener("change", sync);
  sync();
})();
