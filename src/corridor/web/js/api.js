// Calls to the app's JSON API (same origin only). Refusals are RFC 9457 problem details: ApiError carries them.

export class ApiError extends Error {
  constructor(status, problem) {
    const failures = (problem?.failures || []).map((f) => (f.path ? `${f.path}: ${f.message}` : f.message));
    super([problem?.detail || `HTTP ${status}`, ...failures.filter((f) => f && !problem?.detail?.includes(f))].join(" — "));
    this.status = status;
    this.problem = problem;
  }
}

/** The query string of params: arrays repeat the key, empty values are left out. */
export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== "" && v !== false) q.append(key, String(v));
    }
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** GET a JSON document from the API; throws ApiError on a 4xx/5xx answer. */
export async function getJSON(path, params = {}, headers = {}) {
  const response = await fetch(path + query(params), { headers: { Accept: "application/json", ...headers } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

let served;

/** Whether this build serves `path` (asked once from /dashboard/endpoints), so absent engines are never probed. */
export async function serves(path) {
  served = served || getJSON("/dashboard/endpoints").then((body) => new Set(body.paths));
  return (await served).has(path);
}
