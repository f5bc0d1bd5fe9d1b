// The one way the console talks to seatide: same origin, the session in an
// HttpOnly cookie the page never sees, the CSRF token echoed on every
// unsafe request, failures as RFC 9457 problems turned into ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

const listeners = new Set();
// onSessionLost hears every 401: the page shows the sign-in form and says why.
export function onSessionLost(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function csrfToken() {
  const c = document.cookie.split('; ').find((c) => c.startsWith('seatide_csrf='));
  return c ? decodeURIComponent(c.slice('seatide_csrf='.length)) : '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { type: 'network', title: 'network' });
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/api/v2/session') listeners.forEach((fn) => fn(err));
    throw err;
  }
  return data;
}

// v1 answers are HTTP 200 envelopes; sign-up has no v2 route yet.
export async function v1(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  if (data.status !== 'ok') throw new ApiError(400, { detail: data.msg });
  return data.data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const del = (p) => api('DELETE', p);
export const patch = (p, b) => api('PATCH', p, b);
