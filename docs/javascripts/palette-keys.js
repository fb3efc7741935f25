// Material's palette toggle is a pair of radio buttons shown as one icon button. Material
// switches it on Enter (its own keydown handler selects the next palette and focuses it), but
// not on Space, which a button takes and a checked radio ignores. Space does the same here.
document.addEventListener("keydown", (event) => {
  const option = event.target;
  if (event.key !== " " || !(option instanceof HTMLInputElement)) return;
  if (!option.matches("form[data-md-component='palette'] input.md-option")) return;
  const options = [...option.form.querySelectorAll("input.md-option")];
  const next = options[(options.indexOf(option) + 1) % options.length];
  event.preventDefault();  // else the keyup would "click" the radio that is already checked
  next.click();
  next.focus();
});
