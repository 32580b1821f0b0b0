import { type Queryable, toDate } from "./database";

export interface ProjectRecord {
  name: string;
  description: string | null;
  createdAt: Date;
}

interface ProjectRow {
  name: string;
  description: string | null;
  created_at: unknown;
}

const toRecord = (row: ProjectRow): ProjectRecord => ({ name: row.name, description: row.description, createdAt: toDate(row.created_at) });

export class ProjectStore {
  constructor(private readonly db: Queryable) {}

  async insert(project: ProjectRecord): Promise<boolean> {
    const rows = await this.db.query(
      "INSERT INTO projects (name, description, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING name",
      [project.name, project.description, project.createdAt.toISOString()],
    );
    return rows.length === 1;
  }

  async get(name: string): Promise<ProjectRecord | undefined> {
    const [row] = await this.db.query<ProjectRow>("SELECT * FROM projects WHERE name = $1", [name]);
    return row && toRecord(row);
  }

  /** Ordered by name; `only` restricts to one project (a token bound to it). */
  async list(options: { after?: string; limit: number; only?: string }): Promise<ProjectRecord[]> {
    const rows = await this.db.query<ProjectRow>(
      `SELECT * FROM projects WHERE ($1::text IS NULL OR name > $1) AND ($2::text IS NULL OR name = $2) ORDER BY name LIMIT $3`,
      [options.after ?? null, options.only ?? null, options.limit],
    );
    return rows.map(toRecord);
  }

  /** Deletes the project and (by cascade) everything in it; answers how much went. */
  async delete(name: string): Promise<{ keys: number; scopes: number; tokens: number }> {
    const [row] = await this.db.query<Record<string, unknown>>(
      `SELECT (SELECT count(*) FROM api_keys WHERE project = $1) AS keys,
              (SELECT count(*) FROM scopes WHERE project = $1) AS scopes,
              (SELECT count(*) FROM management_tokens WHERE project = $1) AS tokens`,
      [name],
    );
    await this.db.query("DELETE FROM projects WHERE name = $1", [name]);
    return { keys: Number(row?.keys ?? 0), scopes: Number(row?.scopes ?? 0), tokens: Number(row?.tokens ?? 0) };
  }
}
