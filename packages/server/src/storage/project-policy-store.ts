import type { EnvironmentPolicy } from "@keyward/contract";
import type { Queryable } from "./database";

/** The stored policy: one object per environment, so SPEC §18's further rules extend it in place. */
export interface StoredProjectPolicy {
  live: EnvironmentPolicy;
  test: EnvironmentPolicy;
}

export class ProjectPolicyStore {
  constructor(private readonly db: Queryable) {}

  async get(project: string): Promise<StoredProjectPolicy | undefined> {
    const [row] = await this.db.query<{ policy: StoredProjectPolicy }>("SELECT policy FROM project_policies WHERE project = $1", [project]);
    return row?.policy;
  }

  async put(project: string, policy: StoredProjectPolicy, now: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO project_policies (project, policy, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (project) DO UPDATE SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at`,
      [project, JSON.stringify(policy), now.toISOString()],
    );
  }
}
