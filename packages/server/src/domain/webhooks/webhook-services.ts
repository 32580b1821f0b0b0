/** What webhook operations need from outside the domain, injected at start-up (`keyward.ts`). */
export interface WebhookServices {
  /**
   * Why the server must not call this URL (not https, or a host that resolves to a loopback,
   * private, link-local or unique-local address, unless private webhooks are allowed), or
   * undefined when it may.
   */
  refusal(url: URL): Promise<string | undefined>;
  /** Tells this instance's dispatcher that deliveries were just queued. */
  wake(): void;
}
