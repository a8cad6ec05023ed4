// The data tab (seeds 000 and 002): batch, stochastic and mini-batch descent fit the same data
// with the same optimizer; the frame is the epoch, so each method shows what one pass buys.

import { Latest } from "./api.js";
import { element, format, parameterControl } from "./controls.js";
import { COLORSCALE, lift } from "./descent_plots.js";
import { label, t } from "./i18n.js";
import { Player } from "./player.js";

const $ = (id) => document.getElementById(id);
const DATASETS = ["seed002", "seed000", "linear", "polynomial"];
const COLORS = { batch: "#2f7ed8", stochastic: "#e6194b", minibatch: "#3cb44b" };
const FONT = { family: "Inter, system-ui, 'PingFang SC', 'Noto Sans CJK SC', sans-serif", size: 12 };

function kind(size) {
  if (size === null) return "batch";
  return size === 1 ? "stochastic" : "minibatch";
}

function logAxis(title) {
  return { title: { text: title }, type: "log", exponentformat: "power", dtick: 1 };
}

function layout(extra) {
  return {
    font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", showlegend: false,
    margin: { l: 52, r: 12, t: 8, b: 40 }, uirevision: "keep", ...extra,
  };
}

export class DataTab {
  constructor(app) {
    this.app = app;
    this.catalog = app.catalog;
    this.state = app.state.data;
    this.result = null;
    this.requests = new Latest();
    this.timer = null;
    const select = $("dataset");
    for (const name of DATASETS) {
      const entry = this.catalog.datasets.find((item) => item.name === name);
      if (entry) select.append(element("option", { value: name, text: name }));
    }
    select.addEventListener("change", () => { this.state.dataset = select.value; this.state.frame = null; this.load(); });
    this.player = new Player({
      button: $("data-play"), frame: () => this.frame(), last: () => this.lastFrame(),
      show: (frame) => this.setFrame(frame), rate: () => Math.max(5, this.lastFrame() / 4),
      stopped: () => this.app.save(),
    });
    $("data-frame").addEventListener("input", (event) => {
      this.player.pause();
      this.setFrame(Number(event.target.value));
    });
  }

  // ------------------------------------------------------------ controls

  render() {
    $("dataset").value = this.state.dataset;
    this.renderMethods();
    this.renderOptimizer();
  }

  renderMethods() {
    const sizes = this.state.sizes;
    const mini = sizes.find((size) => size !== null && size > 1) ?? 2;
    const box = $("methods");
    const toggle = (which, size) => (on) => {
      const kept = sizes.filter((item) => kind(item) !== which);
      this.state.sizes = on ? [...kept, size] : kept;
      this.changed();
    };
    const check = (which, size, key) => {
      const input = element("input", { type: "checkbox", id: `method-${which}` });
      input.checked = sizes.some((item) => kind(item) === which);
      input.addEventListener("change", () => toggle(which, size)(input.checked));
      return element("label", { class: "check method", for: `method-${which}` }, [
        input, element("span", { class: "chip", style: `background:${COLORS[which]}` }),
        element("span", { text: t(key) })]);
    };
    const batchSize = element("input", { type: "number", min: 2, step: 1, value: mini, class: "number",
      id: "minibatch-size", "aria-label": t("data.batch_size") });
    batchSize.addEventListener("change", () => {
      const size = Math.max(2, Math.round(Number(batchSize.value)) || 2);
      this.state.sizes = [...sizes.filter((item) => kind(item) !== "minibatch"), size];
      this.changed();
    });
    box.replaceChildren(check("batch", null, "data.batch"), check("stochastic", 1, "data.stochastic"),
      element("div", { class: "inline" }, [check("minibatch", mini, "data.minibatch"),
        element("span", { class: "hint", text: t("data.batch_size") }), batchSize]));
  }

