// Boot: read the catalog and the URL, build the three tabs, keep the URL in step with the state.

import { getJson } from "./api.js";
import { DataTab } from "./data_tab.js";
import { Descent } from "./descent.js";
import { EwaTab } from "./ewa_tab.js";
import { apply, setLanguage, t } from "./i18n.js";
import { decode, encode } from "./state.js";

const $ = (id) => document.getElementById(id);

class App {
  constructor(catalog, state) {
    this.catalog = catalog;
    this.state = state;
    this.tabs = {};
    this.started = new Set();
  }

  save() {
    const query = encode(this.state);
    if (query !== window.location.search) window.history.replaceState(null, "", query);
  }

  showError(id, message) {
    const box = $(id);
    box.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = `${t("error")}: `;
    const text = document.createElement("span");
    text.className = "error-text";
    text.textContent = message;
    box.append(title, text);
    box.hidden = false;
  }

  clearError(id) {
    $(id).hidden = true;
  }

  showTab(name) {
    this.state.tab = name;
    for (const button of document.querySelectorAll("[data-tab]")) {
      const active = button.dataset.tab === name;
      button.classList.toggle("active", active);
      button.setAttribute("aria-selected", String(active));
    }
    for (const key of Object.keys(this.tabs)) $(`tab-${key}`).hidden = key !== name;
    this.save();
    if (!this.started.has(name)) {
      this.started.add(name);
      this.tabs[name].start();
    } else {
      this.tabs[name].resize();
    }
  }

  toggleLanguage() {
    this.state.lang = this.state.lang === "zh" ? "en" : "zh";
    setLanguage(this.state.lang);
    apply();
    for (const tab of Object.values(this.tabs)) tab.relabel();
    this.save();
  }
}

function descentTab(app) {
  const descent = new Descent(app);
  descent.init();
  return {
    start: () => { descent.render(); descent.refresh(); },
    resize: () => descent.draw(true),
    relabel: () => descent.relabel(),
    controller: descent,
  };
}

async function boot() {
  const state = decode(window.location.search);
  setLanguage(state.lang);
  apply();
  let catalog;
  try {
    catalog = await getJson("/api/catalog");
  } catch (error) {
    const box = $("global-error");
    box.textContent = `${t("error")}: ${error.message}`;
    box.hidden = false;
    return;
  }
  const app = new App(catalog, state);
  app.tabs.descent = descentTab(app);
  app.tabs.data = new DataTab(app);
  app.tabs.ewa = new EwaTab(app);
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => app.showTab(button.dataset.tab));
  }
  $("lang").addEventListener("click", () => app.toggleLanguage());
  $("share").addEventListener("click", async () => {
    app.save();
    try {
      await navigator.clipboard.writeText(window.location.href);
    } catch {
      // no clipboard (plain http on another host): the address bar holds the link anyway
    }
    $("share").textContent = t("copied");
    setTimeout(() => { $("share").textContent = t("share"); }, 1500);
  });
  window.playground = app;
  app.showTab(state.tab);
}

boot();
