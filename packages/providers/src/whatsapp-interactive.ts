/**
 * WhatsApp interactive messages (reply buttons and lists): their shapes, Meta's limits and the
 * Cloud API body. Limits are checked before a request leaves, so a message Meta would refuse
 * (131009) fails here with the field named instead of costing a rate-limit slot.
 */

/** Meta's limits, in characters (UTF-16 code units, as Meta counts them) and counts. */
export const INTERACTIVE_LIMITS = {
  headerText: 60,
  /** A list's body; a reply-button message's body is capped at 1024. */
  listBody: 4096,
  buttonBody: 1024,
  footerText: 60,
  /** The list's one button label. */
  listButton: 20,
  sections: 10,
  /** Rows over every section together. */
  rows: 10,
  sectionTitle: 24,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
} as const

export interface InteractiveListRow {
  readonly id: string
  readonly title: string
  readonly description?: string
}

export interface InteractiveListSection {
  /** Required by Meta when there is more than one section. */
  readonly title?: string
  readonly rows: readonly InteractiveListRow[]
}

export interface InteractiveList {
  readonly kind: 'list'
  readonly header?: string
  readonly body: string
  readonly footer?: string
  /** The label of the button that opens the list. */
  readonly button: string
  readonly sections: readonly InteractiveListSection[]
}

export interface InteractiveButtons {
  readonly kind: 'buttons'
  readonly header?: string
  readonly body: string
  readonly footer?: string
  readonly buttons: ReadonlyArray<{ readonly id: string; readonly title: string }>
}

export type InteractiveContent = InteractiveList | InteractiveButtons

/** An interactive message Meta would refuse; `field` is its JSON path in our shape. */
export class InteractiveMessageError extends Error {
  readonly code = 'INTERACTIVE_MESSAGE_INVALID'
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`interactive message: ${field} ${problem}`)
    this.name = 'InteractiveMessageError'
  }
}

function text(field: string, value: string | undefined, max: number, required: boolean): void {
  if (value === undefined) {
    if (required) throw new InteractiveMessageError(field, 'is required')
    return
  }
  if (value.trim() === '') throw new InteractiveMessageError(field, 'is empty')
  if (value.normalize('NFC').length > max) throw new InteractiveMessageError(field, `is longer than ${max} characters`)
}

/** Throws an InteractiveMessageError naming the first field past Meta's limits. */
export function validateInteractive(content: InteractiveContent): void {
  const L = INTERACTIVE_LIMITS
  text('header', content.header, L.headerText, false)
  text('body', content.body, content.kind === 'list' ? L.listBody : L.buttonBody, true)
  text('footer', content.footer, L.footerText, false)
  const ids = new Set<string>()
  const unique = (field: string, id: string) => {
    if (ids.has(id)) throw new InteractiveMessageError(field, `repeats the id ${JSON.stringify(id)}`)
    ids.add(id)
  }
  if (content.kind === 'buttons') {
    if (content.buttons.length === 0) throw new InteractiveMessageError('buttons', 'is empty')
    if (content.buttons.length > L.buttons) throw new InteractiveMessageError('buttons', `has more than ${L.buttons} buttons`)
    content.buttons.forEach((button, i) => {
      text(`buttons[${i}].id`, button.id, L.buttonId, true)
      text(`buttons[${i}].title`, button.title, L.buttonTitle, true)
      unique(`buttons[${i}].id`, button.id)
    })
    return
  }
  text('button', content.button, L.listButton, true)
  if (content.sections.length === 0) throw new InteractiveMessageError('sections', 'is empty')
  if (content.sections.length > L.sections) throw new InteractiveMessageError('sections', `has more than ${L.sections} sections`)
  const rows = content.sections.reduce((n, s) => n + s.rows.length, 0)
  if (rows > L.rows) throw new InteractiveMessageError('sections', `has ${rows} rows, more than ${L.rows}`)
  content.sections.forEach((section, s) => {
    text(`sections[${s}].title`, section.title, L.sectionTitle, content.sections.length > 1)
    if (section.rows.length === 0) throw new InteractiveMessageError(`sections[${s}].rows`, 'is empty')
    section.rows.forEach((row, r) => {
      const at = `sections[${s}].rows[${r}]`
      text(`${at}.id`, row.id, L.rowId, true)
      text(`${at}.title`, row.title, L.rowTitle, true)
      text(`${at}.description`, row.description, L.rowDescription, false)
      unique(`${at}.id`, row.id)
    })
  })
}

const nfc = (value: string) => value.normalize('NFC')

/** The Cloud API `interactive` object for a valid content. */
export function interactiveBody(content: InteractiveContent): Record<string, unknown> {
  const frame = {
    ...(content.header !== undefined ? { header: { type: 'text', text: nfc(content.header) } } : {}),
    body: { text: nfc(content.body) },
    ...(content.footer !== undefined ? { footer: { text: nfc(content.footer) } } : {}),
  }
  if (content.kind === 'buttons') {
    return {
      type: 'button',
      ...frame,
      action: { buttons: content.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: nfc(b.title) } })) },
    }
  }
  return {
    type: 'list',
    ...frame,
    action: {
      button: nfc(content.button),
      sections: content.sections.map((section) => ({
        ...(section.title !== undefined ? { title: nfc(section.title) } : {}),
        rows: section.rows.map((row) => ({
          id: row.id,
          title: nfc(row.title),
          ...(row.description !== undefined ? { description: nfc(row.description) } : {}),
        })),
      })),
    },
  }
}
