// Calls to the smematch HTTP API (docs/openapi, notes in /v1). Same origin only: the page is
// served by `smematch serve`, so there is no base URL to configure and no CORS.

// An error answer of the service: `status` and the problem+json body (RFC 9457), or a network
// failure (status 0).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(method, path, body, contentType = 'application/json') {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined
        ? { Accept: 'application/json' }
        : { Accept: 'application/json', 'Content-Type': contentType },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: e.message });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : { detail: text.slice(0, 300) };
    throw new ApiError(response.status, problem);
  }
  return data;
}

export const api = {
  screen: (body) => request('POST', '/v1/screen', body),
  screenBatch: (profiles, query) => request('POST', `/v1/screen/batch${query ? `?${query}` : ''}`, profiles),
  programs: () => request('GET', '/v1/programs'),
  provinces: () => request('GET', '/v1/provinces'),
  openapi: () => request('GET', '/v1/openapi.json'),
  post: (path, body) => request('POST', path, body),
};
