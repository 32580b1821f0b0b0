import { describe, expect, it } from "vitest";
import { serverSentEvents } from "./server-sent-events";

async function parse(chunks: string[]) {
  const events = [];
  for await (const event of serverSentEvents((async function* () {
    for (const chunk of chunks) yield Buffer.from(chunk);
  })())) events.push(event);
  return events;
}

describe("serverSentEvents", () => {
  it("dispatches on a blank line, with event, id and multi-line data, across chunk boundaries", async () => {
    expect(await parse(["event: upsert\nid: a.1\nda", "ta: {\"x\":1}\n\n", ": a comment\n\nevent: heartbeat\ndata: one\ndata: two\n\n"])).toEqual([
      { event: "upsert", data: '{"x":1}', id: "a.1" },
      { event: "heartbeat", data: "one\ntwo", id: "a.1" },
    ]);
  });

  it("accepts CRLF and CR line ends, also when a CRLF is split between chunks", async () => {
    expect(await parse(["data: a\r", "\n\r\n", "data: b\r\r"])).toEqual([
      { event: "message", data: "a", id: undefined },
      { event: "message", data: "b", id: undefined },
    ]);
  });

  it("drops an event the stream cut off before its blank line", async () => {
    expect(await parse(["event: upsert\ndata: {\"partial\":"])).toEqual([]);
  });
});
