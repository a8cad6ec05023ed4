// Plotly traces of the descent tab: the surface (contours, 3-D or a curve), the paths up to the
// current frame, the internals overlay and the loss curves.  Pure functions of the data.

import { t } from "./i18n.js";

export const COLORSCALE = [
  [0, "#0b3954"], [0.15, "#087e8b"], [0.35, "#66b7a6"], [0.55, "#bfe3c0"],
  [0.75, "#f5f1c4"], [1, "#fffdf2"],
];
const FONT = { family: "Inter, system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", size: 12 };

/** z shown on a log scale: log(1 + z − z_min), so deep valleys and high walls both show. */
export function lift(value, zMin) {
  return value === null || value === undefined ? null : Math.log1p(Math.max(0, value - zMin));
}

function liftGrid(surface) {
  return surface.z.map((row) => row.map((value) => lift(value, surface.z_min)));
}

function upTo(run, frame) {
  const last = Math.min(frame, run.path.length - 1);
  return { last, points: run.path.slice(0, last + 1) };
}

function baseLayout(extra = {}) {
  return {
    font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
    // fixed margins (no auto-expansion for the legend): stacked figures must share a plot area
    margin: { l: 56, r: 16, t: 36, b: 46, autoexpand: false }, showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.01, yanchor: "bottom", bgcolor: "rgba(255,255,255,0)" },
    uirevision: "keep", ...extra,
  };
}

// ---------------------------------------------------------------- 2-D contours

function contourTrace(surface) {
  return {
    type: "contour", x: surface.x, y: surface.y, z: liftGrid(surface), colorscale: COLORSCALE,
    reversescale: false, showscale: false, ncontours: 28, contours: { coloring: "fill" },
    line: { width: 0.6, color: "rgba(255,255,255,0.35)" }, hoverinfo: "skip",
    meta: { role: "surface" }, showlegend: false,
  };
}

function markerTraces2d(problem, start) {
  const traces = [];
  if (problem.minima.length) {
    traces.push({
      type: "scatter", mode: "markers", x: problem.minima.map((p) => p[0]),
      y: problem.minima.map((p) => p[1]), name: t("minimum.marker"), meta: { role: "minimum" },
      marker: { symbol: "star", size: 14, color: "#ffd166", line: { color: "#1d1d1d", width: 1 } },
      hovertemplate: "(%{x:.4g}, %{y:.4g})<extra>min</extra>", showlegend: false,
    });
  }
  traces.push({
    type: "scatter", mode: "markers", x: [start[0]], y: [start[1]], name: t("start.marker"),
    meta: { role: "start" }, showlegend: false,
    marker: { symbol: "circle-open", size: 14, color: "#111", line: { width: 2.5 } },
    hovertemplate: "x0 = (%{x:.4g}, %{y:.4g})<extra></extra>",
  });
  return traces;
}

function clamp(point, window) {
  return point.map((v, i) => Math.min(window[i][1], Math.max(window[i][0], v)));
}

