import type { ProjectPolicy } from "@keyward/contract";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import { findProject } from "./get-project";
import { presentPolicy } from "./project-policy";

export async function getProjectPolicy(services: Services, caller: Caller, name: string): Promise<ProjectPolicy> {
  const { stores } = services.storage;
  await findProject(stores, caller, name);
  return presentPolicy(name, await stores.policies.get(name));
}
