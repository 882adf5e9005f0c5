// Staff actions over HTTP: one way to post, one shape of failure. The server
// answers JSON; it refuses with a 4xx and {"error": {"code", "message"}}, the
// message written for people in their language (waitroom/errors.py). Every
// failure, a refusal or no answer at all, rejects with an ActionFailed, so each
// page shows it the same way: `error.message` to the person, `error.code` to the code.

export class ActionFailed extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ActionFailed";
    this.code = code; // the server's code ("caller_alone", "too_long", …), or "network"
  }
}

function csrfToken() {
  // From the page's #csrf form, which holds the token wherever Django keeps it
  // (a cookie, or the session with CSRF_USE_SESSIONS); pages without one
  // (the idle warning is on every staff page) use any form's.
  const field =
    document.querySelector("#csrf [name=csrfmiddlewaretoken]") || document.querySelector("[name=csrfmiddlewaretoken]");
  return field.value;
}

async function request(url, options) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch (error) {
    throw new ActionFailed("network", error.message); // offline, or the server did not answer
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ActionFailed(body.error?.code || `http_${response.status}`, body.error?.message || response.statusText);
  }
  return body;
}

// Posts `data` as JSON and resolves with the JSON answer. `retries`: how often
// to try again when no answer came. Only for a request that is stored once
// however often it arrives (a message carries its client_id): a hold whose
// answer was lost, posted again, would be refused as "already on hold".
export async function postJson(url, data = {}, { retries = 0 } = {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(data),
      });
    } catch (error) {
      if (error.code !== "network" || attempt >= retries) throw error;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}

// `background`: the page asks by itself (a thread reloaded because a message
// arrived), not because somebody did something: the server does not count it
// as activity that keeps a sign-in alive (accounts/sessions/middleware.py).
export function getJson(url, { background = false } = {}) {
  return request(url, background ? { headers: { "X-Waitroom-Background": "1" } } : {});
}
