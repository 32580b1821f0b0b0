import type { AttributePathMessage } from "./tfplugin6";

/**
 * A path to an attribute inside a resource's value: `["rotation", "every"]`, or with an element
 * index `["scopes", 2]` (number steps are list indexes, string steps after the first are object
 * attributes unless marked as map keys).
 */
export type AttributePath = readonly (string | number | { readonly key: string })[];

export function attributePathMessage(path: AttributePath): AttributePathMessage {
  return {
    steps: path.map((step) => {
      if (typeof step === "number") return { elementKeyInt: step };
      if (typeof step === "string") return { attributeName: step };
      return { elementKeyString: step.key };
    }),
  };
}

/** How a path reads in messages and logs: `rotation.every`, `scopes[2]`, `metadata["team"]`. */
export function formatAttributePath(path: AttributePath): string {
  return path
    .map((step, index) => {
      if (typeof step === "number") return `[${step}]`;
      if (typeof step === "string") return index === 0 ? step : `.${step}`;
      return `[${JSON.stringify(step.key)}]`;
    })
    .join("");
}
