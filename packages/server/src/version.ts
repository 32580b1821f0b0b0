/** Reported in /openapi.json; follows packages/server/package.json. */
export const VERSION = "0.1.0";
