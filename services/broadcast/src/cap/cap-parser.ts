// Turns a CAP 1.2 alert (OASIS Common Alerting Protocol, as Italian regional civil protection
// publishes it) into a validated value, or into a reason in Italian that names the offending
// element, for the staff who posted it.
import { CAP_NAMESPACE, CapElementReader, CapValidationError, quoted } from './cap-element-reader.js'
import {
  CAP_DATE_TIME_FORMAT,
  isAbsoluteUri,
  isCapDateTime,
  isCapIdentifier,
  isDecimal,
  isLanguageTag,
  normaliseCircle,
  parseCapReferences,
  polygonProblem,
} from './cap-values.js'
import { decodeXmlBytes, readXmlDocument, XmlDocumentError, type XmlElement } from './xml-document.js'

export type CapMsgType = 'Alert' | 'Update' | 'Cancel' | 'Ack' | 'Error'

export interface CapAlert {
  identifier: string
  sender: string
  /** As written in the document: `YYYY-MM-DDThh:mm:ss±hh:mm`. */
  sent: string
  status: 'Actual' | 'Exercise' | 'System' | 'Test' | 'Draft'
  msgType: CapMsgType
  scope: 'Public' | 'Restricted' | 'Private'
  note?: string
  /** Earlier messages this one updates, cancels or answers, in document order. */
  references: Array<{ sender: string; identifier: string; sent: string }>
  /** One per language, in document order. */
  infos: CapInfo[]
}

export interface CapInfo {
  /** RFC 3066 tag; 'en-US' when the document gives none, as the spec says. */
  language: string
  category: string[]
  event: string
  urgency: 'Immediate' | 'Expected' | 'Future' | 'Past' | 'Unknown'
  severity: 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown'
  certainty: 'Observed' | 'Likely' | 'Possible' | 'Unlikely' | 'Unknown'
  headline?: string
  /** Whole, as written: CAP sets no length limit. */
  description?: string
  /** Whole, as written: CAP sets no length limit. */
  instruction?: string
  web?: string
  effective?: string
  onset?: string
  /** When the information expires (CAP 3.2.2); absent when the issuer gives none. */
  expires?: string
  senderName?: string
  /** System-specific parameters in document order; a value may be empty, as the schema allows. */
  parameters: Array<{ valueName: string; value: string }>
  areas: Array<{
    areaDesc: string
    /** Closed rings of `lat,lon` pairs (WGS 84), space-separated. */
    polygons: string[]
    /** `lat,lon radius` with the radius in kilometres. */
    circles: string[]
    geocodes: Array<{ valueName: string; value: string }>
  }>
}

const STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const
const MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const
const SCOPES = ['Public', 'Restricted', 'Private'] as const
const CATEGORIES = [
  'Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other',
] as const
const RESPONSE_TYPES = [
  'Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None',
] as const
const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const
const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const

const ALERT_CHILDREN = [
  'identifier', 'sender', 'sent', 'status', 'msgType', 'source', 'scope', 'restriction', 'addresses',
  'code', 'note', 'references', 'incidents', 'info',
]
const INFO_CHILDREN = [
  'language', 'category', 'event', 'responseType', 'urgency', 'severity', 'certainty', 'audience',
  'eventCode', 'effective', 'onset', 'expires', 'senderName', 'headline', 'description', 'instruction',
  'web', 'contact', 'parameter', 'resource', 'area',
]
const AREA_CHILDREN = ['areaDesc', 'polygon', 'circle', 'geocode', 'altitude', 'ceiling']
const RESOURCE_CHILDREN = ['resourceDesc', 'mimeType', 'size', 'uri', 'derefUri', 'digest']
const NAMED_VALUE_CHILDREN = ['valueName', 'value']

/** Message types whose meaning is defined by the earlier messages they name in <references>. */
const REFERRING_MSG_TYPES: readonly CapMsgType[] = ['Update', 'Cancel', 'Ack', 'Error']

/**
 * Never throws: any input yields either the alert or a reason in Italian naming the problem.
 *
 * `document` is best given as the bytes received, with the `charset` of the HTTP Content-Type if
 * there was one: they are decoded as the byte-order mark, that charset or the XML declaration's
 * encoding say (see decodeXmlBytes). A string is taken as already decoded.
 */
