import type { VerifierEvent, VerifierEventsQuery } from "@keyward/contract";
import type { VerifierScope } from "../../storage/verifier-store";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import type { Change } from "../verification-cache";
import { HEARTBEAT_MS } from "./change-feed";
import { inScope, presentVerifierKey, verifierSnapshot, visibleScope } from "./verifier-snapshot";

/** Where a stream's events go: the route writes them as Server-Sent Events. */
export interface VerifierStreamSink {
  send(event: VerifierEvent): void;
  /** The stream is over (the caller's token was revoked or expired, or a read failed); the verifier reconnects. */
  end(): void;
}

/**
 * One verifier's change stream (SPEC §16). Work runs strictly in order on one chain, so a heartbeat
 * is sent only after every change heard before it has been sent: a verifier that receives a
 * heartbeat has every change the server knew of when it beat.
 */
export class VerifierStream {
  private readonly scope: VerifierScope | null;
  /** Keys this verifier holds, so a removal is sent only for a key it knew (ids of others stay unsaid). */
  private readonly known = new Set<string>();
  private work: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private ended = false;
  private beatWaiting = false;

  constructor(
    private readonly services: Services,
    private readonly caller: Caller,
    private readonly query: VerifierEventsQuery,
    private readonly sink: VerifierStreamSink,
  ) {
    this.scope = visibleScope(caller, query);
  }

  /** Subscribes first and then catches up, so no change falls between the two. */
  start(): void {
    const feed = this.services.verifierFeed;
    const replay = this.query.since ? feed.changesSince(this.query.since) : undefined;
    const cursor = feed.cursor;
    this.unsubscribe = feed.subscribe({
      change: (change, at) => this.enqueue(() => this.apply(change, at)),
      heartbeat: (at) => this.enqueueBeat(at),
      reset: () => this.enqueue(() => this.resync()),
    });
    if (!replay) {
      this.enqueue(() => this.resync());
      return;
    }
    this.enqueue(() => this.replay(replay, cursor));
  }

  /** Resumes after `since`; a key deleted meanwhile cannot be told apart from another project's, so that resyncs. */
  private async replay(changes: readonly Change[], cursor: string): Promise<void> {
    const { verifier } = this.services.storage.stores;
    if (changes.some((change) => change.kind === "project" && change.name === this.query.project)) return this.resync();
    const entries = [];
    for (const id of new Set(changes.flatMap((change) => (change.kind === "key" ? [change.id] : [])))) {
      const entry = await verifier.keyById(id);
      if (!entry) return this.resync();
      entries.push(entry);
    }
    if (this.scope) for (const entry of await verifier.keysOf(this.scope)) this.known.add(entry.key.id);
    for (const entry of entries) {
      if (inScope(this.scope, entry.key)) this.sink.send({ event: "upsert", data: presentVerifierKey(entry.key, entry.secrets), cursor });
    }
  }

  close(): void {
    this.ended = true;
    this.unsubscribe?.();
  }

  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      if (!this.ended) await task();
    }).catch(() => this.finish());
  }

  /**
   * At most one heartbeat waits behind slow work (a large resync, a slow database), and one that
   * waited longer than a beat is dropped: it would vouch, on arrival, for changes it never saw.
   */
  private enqueueBeat(cursor: string): void {
    if (this.beatWaiting) return;
    this.beatWaiting = true;
    const heardAt = performance.now();
    this.enqueue(async () => {
      this.beatWaiting = false;
      if (performance.now() - heardAt <= HEARTBEAT_MS) this.beat(cursor);
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.close();
    this.sink.end();
  }

  private async apply(change: Change, cursor: string): Promise<void> {
    if (change.kind === "key") return this.sendKey(change.id, cursor);
    if (change.kind === "project" && change.name === this.query.project) return this.resync();
    if (change.kind === "token" && change.id === this.caller.id) {
      const token = await this.services.storage.stores.tokens.get(this.caller.id);
      if (!token || token.revokedAt) this.finish();
    }
  }

  private async sendKey(id: string, cursor: string): Promise<void> {
    const entry = await this.services.storage.stores.verifier.keyById(id);
    if (entry && inScope(this.scope, entry.key)) {
      this.known.add(id);
      this.sink.send({ event: "upsert", data: presentVerifierKey(entry.key, entry.secrets), cursor });
      return;
    }
    if (!this.known.delete(id)) return;
    this.sink.send({ event: "remove", data: { id }, cursor });
  }

  private async resync(): Promise<void> {
    const snapshot = await verifierSnapshot(this.services, this.caller, this.query);
    this.known.clear();
    for (const key of snapshot.keys) this.known.add(key.id);
    // The snapshot's cursor was read after the event that asked for it: resuming from it misses nothing.
    this.sink.send({ event: "resync", data: snapshot, cursor: snapshot.cursor });
  }

  /** A token that expires ends its streams: it could not open a new one either. */
  private beat(cursor: string): void {
    if (this.caller.expiresAt && this.caller.expiresAt <= this.services.clock()) return this.finish();
    this.sink.send({ event: "heartbeat", data: { cursor } });
  }
}
