// Every call to the workbench API: same-origin, JSON, and the CSRF token on every change.
let csrfToken = "";

export function setCsrfToken(token) { csrfToken = token; }

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRF-Token"] = csrfToken;
  }
  const response = await fetch(path, { method, headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.error || `HTTP ${response.status}`);
  return answer;
}

export const api = {
  // `credentials` is {password} or {userSig}.
  signIn: (agentId, credentials) => call("POST", "/workbench/api/sign-in", { agentId, ...credentials }),
  signOut: () => call("POST", "/workbench/api/sign-out", {}),
  me: () => call("GET", "/workbench/api/me"),
  sessions: () => call("GET", "/workbench/api/sessions"),
  transcript: (sessionId) => call("GET", `/workbench/api/transcript?sessionId=${encodeURIComponent(sessionId)}`),
  targets: () => call("GET", "/workbench/api/transfer-targets"),
  quickReplies: (query) => call("GET", `/workbench/api/quick-replies?q=${encodeURIComponent(query)}`),
  accept: (sessionId) => call("POST", "/workbench/api/accept", { sessionId }),
  // `message` is the composer's body: {sessionId, kind, …} (README, "Workbench").
  send: (message) => call("POST", "/workbench/api/send", message),
  end: (sessionId) => call("POST", "/workbench/api/end", { sessionId }),
  read: (sessionId) => call("POST", "/workbench/api/read", { sessionId }),
  typing: (sessionId) => call("POST", "/workbench/api/typing", { sessionId }),
  inviteRating: (sessionId) => call("POST", "/workbench/api/invite-rating", { sessionId }),
  transfer: (sessionId, target) => call("POST", "/workbench/api/transfer", { sessionId, ...target }),
  setStatus: (status, restReason) => call("POST", "/workbench/api/status", { status, ...(restReason ? { restReason } : {}) }),
  records: (query) => call("GET", `/workbench/api/records?${query}`),
  visitors: () => call("GET", "/workbench/api/visitors"),
  contact: (clientUserId) => call("POST", "/workbench/api/contact", { clientUserId }),
};
