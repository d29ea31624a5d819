import { INTERACTIVE_LIMITS } from '@banditore/providers'

/**
 * Meta's checks on an interactive send (`type: "interactive"`, list or reply buttons): a missing
 * part is 131008 "Required parameter is missing", a value past a limit (too many rows or buttons,
 * a title too long, a repeated id) 131009 "Parameter value is not valid", the details naming the
 * field by its path in the request body.
 */
export interface InteractiveRefusal {
  readonly code: 131008 | 131009
  readonly details: string
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

class Refused extends Error {
  constructor(readonly refusal: InteractiveRefusal) {
    super(refusal.details)
  }
}
const missing = (field: string) => new Refused({ code: 131008, details: `Parameter ${field} is required.` })
const invalid = (field: string, why: string) => new Refused({ code: 131009, details: `Parameter value is not valid: ${field} ${why}` })

function textAt(value: unknown, field: string, max: number, required = true): void {
  if (value === undefined) {
    if (required) throw missing(field)
    return
  }
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'must be a non-empty string')
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`)
}

/** The frame both kinds share: header (text only here), body, footer. */
function checkFrame(interactive: Json, bodyMax: number): void {
  if (interactive.header !== undefined) {
    if (!isObject(interactive.header) || interactive.header.type !== 'text') throw invalid('interactive.header.type', 'must be text')
    textAt(interactive.header.text, 'interactive.header.text', INTERACTIVE_LIMITS.headerText)
  }
  if (!isObject(interactive.body)) throw missing('interactive.body')
  textAt(interactive.body.text, 'interactive.body.text', bodyMax)
  if (interactive.footer !== undefined) {
    if (!isObject(interactive.footer)) throw invalid('interactive.footer', 'must be an object')
    textAt(interactive.footer.text, 'interactive.footer.text', INTERACTIVE_LIMITS.footerText)
  }
}

function checkList(action: Json): void {
  const L = INTERACTIVE_LIMITS
  textAt(action.button, 'interactive.action.button', L.listButton)
  const sections = action.sections
  if (sections === undefined) throw missing('interactive.action.sections')
  if (!Array.isArray(sections) || sections.length === 0) throw invalid('interactive.action.sections', 'must be a non-empty array')
  if (sections.length > L.sections) throw invalid('interactive.action.sections', `must have at most ${L.sections} sections`)
  const ids = new Set<string>()
  let rows = 0
  sections.forEach((section: unknown, s) => {
    const at = `interactive.action.sections[${s}]`
    if (!isObject(section)) throw invalid(at, 'must be an object')
    textAt(section.title, `${at}.title`, L.sectionTitle, sections.length > 1)
    if (!Array.isArray(section.rows) || section.rows.length === 0) throw invalid(`${at}.rows`, 'must be a non-empty array')
    section.rows.forEach((row: unknown, r) => {
      const rowAt = `${at}.rows[${r}]`
      if (!isObject(row)) throw invalid(rowAt, 'must be an object')
      textAt(row.id, `${rowAt}.id`, L.rowId)
      textAt(row.title, `${rowAt}.title`, L.rowTitle)
      textAt(row.description, `${rowAt}.description`, L.rowDescription, false)
      if (ids.has(row.id as string)) throw invalid(`${rowAt}.id`, 'must be unique across the list')
      ids.add(row.id as string)
      rows++
    })
  })
  if (rows > L.rows) throw invalid('interactive.action.sections', `must have at most ${L.rows} rows in all (${rows} given)`)
}

function checkButtons(action: Json): void {
  const L = INTERACTIVE_LIMITS
  const buttons = action.buttons
  if (buttons === undefined) throw missing('interactive.action.buttons')
  if (!Array.isArray(buttons) || buttons.length === 0) throw invalid('interactive.action.buttons', 'must be a non-empty array')
  if (buttons.length > L.buttons) throw invalid('interactive.action.buttons', `must have at most ${L.buttons} buttons`)
  const ids = new Set<string>()
  buttons.forEach((button: unknown, b) => {
    const at = `interactive.action.buttons[${b}]`
    if (!isObject(button) || button.type !== 'reply' || !isObject(button.reply)) throw invalid(at, 'must be {type: "reply", reply: {id, title}}')
    textAt(button.reply.id, `${at}.reply.id`, L.buttonId)
    textAt(button.reply.title, `${at}.reply.title`, L.buttonTitle)
    if (ids.has(button.reply.id as string)) throw invalid(`${at}.reply.id`, 'must be unique')
    ids.add(button.reply.id as string)
  })
}

/** Undefined when Meta would accept the `interactive` object of a list or reply-button send. */
export function checkInteractiveSend(interactive: unknown): InteractiveRefusal | undefined {
  try {
    if (!isObject(interactive)) throw missing('interactive')
    if (interactive.type !== 'list' && interactive.type !== 'button') throw invalid('interactive.type', 'must be list or button (the types this simulator supports)')
    checkFrame(interactive, interactive.type === 'list' ? INTERACTIVE_LIMITS.listBody : INTERACTIVE_LIMITS.buttonBody)
    if (!isObject(interactive.action)) throw missing('interactive.action')
    if (interactive.type === 'list') checkList(interactive.action)
    else checkButtons(interactive.action)
    return undefined
  } catch (error) {
    if (error instanceof Refused) return error.refusal
    throw error
  }
}
