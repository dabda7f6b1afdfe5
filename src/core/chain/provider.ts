/** The one thing the chain code needs from a node: EIP-1193 style requests. */
export interface Provider {
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  close(): Promise<void>;
  /** Where the chain is, for messages: "the embedded chain in ./.xray" or a URL. */
  readonly description: string;
  /**
   * True when this process alone drives the chain (Ganache in-process, under the home's lock):
   * it may stop and start the miner to put many transactions in one block, since nothing
   * else can observe or inherit that state.
   */
  readonly exclusive?: boolean;
  /**
   * True for the home's embedded chain (in-process, background process or `xray node`): its
   * unlocked accounts hold ample test ether, so a dry run can stand in for the gas estimate.
   */
  readonly embedded?: boolean;
}
