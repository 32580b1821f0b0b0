import { BlockList, isIPv4, isIPv6 } from "node:net";

const compiled = new WeakMap<readonly string[], BlockList>();

function blockListOf(cidrs: readonly string[]): BlockList {
  let list = compiled.get(cidrs);
  if (list) return list;
  list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix = ""] = cidr.split("/");
    list.addSubnet(address, Number(prefix), isIPv6(address) ? "ipv6" : "ipv4");
  }
  compiled.set(cidrs, list);
  return list;
}

/**
 * True when `ip` falls in one of `cidrs` (IPv4 and IPv6; an IPv4-mapped IPv6 address matches its
 * IPv4 block). No IP at all never matches: an allowlist fails closed.
 */
export function ipAllowed(cidrs: readonly string[], ip: string | undefined): boolean {
  if (!ip) return false;
  const list = blockListOf(cidrs);
  if (isIPv4(ip)) return list.check(ip, "ipv4");
  if (!isIPv6(ip)) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return list.check(ip, "ipv6") || (mapped?.[1] !== undefined && list.check(mapped[1], "ipv4"));
}
