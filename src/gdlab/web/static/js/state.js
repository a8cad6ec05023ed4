// The whole state of the page, and its URL form: every view can be shared as a link.
//
//   ?tab=descent&lang=zh&f=rosenbrock&x0=-1.2,1&steps=300&sch=cosine_restarts&sp=first_period:50
//   &o=sgd;learning_rate=0.002;c=e6194b&o=adam;learning_rate=0.05&view=3d&int=1&frame=120
//   &ds=seed002&dopt=sgd&dlr=0.01&dep=100&dbs=all,1,2&dseed=0&es=temperature&eb=0.5,0.9&ebc=1

export const PALETTE = [
  "#e6194b", "#2f7ed8", "#3cb44b", "#f58231", "#911eb4", "#00a6a6", "#f032e6", "#9a6324",
];

export function defaultState() {
  return {
    tab: "descent",
    lang: "en",
    problem: { name: "rosenbrock" },
    start: null,
    steps: 500,
    schedule: null,
    optimizers: [
      { name: "sgd", hyperparams: { learning_rate: 0.002 }, color: PALETTE[0] },
      { name: "momentum", hyperparams: { learning_rate: 0.01, beta: 0.9 }, color: PALETTE[1] },
      { name: "adam", hyperparams: { learning_rate: 0.1 }, color: PALETTE[2] },
    ],
    view: "2d",
    internals: false,
    frame: null,
    data: {
      dataset: "seed002", optimizer: "sgd", learning_rate: 0.05, epochs: 60, sizes: [null, 1, 2],
      seed: 0, frame: null,
    },
    ewa: { series: "temperature", betas: [0.5, 0.9, 0.98], bias: true, points: 200, seed: 0 },
  };
}

const TABS = ["descent", "data", "ewa"];

function numbers(text) {
  if (!text) return null;
  const values = text.split(",").map(Number);
  return values.every(Number.isFinite) ? values : null;
}

function value(text) {
  if (text === "true" || text === "false") return text === "true";
  const number = Number(text);
  return text !== "" && Number.isFinite(number) ? number : text;
}

function pairs(text, separator, joiner, raw = false) {
  const out = {};
  for (const item of (text || "").split(separator)) {
    const at = item.indexOf(joiner);
    if (at > 0) out[item.slice(0, at)] = raw ? item.slice(at + 1) : value(item.slice(at + 1));
  }
  return out;
}

function decodeOptimizer(text, index) {
  const [name, ...rest] = text.split(";");
  const hyperparams = pairs(rest.join(";"), ";", "=");
  const raw = pairs(rest.join(";"), ";", "=", true).c || "";
  const color = /^[0-9a-fA-F]{6}$/.test(raw) ? `#${raw}` : PALETTE[index % PALETTE.length];
  delete hyperparams.c;
  return { name, hyperparams, color };
}

function encodeOptimizer(optimizer) {
  const parts = [optimizer.name];
  for (const [key, item] of Object.entries(optimizer.hyperparams)) parts.push(`${key}=${item}`);
  parts.push(`c=${optimizer.color.replace("#", "")}`);
  return parts.join(";");
}

/** The state a URL's query describes (missing parts take their defaults). */
export function decode(search) {
  const query = new URLSearchParams(search);
  const state = defaultState();
  if (TABS.includes(query.get("tab"))) state.tab = query.get("tab");
  if (query.get("lang") === "zh") state.lang = "zh";
  if (query.has("expr")) state.problem = { expression: query.get("expr") };
  else if (query.has("f")) state.problem = { name: query.get("f") };
  state.start = numbers(query.get("x0"));
  if (query.has("steps")) state.steps = Math.max(1, Math.round(Number(query.get("steps")) || 1));
  if (query.has("sch")) state.schedule = { name: query.get("sch"), params: pairs(query.get("sp"), ",", ":") };
  const optimizers = query.getAll("o").filter(Boolean);
  if (optimizers.length) state.optimizers = optimizers.map(decodeOptimizer);
  if (query.get("view") === "3d") state.view = "3d";
  state.internals = query.get("int") === "1";
  if (query.has("frame")) state.frame = Math.max(0, Math.round(Number(query.get("frame")) || 0));
  decodeData(query, state.data);
  decodeEwa(query, state.ewa);
  return state;
}

function decodeData(query, data) {
  if (query.has("ds")) data.dataset = query.get("ds");
  if (query.has("dopt")) data.optimizer = query.get("dopt");
  if (query.has("dframe")) data.frame = Math.max(0, Math.round(Number(query.get("dframe")) || 0));
  if (query.has("dlr")) data.learning_rate = Number(query.get("dlr")) || data.learning_rate;
  if (query.has("dep")) data.epochs = Math.max(1, Math.round(Number(query.get("dep")) || 1));
  if (query.has("dbs")) {
    data.sizes = query.get("dbs").split(",").filter(Boolean)
      .map((item) => (item === "all" ? null : Math.max(1, Math.round(Number(item)) || 1)));
  }
  if (query.has("dseed")) data.seed = Math.max(0, Math.round(Number(query.get("dseed")) || 0));
}

function decodeEwa(query, ewa) {
  if (query.has("es")) ewa.series = query.get("es");
  const betas = numbers(query.get("eb"));
  if (betas) ewa.betas = betas;
  if (query.has("ebc")) ewa.bias = query.get("ebc") !== "0";
  if (query.has("en")) ewa.points = Math.max(2, Math.round(Number(query.get("en")) || 2));
  if (query.has("eseed")) ewa.seed = Math.max(0, Math.round(Number(query.get("eseed")) || 0));
}

/** The query string of a state (defaults included, so a link never changes meaning). */
export function encode(state) {
  const query = new URLSearchParams();
  query.set("tab", state.tab);
  query.set("lang", state.lang);
  if (state.problem.expression !== undefined) query.set("expr", state.problem.expression);
  else query.set("f", state.problem.name);
  if (state.start) query.set("x0", state.start.map((v) => +v.toPrecision(6)).join(","));
  query.set("steps", String(state.steps));
  if (state.schedule) {
    query.set("sch", state.schedule.name);
    const params = Object.entries(state.schedule.params).map(([k, v]) => `${k}:${v}`);
    if (params.length) query.set("sp", params.join(","));
  }
  for (const optimizer of state.optimizers) query.append("o", encodeOptimizer(optimizer));
  query.set("view", state.view);
  if (state.internals) query.set("int", "1");
  if (state.frame !== null) query.set("frame", String(state.frame));
  const data = state.data;
  query.set("ds", data.dataset);
  query.set("dopt", data.optimizer);
  query.set("dlr", String(data.learning_rate));
  if (data.frame !== null) query.set("dframe", String(data.frame));
  query.set("dep", String(data.epochs));
  query.set("dbs", data.sizes.map((size) => (size === null ? "all" : size)).join(","));
  query.set("dseed", String(data.seed));
  const ewa = state.ewa;
  query.set("es", ewa.series);
  query.set("eb", ewa.betas.join(","));
  query.set("ebc", ewa.bias ? "1" : "0");
  query.set("en", String(ewa.points));
  query.set("eseed", String(ewa.seed));
  return `?${query.toString()}`;
}
