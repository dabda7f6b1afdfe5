/** The one thing the chain code needs from a node: EIP-1193 style requests. */
export interface Provider {
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  close(): Promise<void>;
  /** Where the chain is, for messages: "the embedded chain in ./.xray" or a URL. */
  readonly description: string;
}
