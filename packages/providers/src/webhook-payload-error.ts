/** A webhook body that is not the provider's format at all (no item could be read). */
export class WebhookPayloadError extends Error {
  readonly code = 'INVALID_WEBHOOK_PAYLOAD'
  constructor(
    readonly provider: 'whatsapp-cloud' | 'sms-gateway',
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    const first = issues[0]
    super(`${provider} webhook: ${first ? `${first.path || '/'} ${first.message}` : 'invalid payload'}`, options)
    this.name = 'WebhookPayloadError'
  }
}
