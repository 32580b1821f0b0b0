import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_CATALOG, registerCatalog, requestedCommand } from "./command-catalog";

describe("the command catalog", () => {
  it.each(COMMAND_CATALOG.map((entry) => [entry.name, entry] as const))("lists %s as its own module describes it", async (_name, entry) => {
    const program = new Command("keyward");
    (await entry.load())(program);
    expect(program.commands.map((command) => [command.name(), command.description()])).toEqual([[entry.name, entry.description]]);
  });

  it("names the command to load: the first word, or the one after help", () => {
    expect(requestedCommand(["keys", "list", "--json"])).toBe("keys");
    expect(requestedCommand(["--help"])).toBeUndefined();
    expect(requestedCommand(["help", "verify"])).toBe("verify");
    expect(requestedCommand(["-h", "serve"])).toBe("serve");
  });

  it("loads only the requested command whole; the others are a name and a description", async () => {
    const program = new Command("keyward");
    await registerCatalog(program, ["keys", "list"]);
    const keys = program.commands.find((command) => command.name() === "keys");
    expect(keys?.commands.map((command) => command.name())).toContain("list");
    const others = program.commands.filter((command) => command.name() !== "keys");
    expect(others.map((command) => command.name())).toEqual(COMMAND_CATALOG.map((entry) => entry.name).filter((name) => name !== "keys"));
    expect(others.every((command) => command.commands.length === 0 && command.options.length === 0)).toBe(true);
  });
});
