// Form pieces built from the catalog's parameter metadata: sliders, checkboxes, choices.

import { label, t } from "./i18n.js";

const TICKS = 1000;
export const MAIN_PARAMETERS = ["learning_rate", "beta", "rho", "beta1", "beta2", "eps", "momentum"];

export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, item] of Object.entries(attributes)) {
    if (key === "text") node.textContent = item;
    else if (key === "dataset") Object.assign(node.dataset, item);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), item);
    else if (item !== undefined && item !== null && item !== false) node.setAttribute(key, item);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function format(number) {
  if (number === null || number === undefined || !Number.isFinite(number)) return "–";
  if (number === 0) return "0";
  const size = Math.abs(number);
  if (size >= 1e4 || size < 1e-3) return number.toExponential(2);
  return String(+number.toPrecision(4));
}

function toTick(parameter, number) {
  const { low, high, log } = parameter;
  const fraction = log
    ? (Math.log10(number) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
    : (number - low) / (high - low);
  return Math.round(Math.min(1, Math.max(0, fraction)) * TICKS);
}

function fromTick(parameter, tick) {
  const { low, high, log } = parameter;
  const fraction = tick / TICKS;
  const number = log
    ? 10 ** (Math.log10(low) + fraction * (Math.log10(high) - Math.log10(low)))
    : low + fraction * (high - low);
  return +number.toPrecision(3);
}

/** One labelled control for a parameter; onInput(value) on every change. */
export function parameterControl(parameter, current, onInput, idPrefix) {
  const id = `${idPrefix}-${parameter.name}`;
  const caption = element("label", { for: id, class: "caption" }, [
    element("span", { class: "symbol", text: parameter.symbol !== parameter.name ? parameter.symbol : "" }),
    element("span", { text: label("param", parameter.name) }),
  ]);
  const row = element("div", { class: "control", dataset: { parameter: parameter.name } }, [caption]);
  if (parameter.kind === "bool") {
    const box = element("input", { type: "checkbox", id, onchange: () => onInput(box.checked) });
    box.checked = Boolean(current);
    row.classList.add("check");
    row.prepend(box);
    return row;
  }
  if (parameter.kind === "choice") {
    const select = element("select", { id, onchange: () => onInput(select.value) },
      parameter.choices.map((choice) => element("option", { value: choice, text: choice })));
    select.value = current ?? parameter.default;
    row.append(select);
    return row;
  }
  if (parameter.kind === "ints") {
    const text = element("input", { type: "text", id, placeholder: "100,200", class: "number" });
    text.value = Array.isArray(current) ? current.join(",") : "";
    text.addEventListener("change", () => onInput(text.value.split(",").map(Number).filter(Number.isInteger)));
    row.append(text);
    return row;
  }
  const number = element("input", { type: "number", id, step: "any", class: "number" });
  number.value = current ?? "";
  const hasRange = parameter.low !== null && parameter.high !== null && parameter.kind === "float";
  if (hasRange) {
    const slider = element("input", {
      type: "range", min: 0, max: TICKS, step: 1, class: "slider", "aria-label": parameter.name,
    });
    slider.value = toTick(parameter, Number(current ?? parameter.default ?? parameter.low));
    slider.addEventListener("input", () => {
      const chosen = fromTick(parameter, Number(slider.value));
      number.value = chosen;
      onInput(chosen);
    });
    number.addEventListener("change", () => {
      if (number.value === "") return;
      slider.value = toTick(parameter, Number(number.value));
      onInput(Number(number.value));
    });
    row.append(element("div", { class: "slide" }, [slider, number]));
  } else {
    number.addEventListener("change", () => {
      if (number.value !== "") onInput(parameter.kind === "int" ? Math.round(Number(number.value)) : Number(number.value));
    });
    row.append(number);
  }
  return row;
}

/** A card for one optimizer: colour, name, its main sliders and the rest under "more". */
export function optimizerCard(catalog, optimizer, index, handlers) {
  const entry = catalog.optimizers.find((item) => item.name === optimizer.name) || catalog.optimizers[0];
  const color = element("input", {
    type: "color", class: "swatch", value: optimizer.color, "aria-label": "colour",
    oninput: (event) => handlers.color(event.target.value),
  });
  const names = element("select", { class: "optimizer-name", "aria-label": t("summary.optimizer"),
    onchange: (event) => handlers.rename(event.target.value) },
  catalog.optimizers.map((item) => element("option", { value: item.name, text: label("opt", item.name) })));
  names.value = entry.name;
  const remove = element("button", { class: "icon", title: t("remove"), "aria-label": t("remove"),
    text: "×", onclick: handlers.remove });
  const main = element("div", { class: "parameters" });
  const rest = element("div", { class: "parameters" });
  for (const parameter of entry.parameters) {
    const current = optimizer.hyperparams[parameter.name] ??
      (parameter.name === "learning_rate" ? handlers.suggested(entry.name) : parameter.default);
    const control = parameterControl(parameter, current, (chosen) => handlers.set(parameter.name, chosen),
      `opt${index}`);
    (MAIN_PARAMETERS.includes(parameter.name) ? main : rest).append(control);
  }
  const more = element("details", { class: "more" }, [element("summary", { text: t("more") }), rest]);
  return element("div", { class: "card", dataset: { index: String(index), optimizer: entry.name } }, [
    element("div", { class: "card-head" }, [color, names, remove]),
    main,
    rest.childElementCount ? more : null,
  ]);
}
