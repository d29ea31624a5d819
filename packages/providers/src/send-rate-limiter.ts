/** How urgent a send is: emergencies never wait behind routine traffic of the same sender. */
export type SendPriority = 'emergency' | 'routine'

/**
 * Paces outbound sends per sender number (all traffic of one number shares one limit at the
 * provider's tier). `acquire` resolves when one message of `senderKey` may go out.
 */
export interface SendRateLimiter {
  acquire(senderKey: string, options?: { priority?: SendPriority }): Promise<void>
  /**
   * A slot ahead of time, for a transport that writes the request at the slot itself (see
   * SlotDispatchingFetch): resolves shortly before `at`. `retry`: this send's previous slot went
   * by unused (the transport missed it), so it goes first in line.
   */
  reserve?(senderKey: string, options?: { priority?: SendPriority; retry?: boolean }): Promise<DispatchSlot>
}

/** When a request may be written: at `at` (epoch ms, `performance.timeOrigin + performance.now()`), at most `lateMs` after. */
export interface DispatchSlot {
  readonly at: number
  readonly lateMs: number
  /** The sender the slot belongs to (the transport counts what it wrote per sender). */
  readonly senderKey?: string
}

/** The sender key the adapters use: one per sending number. */
export const senderKeys = {
  whatsapp: (phoneNumberId: string) => `whatsapp:${phoneNumberId}`,
  sms: (fromE164: string) => `sms:${fromE164}`,
} as const
