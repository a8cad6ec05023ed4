// The descent tab: a function, a start point, several optimizers; paths animated on the
// contours (or the 3-D surface) with the loss curves beside them.

import { Latest, postJson } from "./api.js";
import { element, format } from "./controls.js";
import { CUSTOM, DescentPanel } from "./descent_panel.js";
import { contourFigure, lossFigure, surfaceFigure } from "./descent_plots.js";
import { label, t } from "./i18n.js";
import { Player } from "./player.js";
import { PALETTE } from "./state.js";

const $ = (id) => document.getElementById(id);

/** A run's name in the page's language: "adam #2" → "Adam 自适应矩估计 #2"; given labels stay. */
function displayName(run) {
  return run.label.startsWith(run.name) ? label("opt", run.name) + run.label.slice(run.name.length)
    : run.label;
}

export class Descent {
  constructor(app) {
    this.app = app;
    this.catalog = app.catalog;
    this.state = app.state;
    this.surface = null;
    this.result = null;
    this.runs = new Latest();
    this.surfaces = new Latest();
    this.timer = null;
    this.backgroundOf = null;  // the surface the contour background shows
    this.panel = new DescentPanel(this);
  }

  init() {
    this.panel.init();
    this.player = new Player({
      button: $("play"), frame: () => this.frame(), last: () => this.lastFrame(),
      show: (frame) => this.setFrame(frame), rate: () => Number($("speed").value),
      stopped: () => this.app.save(),
    });
    const stepTo = (frame) => { this.player.pause(); this.setFrame(frame); };
    $("step").addEventListener("click", () => stepTo(Math.min(this.lastFrame(), this.frame() + 1)));
    $("reset").addEventListener("click", () => stepTo(0));
    $("frame").addEventListener("input", (event) => stepTo(Number(event.target.value)));
  }

  render() {
    this.panel.render();
  }

  suggested(name) {
    const problem = this.result ? this.result.problem : this.catalogProblem();
    return (problem && problem.suggested_learning_rates[name]) || 0.01;
  }

  catalogProblem() {
    const name = this.state.problem.name;
    return this.catalog.problems.find((problem) => problem.name === name) || null;
  }

  // ------------------------------------------------------------ the state changes

  chooseProblem(name) {
    if (name === CUSTOM) {
      $("expression-row").hidden = false;
      $("expression").focus();
      return;
    }
    this.state.problem = { name };
    this.state.start = null;
    this.state.frame = null;
    this.panel.render();
    this.refresh();
  }

  applyExpression() {
    const text = $("expression").value.trim();
    if (!text) return;
    this.state.problem = { expression: text };
    this.state.start = null;
    this.state.frame = null;
    this.refresh();
  }

  setStartCoordinate(index, value) {
    if (!Number.isFinite(value)) return;
    const start = [...this.start()];
    start[index] = value;
    this.setStart(start);
  }

  setStart(start) {
    this.state.start = start;
    this.state.frame = null;
    this.panel.renderStart();
    this.scheduleRun(0);
  }

  setView(view) {
    this.state.view = view;
    this.panel.render();
    this.app.save();
    this.draw(true);
  }

  addOptimizer() {
    const used = new Set(this.state.optimizers.map((o) => o.color));
    const color = PALETTE.find((c) => !used.has(c)) || PALETTE[this.state.optimizers.length % PALETTE.length];
    const names = this.state.optimizers.map((o) => o.name);
    const name = ["adam", "rmsprop", "momentum", "sgd", "adagrad", "nadam"].find((n) => !names.includes(n)) || "adam";
    this.state.optimizers.push({ name, hyperparams: { learning_rate: this.suggested(name) }, color });
    this.panel.renderOptimizers();
    this.scheduleRun(0);
  }

  clickStart(event) {
    if (!this.surface || this.state.view !== "2d") return;
    const plot = $("contour");
    const layout = plot._fullLayout;
    const area = plot.querySelector(".nsewdrag");
    if (!layout || !area) return;
    const box = area.getBoundingClientRect();
    const [px, py] = [event.clientX - box.left, event.clientY - box.top];
    if (px < 0 || py < 0 || px > box.width || py > box.height) return;
    // a click is good to about a pixel: keep the digits that mean something (≈ window / 1000)
    const round = (value, [low, high]) => {
      const unit = 10 ** Math.floor(Math.log10((high - low) / 1000));
      return Math.round(value / unit) * unit;
    };
    const { window, dim } = this.surface.problem;
    const x = +round(layout.xaxis.p2c(px), window[0]).toPrecision(12);
    this.setStart(dim === 1 ? [x] : [x, +round(layout.yaxis.p2c(py), window[1]).toPrecision(12)]);
  }

  // ------------------------------------------------------------ talking to the server

  problemSpec() {
    return this.state.problem.expression !== undefined
      ? { expression: this.state.problem.expression } : { name: this.state.problem.name };
  }

  start() {
    if (this.state.start) return this.state.start;
    const problem = this.surface ? this.surface.problem : this.catalogProblem();
    return problem ? problem.start : null;
  }