  renderOptimizer() {
    const box = $("data-parameters");
    const names = element("select", { id: "data-optimizer", "aria-label": t("data.optimizer") },
      this.catalog.optimizers.map((item) => element("option", { value: item.name, text: label("opt", item.name) })));
    names.value = this.state.optimizer;
    names.addEventListener("change", () => { this.state.optimizer = names.value; this.changed(); });
    const rate = this.catalog.optimizers[0].parameters.find((p) => p.name === "learning_rate");
    const epochs = { name: "epochs", symbol: "", kind: "int", low: 1, high: 2000, log: false, default: 60 };
    const seed = { name: "seed", symbol: "", kind: "int", low: null, high: null, log: false, default: 0 };
    box.replaceChildren(names,
      parameterControl(rate, this.state.learning_rate, (v) => { this.state.learning_rate = v; this.changed(); }, "data"),
      this.intControl(epochs, "data.epochs", this.state.epochs, (v) => { this.state.epochs = v; }),
      this.intControl(seed, "data.seed", this.state.seed, (v) => { this.state.seed = v; }));
  }

  intControl(parameter, key, current, set) {
    const input = element("input", { type: "number", min: parameter.low ?? 0, max: parameter.high ?? undefined,
      step: 1, class: "number", id: `data-${parameter.name}`, value: current });
    input.addEventListener("change", () => {
      set(Math.max(parameter.low ?? 0, Math.round(Number(input.value)) || 0));
      this.state.frame = null;
      this.changed();
    });
    return element("div", { class: "control" }, [
      element("label", { class: "caption", for: input.id, text: t(key) }), input]);
  }

