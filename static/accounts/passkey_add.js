// The account page: "Add a passkey". The server's options (a fresh challenge)
// go to the browser, which makes the passkey (asking the person to touch a
// key, use a fingerprint, ...); the form then sends the new passkey with the
// name the person gave it. Errors are shown where the form's own are.
import { postJson } from "../waitroom/http.js";
import { $, pageData } from "../waitroom/page.js";
import { creationOptions, newCredentialJson, supported } from "./webauthn.js";

const page = pageData();
const form = $("passkey-form");
const name = $("id_passkey_name");
const error = $("id_passkey_error");

function show(message) {
  error.textContent = message;
  error.hidden = false;
  name.setAttribute("aria-invalid", "true");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!name.value.trim()) return show(page.strings.name_missing);
  if (!supported()) return show(page.strings.unsupported);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const options = await postJson(page.options);
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    $("id_passkey_credential").value = newCredentialJson(credential);
    form.submit();
  } catch (e) {
    // NotAllowedError: the person cancelled, or the time ran out.
    show(e.name === "NotAllowedError" ? page.strings.cancelled : e.name === "InvalidStateError" ? page.strings.already : e.message);
    button.disabled = false;
  }
});
