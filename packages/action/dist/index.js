import { createRequire as __keywardRequire } from "node:module"; const require = __keywardRequire(import.meta.url);
