import {
  DeliveryStatusContract,
  InboundMessageContract,
  type DeliveryStatus,
  type InboundMessage,
  type TenantId,
} from '@banditore/contracts'
import type { ProviderErrorKind } from './provider-error.js'

/** The tenant's number a webhook came to (inbound) or a status is about (outbound). */
export interface ProviderEndpoint {
  readonly channel: 'whatsapp' | 'sms'
  readonly provider: 'whatsapp-cloud' | 'sms-gateway'
  /**
   * The business number, E.164 (WhatsApp display_phone_number, SMS `To`/`From`); for the status
   * of an SMS sent from an alphanumeric sender ID, that ID.
   */
  readonly number: string
  /** WhatsApp only: the phone_number_id, the routing key Meta uses. */
  readonly phoneNumberId?: string
  /** WhatsApp only: the WhatsApp Business Account id of the entry. */
  readonly businessAccountId?: string
  /** SMS only: the gateway account. */
  readonly accountSid?: string
}

/** Everything InboundMessage carries except what ingest adds (tenant, version). */
export type InboundMessageFields = Omit<InboundMessage, 'tenant' | 'version'>
/** Everything DeliveryStatus carries except what ingest adds (tenant, version). */
export type DeliveryStatusFields = Omit<DeliveryStatus, 'tenant' | 'version'>

export interface ProviderErrorEntry {
  readonly code: string
  readonly title?: string
  readonly detail?: string
}

/** A citizen's message as a provider delivered it, before routing to a tenant. */
export interface InboundMessageEvent {
  readonly kind: 'message'
  /** Which tenant number received it: route on `receiver.phoneNumberId` or `receiver.number`. */
  readonly receiver: ProviderEndpoint
  readonly message: InboundMessageFields
  /** Provider facts the contract has no field for. */
  readonly extras: {
    /** SMS gateway opt-out handling (Twilio OptOutType): the gateway already acted on it (InboundMessage.gatewayOptOut). */
    readonly optOut?: 'STOP' | 'START' | 'HELP'
    /** WhatsApp system message (e.g. user_changed_number) with the new number, E.164. */
    readonly system?: { readonly type: string; readonly newNumber?: string; readonly newUserId?: string }
    /** Shared contact cards: names and E.164 numbers (unreadable numbers left out). */
    readonly contacts?: ReadonlyArray<{ readonly name?: string; readonly phones: readonly string[] }>
    /** The provider's own type when the contract type is `unsupported`. */
    readonly providerType?: string
    readonly errors?: readonly ProviderErrorEntry[]
    /** Click-to-WhatsApp ad referral, as sent. */
    readonly referral?: Readonly<Record<string, unknown>>
  }
}

/** A provider's report on one of our messages, before routing to a tenant. */
export interface DeliveryStatusEvent {
  readonly kind: 'status'
  /** The tenant number the message was sent from. */
  readonly sender: ProviderEndpoint
  readonly status: DeliveryStatusFields
  /** For `failed`: what retrying would do. */
  readonly errorKind?: ProviderErrorKind
  /** The provider's raw status name (e.g. Twilio `undelivered`). */
  readonly providerState: string
}

/** A part of a webhook that could not be read; the rest of the webhook is still parsed. */
export interface RejectedWebhookItem {
  readonly reason: string
  /** The receiving number or account, when readable. */
  readonly to?: string
  /** The offending item, as received. */
  readonly item: unknown
}

/**
 * A status the provider reports that says nothing about the delivery of our message (WhatsApp
 * `deleted`): understood, counted, and neither published nor kept as unroutable.
 */
export interface NoticeWebhookItem {
  readonly providerState: string
  readonly providerMessageId: string
  /** The tenant number the status is about. */
  readonly sender: ProviderEndpoint
}

export interface ParsedWebhook {
  readonly messages: readonly InboundMessageEvent[]
  readonly statuses: readonly DeliveryStatusEvent[]
  /** Statuses understood but carrying no delivery state (absent: none). */
  readonly notices?: readonly NoticeWebhookItem[]
  /** Webhook-level errors Meta reports (e.g. 130429 on the `errors` field). */
  readonly errors: ReadonlyArray<{ readonly receiver?: ProviderEndpoint; readonly error: ProviderErrorEntry }>
  readonly rejected: readonly RejectedWebhookItem[]
}

/** The contract message for a routed event, validated. */
/** WhatsApp system message types about who the citizen is. */
const IDENTITY_SYSTEM_TYPES = new Set(['user_changed_number', 'customer_identity_changed', 'user_changed_user_id'])

export function toInboundMessage(event: InboundMessageEvent, tenant: TenantId): InboundMessage {
  const system = event.extras.system
  return InboundMessageContract.parse({
    version: 1,
    tenant,
    ...event.message,
    ...(event.extras.optOut ? { gatewayOptOut: event.extras.optOut } : {}),
    // Identity changes subscriptions acts on (number change, new BSUID); other system messages stay `type: system` only.
    ...(system && IDENTITY_SYSTEM_TYPES.has(system.type) ? { system } : {}),
  })
}

/** The contract status for a routed event, validated. */
export function toDeliveryStatus(event: DeliveryStatusEvent, tenant: TenantId): DeliveryStatus {
  return DeliveryStatusContract.parse({ version: 1, tenant, ...event.status })
}
