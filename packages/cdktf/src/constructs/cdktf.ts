/**
 * The one module of this package that imports the CDK for Terraform core library.
 *
 * CDKTF (`cdktf`) was archived upstream on 2025-12-10; CDK Terrain (`cdktn`) is the maintained fork
 * with the same API and the same synthesized JSON (SPEC §6). Every hand-written construct and every
 * generated binding in `src/gen/` imports the core library through this module, so `@keyward/cdktn`
 * is these same sources built with this one import resolved to `cdktn` (scripts/build.mjs).
 */
export * from "cdktf";
