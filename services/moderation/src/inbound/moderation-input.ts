import type { InboundMessage } from '@banditore/contracts'
import type { ModerationInput } from '../facts/message-facts.js'

/**
 * Everything a citizen can write in a message: its text (or the chosen option's title), media
 * captions and file names, a shared location's name and address. Reactions, stickers and forms
 * without free text read as empty: no word rule fires on them.
 */
export function moderationInputOf(message: InboundMessage): ModerationInput {
  const parts: string[] = []
  if (message.text) parts.push(message.text)
  else if (message.interactive) parts.push(message.interactive.title)
  for (const media of message.media ?? []) {
    if (media.caption) parts.push(media.caption)
    if (media.filename) parts.push(media.filename)
  }
  if (message.location?.name) parts.push(message.location.name)
  if (message.location?.address) parts.push(message.location.address)
  return {
    text: parts.join('\n'),
    channel: message.channel,
    messageType: message.type,
    hasMedia: (message.media?.length ?? 0) > 0,
    at: Date.parse(message.sentAt),
  }
}
