import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Addresses a webhook must not reach unless private webhooks are allowed (SSRF, SPEC §15):
 * unspecified, loopback, private (RFC 1918), shared (RFC 6598), link-local (cloud metadata lives at
 * 169.254.169.254), unique-local, multicast, reserved and the documentation/benchmark ranges.
 * Ranges from the IANA IPv4 and IPv6 Special-Purpose Address Registries.
 */
const refused = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24],
  ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) {
  refused.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], ["::1", 128], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["100::", 64], ["2001:db8::", 32], ["2002::", 16],
  ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) {
  refused.addSubnet(network, prefix, "ipv6");
}

/** True when `address` (an IPv4 or IPv6 literal) is one a public webhook may not resolve to. */
export function isPrivateAddress(address: string): boolean {
  const unbracketed = address.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unbracketed);
  if (mapped) return isPrivateAddress(mapped[1] as string);
  if (isIPv4(unbracketed)) return refused.check(unbracketed, "ipv4");
  if (isIPv6(unbracketed)) return refused.check(unbracketed, "ipv6") || /^::ffff:/i.test(unbracketed);
  return true;
}
