// The passkey step of signing in (after the right password): the server's
// options name this account's passkeys; the browser signs the challenge with
// one of them; the form sends the signature. Nothing here works without the
// password step: the server answers the options only for that session.
import { postJson } from "../waitroom/http.js";
import { $, pageData } from "../waitroom/page.js";
import { assertionJson, requestOptions, supported } from "./webauthn.js";

const page = pageData();
const form = $("passkey-form");
const error = $("id_passkey_error");

function show(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!supported()) return show(page.strings.unsupported);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const options = await postJson(page.options);
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    $("id_passkey_credential").value = assertionJson(credential);
    form.submit();
  } catch (e) {
    if (e.code === "sign_in_again") return location.assign(document.body.dataset.signIn);
    show(e.name === "NotAllowedError" ? page.strings.cancelled : e.message);
    button.disabled = false;
  }
});
