import { createHash } from 'node:crypto'
import type { Tenant } from '@banditore/contracts'

/**
 * Every tenant's numbers as the provider simulator's senders, webhooks pointed at ingest, and
 * the secrets the tenant files name (a local value each, unless `env` already sets it): what the
 * local stack and the end-to-end tests run the platform with, without any provider account.
 */
export function localSenders(tenants: readonly Tenant[], ingestUrl: string, env: Record<string, string | undefined> = {}) {
  const local = (tenant: string, what: string) => `local-${tenant}-${what}`
  const secrets: Record<string, string> = {}
  const setSecret = (name: string, value: string) => (secrets[name] = env[name] ?? value)
  const whatsapp = []
  const twilio = []
  for (const tenant of tenants) {
    const { whatsapp: wa, sms } = tenant.channels
    if (wa) {
      whatsapp.push({
        phoneNumberId: wa.phoneNumberId,
        displayPhoneNumber: wa.number,
        // The business account whose template listing the platform's registry reads.
        ...(wa.businessAccountId ? { businessAccountId: wa.businessAccountId } : {}),
        accessToken: setSecret(wa.accessTokenEnv, local(tenant.id, 'wa-token')),
        appSecret: setSecret(wa.appSecretEnv, local(tenant.id, 'app-secret')),
        webhookUrl: `${ingestUrl}/webhooks/whatsapp`,
        throughputPerSecond: wa.messagesPerSecond,
        // The tenant's templates, approved in its business account as in production; the
        // emergency template and the sign-up confirmation template have two variables each
        // (headline and text; confirm word and hours).
        templates: [
          ...(tenant.whatsappTemplates ?? []).flatMap((template) =>
            Object.values(template.languages).map((translation) => ({
              name: template.name,
              language: translation.code,
              category: (template.category ?? 'utility').toUpperCase() as 'UTILITY' | 'MARKETING' | 'AUTHENTICATION',
              bodyParameters: template.parameters.length,
              body: translation.body,
            })),
          ),
          ...[tenant.emergency?.whatsappTemplate ?? [], tenant.signup.whatsappConfirmationTemplate ?? []].flat().flatMap(({ name, languages }) =>
            Object.values(languages).map((code) => ({ name, language: code, bodyParameters: 2 })),
          ),
        ],
      })
    }
    if (sms) {
      const sid = `AC${createHash('sha256').update(tenant.id).digest('hex').slice(0, 32)}`
      twilio.push({
        accountSid: setSecret(sms.accountSidEnv, sid),
        authToken: setSecret(sms.authTokenEnv, local(tenant.id, 'sms-token')),
        numbers: [{ number: sms.number, smsUrl: `${ingestUrl}/webhooks/sms/messages`, throughputPerSecond: sms.messagesPerSecond }],
        ...(sms.senderId ? { senderIds: [sms.senderId] } : {}),
      })
    }
  }
  return { secrets, whatsapp, twilio }
}