export function parseCapAlert(
  document: string | Uint8Array,
  options: { charset?: string } = {},
): { ok: true; alert: CapAlert } | { ok: false; reason: string } {
  try {
    let xml: string
    if (typeof document === 'string') xml = document
    else if (document instanceof Uint8Array) xml = decodeXmlBytes(document, options.charset)
    else return refused('il documento deve essere testo XML')
    return { ok: true, alert: readAlert(readXmlDocument(xml)) }
  } catch (error) {
    if (error instanceof XmlDocumentError || error instanceof CapValidationError) return refused(error.reason)
    return refused('documento non leggibile')
  }
}

function refused(reason: string): { ok: false; reason: string } {
  return { ok: false, reason: `CAP non valido: ${reason}` }
}

function readAlert(root: XmlElement): CapAlert {
  if (root.localName !== 'alert') {
    throw new CapValidationError(`l'elemento radice deve essere <alert>, non <${root.qualifiedName}>`)
  }
  if (root.namespace === undefined) {
    throw new CapValidationError(`<${root.qualifiedName}> senza namespace: serve ${CAP_NAMESPACE}`)
  }
  if (root.namespace !== CAP_NAMESPACE) {
    throw new CapValidationError(`namespace ${quoted(root.namespace)} non supportato: serve ${CAP_NAMESPACE}`)
  }
  const reader: CapElementReader = new CapElementReader(root, '', ALERT_CHILDREN)
  const identifier = identifierText(reader, 'identifier')
  const sender = identifierText(reader, 'sender')
  const sent = dateTimeText(reader, 'sent', true) as string
  const status = reader.oneOf('status', STATUSES)
  const msgType = reader.oneOf('msgType', MSG_TYPES)
  const scope = reader.oneOf('scope', SCOPES)
  if (scope === 'Restricted' && reader.optional('restriction') === undefined) {
    reader.fail('con <scope> Restricted serve <restriction>')
  }
  if (scope === 'Private' && reader.optional('addresses') === undefined) {
    reader.fail('con <scope> Private serve <addresses>')
  }
  reader.optional('source')
  reader.optional('incidents')
  reader.all('code')
  const note = reader.optional('note')

  const referencesText = reader.optional('references')
  const references = referencesText === undefined ? [] : parseCapReferences(referencesText)
  if (references === undefined) {
    reader.fail(
      `<references> deve elencare terne mittente,identificativo,data-ora separate da spazi, trovato ${quoted(referencesText as string)}`,
    )
  }
  if (references.length === 0 && REFERRING_MSG_TYPES.includes(msgType)) {
    reader.fail(`un messaggio ${msgType} deve indicare in <references> il messaggio a cui si riferisce`)
  }

  const infos = reader.elements('info').map((info, index) => readInfo(info, within(`<info> n. ${index + 1}`, '')))
  return withoutUndefined({ identifier, sender, sent, status, msgType, scope, note, references, infos })
}

function readInfo(element: XmlElement, where: string): CapInfo {
  const reader: CapElementReader = new CapElementReader(element, where, INFO_CHILDREN)
  const language = reader.optional('language') ?? 'en-US'
  if (!isLanguageTag(language)) {
    reader.fail(`<language> ${quoted(language)}${where} non è un codice lingua valido (es. it-IT)`)
  }
  const category = reader.all('category').map((value) => reader.checkOneOf('category', value, CATEGORIES))
  if (category.length === 0) reader.fail(`manca <category>${where}`)
  const event = reader.required('event')
  for (const responseType of reader.all('responseType')) reader.checkOneOf('responseType', responseType, RESPONSE_TYPES)
  const urgency = reader.oneOf('urgency', URGENCIES)
  const severity = reader.oneOf('severity', SEVERITIES)
  const certainty = reader.oneOf('certainty', CERTAINTIES)
  reader.optional('audience')
  reader.optional('contact')
  const effective = dateTimeText(reader, 'effective', false)
  const onset = dateTimeText(reader, 'onset', false)
  const expires = dateTimeText(reader, 'expires', false)
  const web = reader.optional('web')
  if (web !== undefined && !isAbsoluteUri(web)) reader.fail(`<web>${where} deve essere un indirizzo assoluto, es. https://…`)
  reader.elements('eventCode').forEach((code, index) => readNamedValue(code, within(`<eventCode> n. ${index + 1}`, where)))
  const parameters = reader
    .elements('parameter')
    .map((parameter, index) => readNamedValue(parameter, within(`<parameter> n. ${index + 1}`, where)))
  reader.elements('resource').forEach((resource, index) => readResource(resource, within(`<resource> n. ${index + 1}`, where)))
  const areas = reader.elements('area').map((area, index) => readArea(area, within(`<area> n. ${index + 1}`, where)))
  return withoutUndefined({
    language,
    category,
    event,
    urgency,
    severity,
    certainty,
    headline: reader.optional('headline'),
    description: reader.optional('description'),
    instruction: reader.optional('instruction'),
    web,
    effective,
    onset,
    expires,
    senderName: reader.optional('senderName'),
    parameters,
    areas,
  })
}

