import type { Channel, OutboundInteractive } from '@banditore/contracts'

/** One message to one citizen, as the services ask the worker to send it. */
export interface ReplyInput {
  /** Stable id of the reply; also the workflow id. */
  replyId: string
  tenant: string
  channel: Extract<Channel, 'whatsapp' | 'sms'>
  /** The citizen, E.164. */
  to: string
  text: string
  /** When the citizen last wrote (ISO): bounds WhatsApp's 24-hour customer-service window. */
  lastInboundAt?: string
  /** The approved template a business-initiated WhatsApp reply goes as. */
  template?: { name: string; languageCode: string; bodyParameters: string[] }
  /** WhatsApp inside the window: sent as this interactive message; `text` is its fallback. */
  interactive?: OutboundInteractive
}

export interface ReplyResult {
  providerMessageId: string
  acceptedAt: string
}
