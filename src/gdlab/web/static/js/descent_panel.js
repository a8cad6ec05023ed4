// The descent tab's side panel: the function, start, steps, schedule and optimizer cards,
// built from the catalog and kept in step with the state (the controller owns the state).

import { element, optimizerCard, parameterControl } from "./controls.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
export const CUSTOM = "__custom__";
// Page defaults for schedule parameters that have none (the rest take the library's).
const SCHEDULE_DEFAULTS = {
  exponential_decay: { decay_rate: 0.99 },
  inverse_time_decay: { decay_rate: 0.01 },
  step_decay: { step_size: 100, gamma: 0.5 },
  multistep: { milestones: [100, 200] },
  cosine_restarts: { first_period: 100 },
  cyclic: { base_value: 0.0001, step_size_up: 50 },
};

export class DescentPanel {
  constructor(descent) {
    this.descent = descent;
    this.catalog = descent.catalog;
    this.state = descent.state;
  }

  init() {
    const problems = $("problem");
    for (const problem of this.catalog.problems) {
      problems.append(element("option", { value: problem.name, text: problem.name }));
    }
    problems.append(element("option", { value: CUSTOM, "data-i18n": "custom", text: t("custom") }));
    problems.addEventListener("change", () => this.descent.chooseProblem(problems.value));
    $("functions").textContent = this.catalog.functions.join(", ");
    $("apply").addEventListener("click", () => this.descent.applyExpression());
    $("expression").addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.descent.applyExpression();
    });
    for (const [index, id] of [[0, "x0"], [1, "y0"]]) {
      $(id).addEventListener("change", () => this.descent.setStartCoordinate(index, Number($(id).value)));
    }
    this.initSteps();
    this.initSchedules();
    $("add-optimizer").addEventListener("click", () => this.descent.addOptimizer());
    $("view-2d").addEventListener("click", () => this.descent.setView("2d"));
    $("view-3d").addEventListener("click", () => this.descent.setView("3d"));
    $("internals").addEventListener("change", (event) => {
      this.state.internals = event.target.checked;
      this.descent.app.save();
      this.descent.draw();
    });
    $("contour").addEventListener("click", (event) => this.descent.clickStart(event));
  }

  initSteps() {
    const update = (value) => {
      this.state.steps = Math.min(this.catalog.limits.max_steps, Math.max(1, Math.round(value) || 1));
      $("steps").value = this.state.steps;
      $("steps-number").value = this.state.steps;
      this.state.frame = null;
      this.descent.scheduleRun();
    };
    $("steps").addEventListener("input", (event) => update(Number(event.target.value)));
    $("steps-number").addEventListener("change", (event) => update(Number(event.target.value)));
  }

  initSchedules() {
    const select = $("schedule");
    select.append(element("option", { value: "", "data-i18n": "schedule.none", text: t("schedule.none") }));
    for (const entry of this.catalog.schedules) {
      if (!entry.needs_metric && entry.name !== "constant") {
        select.append(element("option", { value: entry.name, text: entry.name }));
      }
    }
    select.addEventListener("change", () => {
      const name = select.value;
      this.state.schedule = name ? { name, params: { ...(SCHEDULE_DEFAULTS[name] || {}) } } : null;
      this.renderSchedule();
      this.descent.scheduleRun();
    });
  }

  render() {
    const problem = this.state.problem;
    const custom = problem.expression !== undefined;
    $("problem").value = custom ? CUSTOM : problem.name;
    $("expression-row").hidden = !custom;
    if (custom) $("expression").value = problem.expression;
    $("steps").value = this.state.steps;
    $("steps-number").value = this.state.steps;
    $("schedule").value = this.state.schedule ? this.state.schedule.name : "";
    $("internals").checked = this.state.internals;
    $("view-2d").classList.toggle("active", this.state.view === "2d");
    $("view-3d").classList.toggle("active", this.state.view === "3d");
    this.renderSchedule();
    this.renderOptimizers();
    this.renderStart();
  }

  renderStart() {
    const start = this.descent.start();
    $("x0").value = start ? +start[0].toPrecision(5) : "";
    $("y0").value = start && start.length > 1 ? +start[1].toPrecision(5) : "";
    $("y0").hidden = Boolean(start) && start.length < 2;
  }

  renderSchedule() {
    const box = $("schedule-params");
    box.replaceChildren();
    const schedule = this.state.schedule;
    $("schedule-plot").hidden = !schedule;
    if (!schedule) return;
    const entry = this.catalog.schedules.find((item) => item.name === schedule.name);
    if (!entry) return;
    for (const parameter of entry.parameters) {
      if (parameter.name === entry.rate || parameter.name === entry.length) continue;
      const current = schedule.params[parameter.name] ?? parameter.default;
      box.append(parameterControl(parameter, current, (chosen) => {
        schedule.params[parameter.name] = chosen;
        this.descent.scheduleRun();
      }, "schedule"));
    }
  }

  renderOptimizers() {
    const box = $("optimizers");
    box.replaceChildren(...this.state.optimizers.map((optimizer, index) => optimizerCard(
      this.catalog, optimizer, index, {
        suggested: (name) => this.descent.suggested(name),
        color: (color) => { optimizer.color = color; this.descent.app.save(); this.descent.draw(); },
        rename: (name) => {
          optimizer.name = name;
          optimizer.hyperparams = { learning_rate: this.descent.suggested(name) };
          this.renderOptimizers();
          this.descent.scheduleRun();
        },
        remove: () => {
          this.state.optimizers.splice(index, 1);
          this.renderOptimizers();
          this.descent.scheduleRun();
        },
        set: (name, chosen) => { optimizer.hyperparams[name] = chosen; this.descent.scheduleRun(); },
      })));
    const full = this.state.optimizers.length >= this.catalog.limits.max_optimizers;
    $("add-optimizer").disabled = full;
  }

}
