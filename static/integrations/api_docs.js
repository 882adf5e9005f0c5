// The API reference's "Try it" forms: each sends its request to this site with
// the key typed at the top, and shows the answer's status and body as text.
const key = document.getElementById("api-key");

for (const form of document.querySelectorAll("form.try")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = form.querySelector(".answer");
    if (!key.value.trim()) {
      show(answer, answer.dataset.noKey);
      key.focus();
      return;
    }
    let path = form.dataset.path;
    for (const input of form.querySelectorAll("input[name]")) {
      path = path.replace(`{${input.name}}`, encodeURIComponent(input.value.trim()));
    }
    const body = form.querySelector("textarea[name=body]");
    const options = {
      method: form.dataset.method,
      headers: { Authorization: `Bearer ${key.value.trim()}`, Accept: "application/json" },
      credentials: "omit", // the key, and nothing of a signed-in browser, says whose request it is
    };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = body.value;
    }
    try {
      const response = await fetch(path, options);
      const text = await response.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: shown as it came
      }
      show(answer, `${answer.dataset.answerLabel}: ${response.status} ${response.statusText}`, shown);
    } catch (error) {
      show(answer, `${answer.dataset.failed} ${error.message}`);
    }
  });
}

function show(answer, line, body = null) {
  const heading = document.createElement("p");
  heading.textContent = line;
  const parts = [heading];
  if (body !== null) {
    const pre = document.createElement("pre");
    pre.textContent = body; // text, never HTML
    pre.tabIndex = 0; // a long answer scrolls: the keyboard reaches it too
    parts.push(pre);
  }
  answer.replaceChildren(...parts);
}
