/** One event of a `text/event-stream` body. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * Parses a `text/event-stream` body as the WHATWG HTML standard (§9.2.6) defines it: lines end in
 * LF, CRLF or CR; `event`, `data` and `id` fields; a blank line dispatches; `:` starts a comment;
 * an event the stream cut off before its blank line is dropped.
 */
export async function* serverSentEvents(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const pending = new EventInProgress();
  let buffered = "";
  for await (const chunk of body) {
    buffered += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.search(/\r\n|\r|\n/)) >= 0) {
      // A lone CR at the very end may be the first half of a CRLF still in flight.
      if (buffered[end] === "\r" && end === buffered.length - 1) break;
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + (buffered.startsWith("\r\n", end) ? 2 : 1));
      const event = pending.line(line);
      if (event) yield event;
    }
  }
  // The stream ended: a CR it ended with was a whole line end after all.
  if (buffered.endsWith("\r")) {
    const event = pending.line(buffered.slice(0, -1));
    if (event) yield event;
  }
}

class EventInProgress {
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  /** Takes one line; answers the event a blank line completes. */
  line(line: string): ServerSentEvent | undefined {
    if (line === "") {
      const complete = this.data.length > 0 ? { event: this.event || "message", data: this.data.join("\n"), id: this.id } : undefined;
      this.event = "";
      this.data = [];
      return complete;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\u0000")) this.id = value;
    return undefined;
  }
}
