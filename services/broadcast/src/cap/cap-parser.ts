import { XMLParser, XMLValidator } from 'fast-xml-parser'

/**
 * CAP 1.2 (OASIS Common Alerting Protocol), as Italian regional civil protection publishes it:
 * the XML is checked for well-formedness, the CAP namespace, the required elements, enumerations
 * and formats; the reason of a refusal names the element, in Italian (staff read it).
 */
export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2'
export const CAP_MAX_BYTES = 256 * 1024

export type CapMsgType = 'Alert' | 'Update' | 'Cancel' | 'Ack' | 'Error'

export interface CapArea {
  areaDesc: string
  polygons: string[]
  circles: string[]
  geocodes: Array<{ valueName: string; value: string }>
}

export interface CapInfo {
  language: string
  category: string[]
  event: string
  urgency: 'Immediate' | 'Expected' | 'Future' | 'Past' | 'Unknown'
  severity: 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown'
  certainty: 'Observed' | 'Likely' | 'Possible' | 'Unlikely' | 'Unknown'
  headline?: string
  description?: string
  instruction?: string
  web?: string
  onset?: string
  expires?: string
  senderName?: string
  areas: CapArea[]
}

export interface CapAlert {
  identifier: string
  sender: string
  sent: string
  status: 'Actual' | 'Exercise' | 'System' | 'Test' | 'Draft'
  msgType: CapMsgType
  scope: 'Public' | 'Restricted' | 'Private'
  note?: string
  references: Array<{ sender: string; identifier: string; sent: string }>
  infos: CapInfo[]
}

export type CapParseResult = { ok: true; alert: CapAlert } | { ok: false; reason: string }

const STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const
const MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const
const SCOPES = ['Public', 'Restricted', 'Private'] as const
const CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const
const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const
const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const
// CAP's dateTime: no fractional seconds, an explicit offset ("Z" is not allowed: "-00:00").
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/
// identifier and sender: no spaces, commas or restricted characters (< and &).
const CAP_ID = /^[^\s,<&]+$/

class CapInvalid extends Error {}
const fail = (reason: string): never => {
  throw new CapInvalid(`CAP non valido: ${reason}`)
}

type Node = Record<string, unknown>
const ARRAYS = new Set(['info', 'area', 'category', 'polygon', 'circle', 'geocode', 'parameter', 'resource', 'eventCode', 'responseType'])
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // No entity expansion at all (and documents with a DOCTYPE are refused before parsing).
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
})

const text = (node: Node, name: string, where: string): string | undefined => {
  const value = node[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') fail(`<${name}> in ${where} deve contenere testo`)
  return (value as string).replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&')
}
const required = (node: Node, name: string, where: string): string => {
  const value = text(node, name, where)
  if (value === undefined || value === '') fail(`manca <${name}> in ${where}`)
  return value as string
}
const oneOf = <T extends string>(value: string, allowed: readonly T[], name: string, where: string): T => {
  if (!(allowed as readonly string[]).includes(value)) fail(`<${name}> in ${where} vale "${value}", ammessi: ${allowed.join(', ')}`)
  return value as T
}
const dateTime = (value: string | undefined, name: string, where: string): string | undefined => {
  if (value === undefined) return undefined
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) fail(`<${name}> in ${where} non è una data CAP (es. 2026-11-23T14:00:00+01:00): "${value}"`)
  return value
}
const list = (node: Node, name: string): unknown[] => (Array.isArray(node[name]) ? (node[name] as unknown[]) : [])
const asNode = (value: unknown, name: string): Node => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`<${name}> deve contenere elementi`)
  return value as Node
}

function parseArea(value: unknown, where: string): CapArea {
  const area = asNode(value, 'area')
  const texts = (name: string) =>
    list(area, name).map((v) => {
      if (typeof v !== 'string') fail(`<${name}> in ${where} deve contenere testo`)
      return v as string
    })
  return {
    areaDesc: required(area, 'areaDesc', where),
    polygons: texts('polygon'),
    circles: texts('circle'),
    geocodes: list(area, 'geocode').map((g) => {
      const node = asNode(g, 'geocode')
      return { valueName: required(node, 'valueName', `<geocode> di ${where}`), value: required(node, 'value', `<geocode> di ${where}`) }
    }),
  }
}

