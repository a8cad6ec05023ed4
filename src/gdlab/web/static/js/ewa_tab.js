// The EWA tab (seed 001 §3–4): a noisy series and its exponentially weighted averages for
// several β, with the bias correction switched on or off.

import { Latest } from "./api.js";
import { t } from "./i18n.js";
import { PALETTE } from "./state.js";

const $ = (id) => document.getElementById(id);

export class EwaTab {
  constructor(app) {
    this.app = app;
    this.state = app.state.ewa;
    this.figure = null;
    this.requests = new Latest();
    this.timer = null;
    $("ewa-series").addEventListener("change", (event) => { this.state.series = event.target.value; this.load(); });
    $("ewa-betas").addEventListener("change", (event) => this.setBetas(event.target.value));
    $("ewa-bias").addEventListener("change", (event) => {
      this.state.bias = event.target.checked;
      this.app.save();
      this.draw();
    });
    $("ewa-points").addEventListener("input", (event) => {
      this.state.points = Number(event.target.value);
      $("ewa-points-label").textContent = String(this.state.points);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.load(), 120);
    });
    $("ewa-seed").addEventListener("change", (event) => {
      this.state.seed = Math.max(0, Math.round(Number(event.target.value)) || 0);
      this.load();
    });
  }

  setBetas(text) {
    const betas = text.split(/[,\s]+/).filter(Boolean).map(Number);
    if (!betas.length || betas.some((beta) => !Number.isFinite(beta))) {
      this.app.showError("ewa-error", `β values must be numbers separated by commas, got "${text}"`);
      return;
    }
    this.state.betas = betas;
    this.load();
  }

  render() {
    $("ewa-series").value = this.state.series;
    $("ewa-betas").value = this.state.betas.join(", ");
    $("ewa-bias").checked = this.state.bias;
    $("ewa-points").value = this.state.points;
    $("ewa-points-label").textContent = String(this.state.points);
    $("ewa-seed").value = this.state.seed;
  }

  start() {
    this.render();
    this.load();
  }

  async load() {
    this.app.save();
    const { series, points, betas, seed } = this.state;
    try {
      const figure = await this.requests.post("/api/ewa", { series, points, betas, seed });
      if (figure === undefined) return;
      this.figure = figure;
      this.app.clearError("ewa-error");
      this.draw();
    } catch (error) {
      this.app.showError("ewa-error", error.message);
    }
  }

  draw() {
    if (!this.figure || !window.Plotly) return;
    const { t: steps, values, curves } = this.figure;
    const traces = [{
      type: "scatter", mode: "markers", x: steps, y: values, name: t("ewa.values"),
      marker: { size: 4, color: "rgba(60,60,80,0.35)" }, meta: { role: "values" },
    }];
    curves.forEach((curve, i) => {
      const color = PALETTE[(i + 1) % PALETTE.length];
      const name = `β = ${curve.beta} (${t("ewa.window", { n: Math.round(curve.window) })})`;
      if (this.state.bias) {
        traces.push({
          type: "scatter", mode: "lines", x: steps, y: curve.average, showlegend: false,
          line: { color, width: 1, dash: "dot" }, opacity: 0.5, hoverinfo: "skip",
          meta: { role: "ewa-raw", beta: curve.beta },
        });
      }
      traces.push({
        type: "scatter", mode: "lines", x: steps, y: this.state.bias ? curve.corrected : curve.average,
        name, line: { color, width: 2.6 },
        meta: { role: "ewa", beta: curve.beta, corrected: this.state.bias },
      });
    });
    Plotly.react($("ewa-plot"), traces, {
      font: { family: "Inter, system-ui, 'PingFang SC', 'Noto Sans CJK SC', sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", margin: { l: 52, r: 16, t: 16, b: 44 },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      xaxis: { title: { text: t("time") }, zeroline: false }, yaxis: { zeroline: false },
      uirevision: "keep",
    }, { displayModeBar: false, responsive: true });
  }

  resize() {
    this.draw();
  }

  relabel() {
    this.draw();
  }
}
