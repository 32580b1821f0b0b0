import { afterAll, beforeAll } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { Storage } from "../src/storage/storage";

/**
 * Both backends a storage test runs on: the embedded PGlite and a throwaway PostgreSQL 15 cluster,
 * started before and stopped after the calling test file. `open(label)` makes a fresh database.
 */
export function bothBackends() {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const postgres = (): PostgresCluster => {
    if (!cluster) throw new Error("the PostgreSQL cluster is not started yet: use it inside a test");
    return cluster;
  };
  const backends = [
    { name: "PGlite", open: async (_label: string) => Storage.open({}) },
    { name: "PostgreSQL", open: async (label: string) => Storage.open({ databaseUrl: await postgres().createDatabase(label) }) },
  ];
  return { backends, postgres };
}
