import type { Queryable } from "./database";

/** Small facts about this installation, e.g. when it was initialised. */
export class SettingsStore {
  constructor(private readonly db: Queryable) {}

  async get(name: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ value: string }>("SELECT value FROM settings WHERE name = $1", [name]);
    return row?.value;
  }

  /** Sets `name` only if unset; false when it already had a value. */
  async claim(name: string, value: string): Promise<boolean> {
    const rows = await this.db.query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name", [name, value]);
    return rows.length === 1;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db.query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", [name, value]);
  }
}