function pathTraces2d(run, color, frame, window) {
  const { last, points } = upTo(run, frame);
  const head = run.path[last];
  const traces = [{
    // a dot per iterate while they can be told apart (and SVG stays quick), then a line
    type: "scatter", mode: run.path.length <= 201 ? "lines+markers" : "lines",
    x: points.map((p) => p[0]), y: points.map((p) => p[1]),
    name: run.name, meta: { role: "path", label: run.label }, line: { color, width: 2.2 },
    marker: { size: 3.5, color }, hovertemplate: `${run.name}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
  }, {
    type: "scatter", mode: "markers", x: [head[0]], y: [head[1]], showlegend: false,
    meta: { role: "head", label: run.label }, hoverinfo: "skip",
    marker: { size: 11, color, line: { color: "#fff", width: 2 } },
  }];
  if (run.diverged && last === run.path.length - 1) {
    const [x, y] = clamp(head, window);  // the last finite point, or where it left the window
    traces.push({
      type: "scatter", mode: "markers+text", x: [x], y: [y], showlegend: false,
      meta: { role: "diverged", label: run.label }, text: [`${run.name}: ${t("status.diverged")}`],
      textposition: y > (window[1][0] + window[1][1]) / 2 ? "bottom left" : "top left",
      textfont: { color, size: 13 }, hoverinfo: "skip", cliponaxis: false,
      marker: { symbol: "x-thin", size: 18, line: { color, width: 3 } },
    });
  }
  return traces;
}

function diagonal(window) {
  return Math.hypot(window[0][1] - window[0][0], window[1][1] - window[1][0]);
}

function internalTraces(run, color, frame, window) {
  const internals = run.internals;
  if (!internals) return [];
  const { last } = upTo(run, frame);
  const [px, py] = run.path[last];
  const traces = [];
  if (internals.momentum && internals.momentum[last]) {
    const norms = internals.momentum.map((m) => Math.hypot(m[0], m[1]));
    const top = Math.max(...norms) || 1;
    const [mx, my] = internals.momentum[last];
    const size = Math.hypot(mx, my);
    if (size > 0) {
      const length = 0.18 * diagonal(window) * Math.max(0.15, Math.sqrt(size / top));
      traces.push({
        type: "scatter", mode: "lines+markers", x: [px, px - (length * mx) / size],
        y: [py, py - (length * my) / size], showlegend: false, hoverinfo: "skip",
        meta: { role: "momentum", label: run.label }, line: { color: "#111", width: 2.5 },
        marker: { symbol: ["circle", "arrow"], size: [5, 15], angleref: "previous", color: "#111",
          line: { width: 0 } },
      });
    }
  }
  const scale = internals.scale && internals.scale[last];
  if (scale && scale.every((s) => s > 0)) {
    const inverse = scale.map((s) => 1 / s);
    const top = Math.max(...inverse);
    const [ax, ay] = [0, 1].map((i) => (0.07 * (window[i][1] - window[i][0]) * inverse[i]) / top);
    const angles = Array.from({ length: 49 }, (_, i) => (2 * Math.PI * i) / 48);
    traces.push({
      type: "scatter", mode: "lines", x: angles.map((a) => px + ax * Math.cos(a)),
      y: angles.map((a) => py + ay * Math.sin(a)), showlegend: false, hoverinfo: "skip",
      meta: { role: "scale", label: run.label }, line: { color, width: 2 },
      fill: "toself", fillcolor: `${color}22`,
    });
  }
  return traces;
}

function internalsLegend() {
  const key = (name, line, symbol) => {
    const trace = { type: "scatter", mode: "lines", x: [null], y: [null], name, line,
      meta: { role: "legend" }, hoverinfo: "skip" };
    if (symbol) Object.assign(trace, { mode: "lines+markers", marker: { symbol, size: 10, color: "#111" } });
    return trace;
  };
  return [
    key(`${t("internals.momentum")} −m`, { color: "#111", width: 2.5 }, "arrow"),
    key(`${t("internals.scale")} 1/√s`, { color: "#666", width: 2 }),
  ];
}

// ---------------------------------------------------------------- the three views

/**
 * The 2-D view as two stacked figures with the same plot area: the contours (background,
 * drawn when the function changes) and everything that moves (overlay, drawn every frame:
 * recomputing contours each frame would make the animation crawl).
 */
export function contourFigure(view) {
  const { surface, problem, start, runs, colors, frame, internals } = view;
  const window = problem.window;
  const traces = [];
  if (problem.dim === 1) {
    traces.push({
      type: "scatter", mode: "lines", x: surface.x, y: surface.z[0], name: "f(x)",
      line: { color: "#0b3954", width: 2.5 }, meta: { role: "curve" }, showlegend: false,
      hovertemplate: "f(%{x:.4g}) = %{y:.4g}<extra></extra>",
    });
    runs.forEach((run, i) => {
      const { last, points } = upTo(run, frame);
      traces.push({
        type: "scatter", mode: "lines+markers", x: points.map((p) => p[0]),
        y: run.loss.slice(0, last + 1), name: run.name, meta: { role: "path", label: run.label },
        line: { color: colors[i], width: 1.5 }, marker: { size: 6, color: colors[i] },
      });
    });
    const overlay = baseLayout({
      xaxis: { range: window[0], title: { text: problem.variables[0] }, zeroline: false },
      yaxis: { title: { text: "f" }, zeroline: false },
    });
    return { background: null, overlay: { traces, layout: overlay } };
  }
  traces.push(...markerTraces2d(problem, start));
  runs.forEach((run, i) => {
    traces.push(...pathTraces2d(run, colors[i], frame, window));
    if (internals) traces.push(...internalTraces(run, colors[i], frame, window));
  });
  if (internals) traces.push(...internalsLegend());
  const axis = (i) => ({ range: window[i], title: { text: problem.variables[i] }, zeroline: false,
    showgrid: false, fixedrange: true });
  const overlay = baseLayout({
    xaxis: axis(0), yaxis: axis(1), dragmode: false, hovermode: "closest",
    plot_bgcolor: "rgba(0,0,0,0)",
  });
  const background = baseLayout({
    showlegend: false, xaxis: { ...axis(0), visible: false }, yaxis: { ...axis(1), visible: false },
  });
  return {
    background: { traces: [contourTrace(surface)], layout: background },
    overlay: { traces, layout: overlay },
  };
}

export function surfaceFigure(view) {
  const { surface, problem, runs, colors, frame } = view;
  const traces = [{
    type: "surface", x: surface.x, y: surface.y, z: liftGrid(surface), colorscale: COLORSCALE,
    showscale: false, opacity: 0.92, meta: { role: "surface" }, hoverinfo: "skip",
    contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
  }];
  runs.forEach((run, i) => {
    const { last, points } = upTo(run, frame);
    traces.push({
      type: "scatter3d", mode: "lines+markers", x: points.map((p) => p[0]),
      y: points.map((p) => p[1]),
      z: run.loss.slice(0, last + 1).map((v) => lift(v, surface.z_min) + 0.02),
      name: run.name, meta: { role: "path", label: run.label },
      line: { color: colors[i], width: 6 }, marker: { size: 2.5, color: colors[i] },
    });
  });
  const layout = baseLayout({
    margin: { l: 0, r: 0, t: 36, b: 0, autoexpand: false },
    scene: {
      xaxis: { title: { text: problem.variables[0] } },
      yaxis: { title: { text: problem.variables[1] } },
      zaxis: { title: { text: "log(1 + f − min f)" } },
      camera: { eye: { x: 1.15, y: -1.3, z: 0.85 } }, aspectmode: "manual",
      aspectratio: { x: 1, y: 1, z: 0.6 },
    },
  });
  return { traces, layout };
}

export function lossFigure(view) {
  const { problem, runs, colors, frame } = view;
  const known = problem.minimum !== null && problem.minimum !== undefined;
  const shown = runs.map((run) => run.loss.map((v) => (known && v !== null ? v - problem.minimum : v)));
  const log = known || shown.every((values) => values.every((v) => v === null || v > 0));
  const finite = shown.flat().filter((v) => v !== null && v > 0);
  const decades = finite.length ? Math.log10(Math.max(...finite) / Math.max(Math.min(...finite), 1e-16)) : 0;
  const floor = 1e-16;
  const traces = [];
  runs.forEach((run, i) => {
    const values = shown[i].map((v) => (known && v !== null ? Math.max(v, floor) : v));
    const steps = values.map((_, k) => k);
    const last = Math.min(frame, values.length - 1);
    traces.push({
      type: "scatter", mode: "lines", x: steps, y: values, showlegend: false, hoverinfo: "skip",
      line: { color: colors[i], width: 1.2 }, opacity: 0.25, meta: { role: "loss-full", label: run.label },
    }, {
      type: "scatter", mode: "lines", x: steps.slice(0, last + 1), y: values.slice(0, last + 1),
      name: run.name, line: { color: colors[i], width: 2.4 }, meta: { role: "loss", label: run.label },
      hovertemplate: `${run.name}<br>${t("update")} %{x}: %{y:.4g}<extra></extra>`,
    }, {
      type: "scatter", mode: "markers", x: [last], y: [values[last]], showlegend: false,
      hoverinfo: "skip", marker: { size: 8, color: colors[i], line: { color: "#fff", width: 1.5 } },
      meta: { role: "loss-head", label: run.label },
    });
  });
  const layout = baseLayout({
    showlegend: false,
    xaxis: { title: { text: t("update") }, zeroline: false },
    yaxis: { title: { text: known ? t("loss.gap") : t("loss.value") }, type: log ? "log" : "linear",
      exponentformat: "power", dtick: log ? (decades > 10 ? 2 : 1) : undefined },
    margin: { l: 62, r: 12, t: 36, b: 46, autoexpand: false },
  });
  return { traces, layout };
}
