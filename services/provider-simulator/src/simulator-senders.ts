import type { SimTwilioAccount, SimWhatsAppSender } from './simulator-config.js'

export interface SimTwilioNumber {
  readonly account: SimTwilioAccount
  readonly number: string
  readonly smsUrl?: string
  readonly throughputPerSecond?: number
}

/** The business numbers the simulated providers know, by every key they are looked up by. */
export class SenderRegistry {
  private readonly whatsappById = new Map<string, SimWhatsAppSender>()
  private readonly whatsappByNumber = new Map<string, SimWhatsAppSender>()
  private readonly twilioAccounts = new Map<string, SimTwilioAccount>()
  private readonly twilioNumbers = new Map<string, SimTwilioNumber>()

  /** Adds or replaces a WhatsApp number (by phone_number_id). */
  addWhatsApp(sender: SimWhatsAppSender) {
    const previous = this.whatsappById.get(sender.phoneNumberId)
    if (previous) this.whatsappByNumber.delete(previous.displayPhoneNumber)
    this.whatsappById.set(sender.phoneNumberId, sender)
    this.whatsappByNumber.set(sender.displayPhoneNumber, sender)
  }

  /** Adds or replaces a Twilio account (by AccountSid) and its numbers. */
  addTwilio(account: SimTwilioAccount) {
    const previous = this.twilioAccounts.get(account.accountSid)
    for (const entry of previous?.numbers ?? []) this.twilioNumbers.delete(entry.number)
    this.twilioAccounts.set(account.accountSid, account)
    for (const entry of account.numbers) this.twilioNumbers.set(entry.number, { account, ...entry })
  }

  /** A WhatsApp number by phone_number_id or display number (E.164). */
  whatsapp(idOrNumber: string): SimWhatsAppSender | undefined {
    return this.whatsappById.get(idOrNumber) ?? this.whatsappByNumber.get(idOrNumber)
  }

  /** Every WhatsApp number (with its secrets: for the simulator's own checks). */
  allWhatsApp(): SimWhatsAppSender[] {
    return [...this.whatsappById.values()]
  }

  twilioAccount(accountSid: string): SimTwilioAccount | undefined {
    return this.twilioAccounts.get(accountSid)
  }

  twilioNumber(number: string): SimTwilioNumber | undefined {
    return this.twilioNumbers.get(number)
  }

  /** Every number, secrets left out (templates are listed by GET /_sim/templates). */
  describe() {
    return {
      whatsapp: [...this.whatsappById.values()].map(({ accessToken: _t, appSecret: _s, templates: _templates, ...rest }) => rest),
      twilio: [...this.twilioAccounts.values()].map(({ authToken: _t, ...rest }) => rest),
    }
  }
}
