// The browser's WebAuthn API speaks ArrayBuffers; the server (py_webauthn,
// through django-otp-webauthn) speaks JSON with base64url strings. These two
// translate, so that both pages work in browsers without
// PublicKeyCredential.parse*OptionsFromJSON / toJSON.

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};

const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const descriptors = (list = []) => list.map((d) => ({ ...d, id: toBytes(d.id) }));

export function creationOptions(options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
}

export function requestOptions(options) {
  return { ...options, challenge: toBytes(options.challenge), allowCredentials: descriptors(options.allowCredentials) };
}

// The new passkey (navigator.credentials.create) as the server reads it.
export function newCredentialJson(credential) {
  const r = credential.response;
  return JSON.stringify({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toText(r.clientDataJSON),
      attestationObject: toText(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : [],
    },
  });
}

// A passkey's signature (navigator.credentials.get) as the server reads it.
export function assertionJson(credential) {
  const r = credential.response;
  return JSON.stringify({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toText(r.clientDataJSON),
      authenticatorData: toText(r.authenticatorData),
      signature: toText(r.signature),
      userHandle: r.userHandle ? toText(r.userHandle) : undefined,
    },
  });
}

export const supported = () => typeof window.PublicKeyCredential === "function";