  scheduleRun(delay = 140) {
    this.app.save();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async refresh() {
    this.app.save();
    const ok = await this.loadSurface();
    if (ok) await this.run();
  }

  async loadSurface() {
    this.busy(true);
    try {
      const surface = await this.surfaces.post("/api/surface", { problem: this.problemSpec(), resolution: 91 });
      if (surface === undefined) return false;
      this.surface = surface;
      this.app.clearError("descent-error");
      $("expression").classList.remove("invalid");
      $("problem-description").textContent = surface.problem.gradient
        ? `∇f = ${surface.problem.gradient}` : surface.problem.description;
      this.panel.renderStart();
      return true;
    } catch (error) {
      this.fail(error);
      if (this.state.problem.expression !== undefined) $("expression").classList.add("invalid");
      return false;
    } finally {
      this.busy(false);
    }
  }

  async run() {
    if (!this.surface || !this.state.optimizers.length) return;
    const request = {
      problem: this.problemSpec(),
      start: this.start(),
      steps: this.state.steps,
      optimizers: this.state.optimizers.map((o) => ({ name: o.name, hyperparams: o.hyperparams })),
      schedule: this.state.schedule,
      internals: true,
    };
    this.busy(true);
    try {
      const result = await this.runs.post("/api/run", request);
      if (result === undefined) return;
      this.result = result;
      this.app.clearError("descent-error");
      this.draw(this.state.view === "3d");
      this.summarise();
      this.drawSchedule();
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy(false);
    }
  }

  async drawSchedule() {
    const plot = $("schedule-plot");
    if (!this.state.schedule || !window.Plotly) return;
    try {
      const curve = await postJson("/api/schedule", {
        schedule: this.state.schedule, learning_rate: 1, steps: this.state.steps,
      });
      Plotly.react(plot, [{ type: "scatter", mode: "lines", x: curve.step, y: curve.learning_rate,
        line: { color: "#4f46e5", width: 2 }, meta: { role: "schedule" }, hoverinfo: "x+y" }], {
        margin: { l: 36, r: 6, t: 6, b: 24 }, height: 110, paper_bgcolor: "rgba(0,0,0,0)",
        yaxis: { title: { text: t("schedule.shape") }, rangemode: "tozero" }, font: { size: 10 },
      }, { displayModeBar: false, responsive: true });
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error) {
    this.app.showError("descent-error", error.message);
  }

  busy(on) {
    $("busy").hidden = !on;
  }

  // ------------------------------------------------------------ drawing

  lastFrame() {
    if (!this.result) return 0;
    return Math.max(0, ...this.result.runs.map((run) => run.path.length - 1));
  }

  frame() {
    const last = this.lastFrame();
    return this.state.frame === null ? last : Math.min(this.state.frame, last);
  }

  setFrame(frame) {
    this.state.frame = frame >= this.lastFrame() ? null : frame;
    if (!this.player.playing) this.app.save();
    this.draw();
  }

  view() {
    return {
      surface: this.surface, problem: this.result.problem, start: this.start(),
      runs: this.result.runs.map((run) => ({ ...run, name: displayName(run) })),
      colors: this.state.optimizers.map((o) => o.color),
      frame: this.frame(), internals: this.state.internals,
    };
  }

  draw(full = false) {
    if (!this.result || !this.surface || !window.Plotly) return;
    const view = this.view();
    const config = { displayModeBar: false, responsive: true, scrollZoom: false };
    const threeD = this.state.view === "3d" && this.result.problem.dim === 2;
    const main = threeD ? { background: null, overlay: surfaceFigure(view) } : contourFigure(view);
    const [below, above] = [$("contour-bg"), $("contour")];
    if (full) Plotly.purge(above);
    if (!main.background) {
      Plotly.purge(below);
      this.backgroundOf = null;
    } else if (this.backgroundOf !== this.surface || full) {
      Plotly.react(below, main.background.traces, main.background.layout, config);
      this.backgroundOf = this.surface;
    }
    below.hidden = !main.background;
    Plotly.react(above, main.overlay.traces, main.overlay.layout, config);
    const loss = lossFigure(view);
    Plotly.react($("loss"), loss.traces, loss.layout, config);
    $("frame").max = this.lastFrame();
    $("frame").value = view.frame;
    $("frame-label").textContent = `${t("frame")} ${view.frame}`;
  }

  summarise() {
    const rows = this.result.runs.map((run, index) => {
      const color = this.state.optimizers[index] ? this.state.optimizers[index].color : "#888";
      return element("tr", { class: `status-${run.status}`, dataset: { label: run.label } }, [
        element("td", {}, [element("span", { class: "chip", style: `background:${color}` }),
          element("span", { text: ` ${displayName(run)}` })]),
        element("td", {}, [element("span", { class: `badge ${run.status}`, text: t(`status.${run.status}`) })]),
        element("td", { class: "num", text: format(run.fun) }),
        element("td", { class: "num", text: String(run.nit) }),
        element("td", { class: "message", text: run.message }),
      ]);
    });
    document.querySelector("#summary tbody").replaceChildren(...rows);
  }

  relabel() {
    this.player.relabel();
    this.panel.renderOptimizers();
    this.panel.renderSchedule();
    if (this.result) {
      this.draw(true);
      this.summarise();
    }
  }
}