function parseInfo(value: unknown, index: number): CapInfo {
  const where = `<info> n. ${index + 1}`
  const info = asNode(value, 'info')
  const categories = list(info, 'category')
  if (categories.length === 0) fail(`manca <category> in ${where}`)
  const web = text(info, 'web', where)
  if (web !== undefined && !/^https?:\/\/\S+$/.test(web)) fail(`<web> in ${where} non è un indirizzo web: "${web}"`)
  const optional = (name: 'headline' | 'description' | 'instruction' | 'senderName') => {
    const v = text(info, name, where)
    return v ? { [name]: v } : {}
  }
  const onset = dateTime(text(info, 'onset', where), 'onset', where)
  const expires = dateTime(text(info, 'expires', where), 'expires', where)
  return {
    language: text(info, 'language', where) || 'en-US',
    category: categories.map((c) => oneOf(String(c), CATEGORIES, 'category', where)),
    event: required(info, 'event', where),
    urgency: oneOf(required(info, 'urgency', where), URGENCIES, 'urgency', where),
    severity: oneOf(required(info, 'severity', where), SEVERITIES, 'severity', where),
    certainty: oneOf(required(info, 'certainty', where), CERTAINTIES, 'certainty', where),
    ...optional('headline'),
    ...optional('description'),
    ...optional('instruction'),
    ...optional('senderName'),
    ...(web ? { web } : {}),
    ...(onset ? { onset } : {}),
    ...(expires ? { expires } : {}),
    areas: list(info, 'area').map((a, i) => parseArea(a, `<area> n. ${i + 1} di ${where}`)),
  }
}

function parseReferences(value: string | undefined): CapAlert['references'] {
  if (value === undefined || value.trim() === '') return []
  return value
    .trim()
    .split(/\s+/)
    .map((triple) => {
      const [sender, identifier, sent, extra] = triple.split(',')
      if (!sender || !identifier || !sent || extra !== undefined) fail(`<references> deve elencare terne mittente,identificativo,data separate da spazi: "${triple}"`)
      dateTime(sent, 'references', '<alert>')
      return { sender: sender as string, identifier: identifier as string, sent: sent as string }
    })
}

function parse(xml: string): CapAlert {
  if (Buffer.byteLength(xml, 'utf8') > CAP_MAX_BYTES) fail(`il documento supera ${CAP_MAX_BYTES / 1024} KiB`)
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) fail('DOCTYPE ed entità XML non sono ammessi')
  const wellFormed = XMLValidator.validate(xml)
  if (wellFormed !== true) fail(`XML malformato alla riga ${wellFormed.err.line}: ${wellFormed.err.msg}`)
  // The root element and the namespace it is bound to (default or prefixed).
  const root = /<(?:([A-Za-z_][\w.-]*):)?alert\b([^>]*)>/.exec(xml.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, ''))
  if (!root) fail('manca l\'elemento <alert>')
  const prefix = root?.[1]
  const namespace = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(root?.[2] ?? '')?.[1]
  if (namespace !== CAP_NAMESPACE) fail(`<alert> deve appartenere allo spazio dei nomi ${CAP_NAMESPACE}${namespace ? `, non a ${namespace}` : ''}`)
  const document = parser.parse(xml) as Node
  const alert = asNode(document.alert, 'alert')
  const where = '<alert>'
  const identifier = required(alert, 'identifier', where)
  const sender = required(alert, 'sender', where)
  if (!CAP_ID.test(identifier)) fail('<identifier> non può contenere spazi, virgole, < o &')
  if (!CAP_ID.test(sender)) fail('<sender> non può contenere spazi, virgole, < o &')
  const msgType = oneOf(required(alert, 'msgType', where), MSG_TYPES, 'msgType', where)
  const scope = oneOf(required(alert, 'scope', where), SCOPES, 'scope', where)
  if (scope === 'Restricted' && !text(alert, 'restriction', where)) fail('un avviso con <scope>Restricted</scope> richiede <restriction>')
  if (scope === 'Private' && !text(alert, 'addresses', where)) fail('un avviso con <scope>Private</scope> richiede <addresses>')
  const references = parseReferences(text(alert, 'references', where))
  if ((msgType === 'Update' || msgType === 'Cancel') && references.length === 0) fail(`un messaggio ${msgType} richiede <references> all'avviso che segue`)
  const note = text(alert, 'note', where)
  return {
    identifier,
    sender,
    sent: dateTime(required(alert, 'sent', where), 'sent', where) as string,
    status: oneOf(required(alert, 'status', where), STATUSES, 'status', where),
    msgType,
    scope,
    ...(note ? { note } : {}),
    references,
    infos: list(alert, 'info').map(parseInfo),
  }
}

/** Parses and validates a CAP 1.2 document; never throws. */
export function parseCapAlert(xml: string): CapParseResult {
  try {
    return { ok: true, alert: parse(xml) }
  } catch (error) {
    if (error instanceof CapInvalid) return { ok: false, reason: error.message }
    return { ok: false, reason: `CAP non valido: ${error instanceof Error ? error.message : String(error)}` }
  }
}