  changed() {
    this.app.save();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 150);
  }

  // ------------------------------------------------------------ the server

  start() {
    this.render();
    this.load();
  }

  async load() {
    this.app.save();
    const s = this.state;
    if (!s.sizes.length) return;
    const request = {
      data: { name: s.dataset },
      optimizer: { name: s.optimizer, hyperparams: { learning_rate: s.learning_rate } },
      batch_sizes: s.sizes, epochs: s.epochs, seed: s.seed,
    };
    try {
      const result = await this.requests.post("/api/fit", request);
      if (result === undefined) return;
      this.result = result;
      this.app.clearError("data-error");
      $("dataset-description").textContent = result.data.description;
      this.draw();
      this.summarise();
    } catch (error) {
      this.app.showError("data-error", error.message);
    }
  }

  // ------------------------------------------------------------ drawing

  lastFrame() {
    return this.result ? this.state.epochs : 0;
  }

  frame() {
    return this.state.frame === null ? this.lastFrame() : Math.min(this.state.frame, this.lastFrame());
  }

  setFrame(frame) {
    this.state.frame = frame >= this.lastFrame() ? null : frame;
    if (!this.player.playing) this.app.save();
    this.draw();
  }

  /** The rows of a run shown after `epoch` epochs (the updates made by then). */
  shown(run, epoch) {
    const updates = epoch === 0 ? 0 : run.epoch_update[Math.min(epoch, run.epoch_update.length) - 1] ?? run.nit;
    let last = 0;
    while (last + 1 < run.update.length && run.update[last + 1] <= updates) last += 1;
    return last;
  }

  draw() {
    if (!this.result || !window.Plotly) return;
    const epoch = this.frame();
    const config = { displayModeBar: false, responsive: true };
    const cut = this.result.runs.map((run) => this.shown(run, epoch));
    const path = this.result.surface ? this.pathFigure(cut) : this.epochFigure(epoch);
    $("data-path-title").textContent = t(this.result.surface ? "data.path" : "data.epoch_loss");
    Plotly.react($("data-path"), path.traces, path.layout, config);
    const loss = this.lossFigure(cut);
    Plotly.react($("data-loss"), loss.traces, loss.layout, config);
    const fit = this.fitFigure(cut);
    Plotly.react($("data-fit"), fit.traces, fit.layout, config);
    $("data-frame").max = this.lastFrame();
    $("data-frame").value = epoch;
    $("data-frame-label").textContent = t("epoch.n", { n: epoch });
  }

  color(run) {
    return COLORS[kind(run.batch_size)];
  }

  /** The run's name in the page's language: batch / stochastic / mini-batch (b = k). */
  name(run) {
    const which = kind(run.batch_size);
    const base = t(`data.${which}`).replace(/\s*[(（].*$/, "");
    return which === "minibatch" ? `${base} (b = ${run.batch_size})` : base;
  }

  pathFigure(cut) {
    const { surface, data } = this.result;
    const zMin = Math.min(...surface.z.flat().filter((v) => v !== null));
    const traces = [{
      type: "contour", x: surface.x, y: surface.y, z: surface.z.map((row) => row.map((v) => lift(v, zMin))),
      colorscale: COLORSCALE, showscale: false, ncontours: 22, hoverinfo: "skip", meta: { role: "surface" },
      line: { width: 0.5, color: "rgba(255,255,255,0.35)" },
    }];
    this.result.runs.forEach((run, i) => {
      const rows = run.path.slice(0, cut[i] + 1);
      traces.push({
        type: "scatter", mode: "lines+markers", x: rows.map((p) => p[0]), y: rows.map((p) => p[1]),
        name: this.name(run), meta: { role: "path", label: run.label }, line: { color: this.color(run), width: 1.6 },
        marker: { size: 3, color: this.color(run) },
      });
    });
    if (data.truth) {
      traces.push({ type: "scatter", mode: "markers", x: [data.truth[0]], y: [data.truth[1]], hoverinfo: "skip",
        marker: { symbol: "star", size: 15, color: "#ffd166", line: { color: "#222", width: 1 } } });
    }
    return { traces, layout: layout({
      xaxis: { title: { text: data.parameters[0] }, range: [surface.x[0], surface.x.at(-1)], showgrid: false },
      yaxis: { title: { text: data.parameters[1] }, range: [surface.y[0], surface.y.at(-1)], showgrid: false },
    }) };
  }

  epochFigure(epoch) {
    const traces = this.result.runs.map((run) => ({
      type: "scatter", mode: "lines+markers", x: run.epoch_loss.map((_, k) => k + 1).slice(0, epoch),
      y: run.epoch_loss.slice(0, epoch), name: this.name(run), meta: { role: "path", label: run.label },
      line: { color: this.color(run), width: 2 }, marker: { size: 4 },
    }));
    return { traces, layout: layout({
      xaxis: { title: { text: t("epoch.axis") } }, yaxis: logAxis(""),
    }) };
  }

  lossFigure(cut) {
    const traces = this.result.runs.map((run, i) => ({
      type: "scatter", mode: "lines", x: run.update.slice(0, cut[i] + 1), y: run.loss.slice(0, cut[i] + 1),
      name: this.name(run), meta: { role: "loss", label: run.label }, line: { color: this.color(run), width: 1.3 },
    }));
    return { traces, layout: layout({
      xaxis: { title: { text: t("update") } }, yaxis: { ...logAxis(t("loss")), dtick: 2 },
    }) };
  }

  fitFigure(cut) {
    const { data } = this.result;
    const low = Math.min(...data.x);
    const high = Math.max(...data.x);
    const xs = Array.from({ length: 60 }, (_, k) => low + ((high - low) * k) / 59);
    const curve = (theta) => xs.map((x) => theta.reduce((sum, w, i) => sum + w * x ** data.powers[i], 0));
    const traces = [{
      type: "scatter", mode: "markers", x: data.x, y: data.y, name: "data", meta: { role: "data" },
      marker: { size: 7, color: "rgba(40,40,60,0.55)" },
    }];
    if (data.truth) {
      traces.push({ type: "scatter", mode: "lines", x: xs, y: curve(data.truth), hoverinfo: "skip",
        line: { color: "#999", dash: "dash", width: 1.5 }, meta: { role: "truth" } });
    }
    this.result.runs.forEach((run, i) => {
      traces.push({ type: "scatter", mode: "lines", x: xs, y: curve(run.path[cut[i]] || data.start),
        name: this.name(run), meta: { role: "fit", label: run.label }, line: { color: this.color(run), width: 2.4 } });
    });
    return { traces, layout: layout({ xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } } }) };
  }

  summarise() {
    const rows = this.result.runs.map((run) => element("tr", { class: `status-${run.status}` }, [
      element("td", {}, [element("span", { class: "chip", style: `background:${this.color(run)}` }),
        element("span", { text: ` ${this.name(run)}` })]),
      element("td", {}, [element("span", { class: `badge ${run.status}`, text: t(`status.${run.status}`) })]),
      element("td", { class: "num", text: format(run.fun) }),
      element("td", { class: "num", text: String(run.nit) }),
      element("td", { class: "message", text: `${run.message} · θ = (${run.x.map(format).join(", ")})` }),
    ]));
    document.querySelector("#data-summary tbody").replaceChildren(...rows);
  }

  resize() {
    this.draw();
  }

  relabel() {
    this.player.relabel();
    this.render();
    if (this.result) {
      this.draw();
      this.summarise();
    }
  }
}