function readArea(element: XmlElement, where: string): CapInfo['areas'][number] {
  const reader: CapElementReader = new CapElementReader(element, where, AREA_CHILDREN)
  const areaDesc = reader.required('areaDesc')
  const polygons = reader.all('polygon').map((polygon, index) => {
    const problem = polygonProblem(polygon)
    if (problem !== undefined) {
      reader.fail(
        `<polygon> n. ${index + 1}${where} ${problem} (CAP 3.2.4: almeno 4 coppie lat,lon WGS 84 separate da spazi, l'ultima uguale alla prima)`,
      )
    }
    return polygon.split(/\s+/).join(' ')
  })
  const circles = reader.all('circle').map((circle) => {
    const normalised = normaliseCircle(circle)
    if (normalised === undefined) reader.fail(`<circle>${where} deve essere nella forma 'lat,lon raggio_km'`)
    return normalised
  })
  const geocodes = reader
    .elements('geocode')
    .map((geocode, index) => readNamedValue(geocode, within(`<geocode> n. ${index + 1}`, where)))
  const altitude = reader.optional('altitude')
  const ceiling = reader.optional('ceiling')
  for (const [name, value] of [['altitude', altitude], ['ceiling', ceiling]] as const) {
    if (value !== undefined && !isDecimal(value)) reader.fail(`<${name}>${where} deve essere un numero (piedi)`)
  }
  if (ceiling !== undefined && altitude === undefined) reader.fail(`<ceiling>${where} richiede <altitude>`)
  return { areaDesc, polygons, circles, geocodes }
}

/**
 * eventCode, parameter and geocode: a `valueName` and its `value`. Both elements must be there;
 * the schema types `value` as a plain string, so an empty `<value/>` is valid (issuers use it for
 * "not set") and is kept as ''.
 */
function readNamedValue(element: XmlElement, where: string): { valueName: string; value: string } {
  const reader: CapElementReader = new CapElementReader(element, where, NAMED_VALUE_CHILDREN)
  return { valueName: reader.required('valueName'), value: reader.present('value') }
}

function readResource(element: XmlElement, where: string): void {
  const reader: CapElementReader = new CapElementReader(element, where, RESOURCE_CHILDREN)
  reader.required('resourceDesc')
  reader.required('mimeType')
  const size = reader.optional('size')
  if (size !== undefined && !/^\d+$/.test(size)) reader.fail(`<size>${where} deve essere un numero intero di byte`)
  reader.optional('uri')
  reader.optional('derefUri')
  reader.optional('digest')
}

function identifierText(reader: CapElementReader, name: 'identifier' | 'sender'): string {
  const value = reader.required(name)
  if (!isCapIdentifier(value)) reader.fail(`<${name}> non deve contenere spazi, virgole, < o &: ${quoted(value)}`)
  return value
}

function dateTimeText(reader: CapElementReader, name: string, required: boolean): string | undefined {
  const value = required ? reader.required(name) : reader.optional(name)
  if (value !== undefined && !isCapDateTime(value)) {
    reader.fail(`<${name}>${reader.where} ${quoted(value)} non è una data-ora nel formato ${CAP_DATE_TIME_FORMAT}`)
  }
  return value
}

/** Where an element sits, for reasons: ' in <area> n. 1 di <info> n. 2'. */
function within(label: string, parentWhere: string): string {
  return parentWhere === '' ? ` in ${label}` : ` in ${label} di ${parentWhere.slice(' in '.length)}`
}

/** Drops absent optional fields so values compare and serialise without `undefined` keys. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T
}
