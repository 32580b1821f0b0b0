import type { ApiKey } from "@keyward/contract";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import type { Services } from "../services";
import { findKey } from "./find-key";

export async function getKey(services: Services, caller: Caller, id: string): Promise<ApiKey> {
  return presentKey(await findKey(services.storage.stores, caller, id), services.clock());
}
