import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "./private-address";

describe("isPrivateAddress", () => {
  it("refuses loopback, private, shared, link-local, unique-local and mapped private addresses", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1", "169.254.169.254", "0.0.0.0", "::1", "::", "fe80::1", "fd12:3456::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.1.1.1", "[::1]", "224.0.0.1", "not an address"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it("allows public addresses", () => {
    for (const address of ["93.184.215.14", "140.82.112.3", "172.32.0.1", "2606:4700::1111", "8.8.8.8"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});
