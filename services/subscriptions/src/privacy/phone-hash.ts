import { createHmac } from 'node:crypto'

/** Turns a tenant's citizen number into the pseudonym the consent ledger keeps after erasure. */
export type PhoneHasher = (tenant: string, phone: string) => string

/**
 * A keyed hash (HMAC-SHA256): a plain hash of a phone number is reversed by trying every number
 * (10^10 tries), a keyed one is not without the key. The same number always gives the same
 * hash, so a later request about it can still be matched to the proof of its withdrawal.
 */
export function createPhoneHasher(key: string): PhoneHasher {
  return (tenant, phone) => `hmac-sha256:${createHmac('sha256', key).update(`${tenant}:${phone}`).digest('hex')}`
}
