import { type Queryable, toDate } from "./database";

export interface ScopeRecord {
  project: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ScopeRow {
  project: string;
  name: string;
  description: string | null;
  created_at: unknown;
  updated_at: unknown;
}

const toRecord = (row: ScopeRow): ScopeRecord => ({
  project: row.project,
  name: row.name,
  description: row.description,
  createdAt: toDate(row.created_at),
  updatedAt: toDate(row.updated_at),
});

export class ScopeStore {
  constructor(private readonly db: Queryable) {}

  async get(project: string, name: string): Promise<ScopeRecord | undefined> {
    const [row] = await this.db.query<ScopeRow>("SELECT * FROM scopes WHERE project = $1 AND name = $2 FOR UPDATE", [project, name]);
    return row && toRecord(row);
  }

  async insert(scope: ScopeRecord): Promise<void> {
    await this.db.query("INSERT INTO scopes (project, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)", [
      scope.project,
      scope.name,
      scope.description,
      scope.createdAt.toISOString(),
      scope.updatedAt.toISOString(),
    ]);
  }

  async update(scope: ScopeRecord): Promise<void> {
    await this.db.query("UPDATE scopes SET description = $3, updated_at = $4 WHERE project = $1 AND name = $2", [
      scope.project,
      scope.name,
      scope.description,
      scope.updatedAt.toISOString(),
    ]);
  }

  async list(project: string, options: { after?: string; limit: number }): Promise<ScopeRecord[]> {
    const rows = await this.db.query<ScopeRow>(
      "SELECT * FROM scopes WHERE project = $1 AND ($2::text IS NULL OR name > $2) ORDER BY name LIMIT $3",
      [project, options.after ?? null, options.limit],
    );
    return rows.map(toRecord);
  }

  /** Which of `names` the project's catalog declares. */
  async declared(project: string, names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.db.query<{ name: string }>("SELECT name FROM scopes WHERE project = $1 AND name = ANY($2::text[]) FOR SHARE", [project, names]);
    return new Set(rows.map((row) => row.name));
  }

  async delete(project: string, name: string): Promise<void> {
    await this.db.query("DELETE FROM scopes WHERE project = $1 AND name = $2", [project, name]);
  }
}
