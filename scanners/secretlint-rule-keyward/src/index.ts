export { creator, messages, type Options } from "./keyward-secret-rule.js";
export { findKeywardSecrets, type KeywardSecretFinding, type KeywardSecretKind } from "./keyward-secret-finder.js";
