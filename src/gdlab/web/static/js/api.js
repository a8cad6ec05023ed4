// The JSON API, from the page's side: every failure becomes an ApiError with a sentence to show.

export class ApiError extends Error {
  constructor(status, detail, errors = []) {
    super(detail);
    this.status = status;
    this.errors = errors;
  }
}

async function call(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, `the server cannot be reached (${error.message})`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : `HTTP ${response.status}`;
    throw new ApiError(response.status, detail, (body && body.errors) || []);
  }
  return body;
}

export function getJson(path) {
  return call(path, { headers: { Accept: "application/json" } });
}

export function postJson(path, payload, signal) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload),
    signal,
  });
}

/**
 * A request slot that keeps only the newest request: starting one aborts the one before, and
 * a superseded request's answer is dropped (resolves to undefined).
 */
export class Latest {
  constructor() {
    this.controller = null;
  }

  async post(path, payload) {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const result = await postJson(path, payload, controller.signal);
      return controller === this.controller ? result : undefined;
    } catch (error) {
      if (error.name === "AbortError" || controller !== this.controller) return undefined;
      throw error;
    }
  }
}
