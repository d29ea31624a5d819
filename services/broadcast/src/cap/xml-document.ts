// Reads an untrusted XML document into a small namespace-resolved element tree, refusing what a
// CAP feed never needs and an attacker might send: DOCTYPE and entity declarations (XXE, billion
// laughs), oversized documents, undefined entities, characters XML forbids, absurd nesting.
import { TextDecoder } from 'node:util'
import { XMLParser, XMLValidator } from 'fast-xml-parser'

/**
 * Largest accepted document, in bytes as received. CAP sets no limit; IPAWS alerts embed their
 * audio in <derefUri> and reach half a megabyte, so the limit leaves room for those.
 */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

/** CAP nests five levels at most (alert/info/area/geocode/value); anything deeper is not CAP. */
const MAX_DEPTH = 32

export interface XmlElement {
  /** Namespace URI the element resolves to; undefined when it is in no namespace. */
  readonly namespace: string | undefined
  readonly localName: string
  /** Name as written, with its prefix, for messages. */
  readonly qualifiedName: string
  readonly children: readonly XmlElement[]
  /** Character data directly inside the element (text and CDATA, entities decoded), untrimmed. */
  readonly text: string
  /** Attributes as written (namespace declarations left out), values decoded. */
  readonly attributes: ReadonlyArray<XmlAttribute>
}

export interface XmlAttribute {
  /** Namespace URI of a prefixed attribute; undefined for an unprefixed one (XML Namespaces 6.2). */
  readonly namespace: string | undefined
  readonly qualifiedName: string
  readonly value: string
}

/** A document that cannot be read; `reason` is in Italian and names the problem. */
export class XmlDocumentError extends Error {
  readonly code = 'XML_DOCUMENT_INVALID'
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options)
    this.name = 'XmlDocumentError'
  }
}

// Characters outside the XML 1.0 Char production (tab, LF and CR are allowed).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i
const REFERENCE = /&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_:][\w.:-]*);/g
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded here, in one pass, so that '&amp;lt;' stays '&lt;' and CDATA stays raw.
  processEntities: false,
  cdataPropName: '#cdata',
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
})

type OrderedNode = Record<string, unknown>

function checkSize(bytes: number): void {
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new XmlDocumentError(
      `documento di ${Math.ceil(bytes / 1024)} KiB, oltre il limite di ${MAX_DOCUMENT_BYTES / 1024} KiB`,
    )
  }
}

/** The `encoding` of the XML declaration, read from the document's ASCII-compatible start. */
const ENCODING_DECLARATION = /^<\?xml\s[^?]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/

/**
 * Decodes a document received as bytes, as XML 1.0 (appendix F) and RFC 7303 (XML media types,
 * section 3) say: a byte-order mark decides; otherwise the `charset` of the HTTP Content-Type;
 * otherwise the XML declaration's `encoding`; otherwise UTF-8. Decoding is strict: bytes that are
 * not valid in the chosen encoding refuse the document instead of garbling it.
 */
export function decodeXmlBytes(bytes: Uint8Array, httpCharset?: string): string {
  checkSize(bytes.byteLength)
  const [b0, b1, b2, b3] = bytes
  let encoding: string
  let source: string
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) {
    encoding = 'utf-8'
    source = 'dal BOM UTF-8'
  } else if (b0 === 0xfe && b1 === 0xff) {
    encoding = 'utf-16be'
    source = 'dal BOM UTF-16'
  } else if (b0 === 0xff && b1 === 0xfe) {
    encoding = 'utf-16le'
    source = 'dal BOM UTF-16'
  } else if (b0 === 0x3c && b1 === 0x00 && b2 === 0x3f && b3 === 0x00) {
    encoding = 'utf-16le'
    source = "dall'inizio del documento in UTF-16"
  } else if (b0 === 0x00 && b1 === 0x3c && b2 === 0x00 && b3 === 0x3f) {
    encoding = 'utf-16be'
    source = "dall'inizio del documento in UTF-16"
  } else if (httpCharset !== undefined && httpCharset.trim() !== '') {
    encoding = httpCharset.trim().replace(/^["']|["']$/g, '')
    source = "dal charset dell'intestazione Content-Type"
  } else {
    const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1')
    const declared = ENCODING_DECLARATION.exec(head)?.[1]
    encoding = declared ?? 'utf-8'
    source = declared === undefined ? 'dalla codifica predefinita di XML' : 'dalla dichiarazione XML'
  }
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false })
  } catch {
    throw new XmlDocumentError(`codifica ${JSON.stringify(encoding)} (indicata ${source}) non supportata`)
  }
  try {
    return decoder.decode(bytes)
  } catch (error) {
    const declared = ENCODING_DECLARATION.exec(Buffer.from(bytes.subarray(0, 256)).toString('latin1'))?.[1]
    const hint =
      declared !== undefined && declared.toLowerCase() !== decoder.encoding && source !== 'dalla dichiarazione XML'
        ? `; la dichiarazione XML indica ${declared}`
        : ''
    throw new XmlDocumentError(
      `il documento non è testo ${decoder.encoding.toUpperCase()} valido, la codifica indicata ${source}${hint}`,
      { cause: error },
    )
  }
}

/** Parses `xml` into its root element, or throws XmlDocumentError with an Italian reason. */
export function readXmlDocument(xml: string): XmlElement {
  checkSize(Buffer.byteLength(xml, 'utf8'))
  // XML end-of-line handling: CR LF and lone CR become LF before anything else sees the text.
  const source = xml.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  if (source.trim() === '') throw new XmlDocumentError('documento vuoto')
  if (DECLARATION.test(source)) {
    throw new XmlDocumentError('DOCTYPE e dichiarazioni di entità non sono ammessi')
  }
  if (FORBIDDEN_CHARACTER.test(source)) {
    throw new XmlDocumentError('il documento contiene caratteri non ammessi in XML')
  }
  const validation = XMLValidator.validate(source)
  if (validation !== true) {
    const { line, col, msg } = validation.err
    throw new XmlDocumentError(`XML malformato alla riga ${line}, colonna ${col} (${msg})`)
  }
  let nodes: unknown
  try {
    nodes = parser.parse(source)
  } catch (error) {
    throw new XmlDocumentError('XML non leggibile', { cause: error })
  }
  const roots = elementNodes(nodes)
  if (roots.length !== 1) {
    throw new XmlDocumentError(`il documento deve avere un solo elemento radice, ne ha ${roots.length}`)
  }
  return toElement(roots[0] as OrderedNode, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 1)
}

function elementNodes(nodes: unknown): OrderedNode[] {
  if (!Array.isArray(nodes)) return []
  return nodes.filter((node): node is OrderedNode => isRecord(node) && elementName(node) !== undefined)
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata')
}

function toElement(node: OrderedNode, inherited: ReadonlyMap<string, string>, depth: number): XmlElement {
  const qualifiedName = elementName(node) as string
  if (depth > MAX_DEPTH) throw new XmlDocumentError(`annidamento oltre ${MAX_DEPTH} livelli`)
  const attributes = isRecord(node[':@']) ? node[':@'] : {}
  const scope = new Map(inherited)
  const written: XmlAttribute[] = []
  for (const [name, raw] of Object.entries(attributes)) {
    if (name === 'xmlns') scope.set('', decodeReferences(String(raw)))
    else if (name.startsWith('xmlns:')) scope.set(name.slice('xmlns:'.length), decodeReferences(String(raw)))
  }
  for (const [name, raw] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue
    const colon = name.indexOf(':')
    const attributeNamespace = colon === -1 ? undefined : scope.get(name.slice(0, colon))
    if (colon !== -1 && attributeNamespace === undefined) {
      throw new XmlDocumentError(`il prefisso '${name.slice(0, colon)}' dell'attributo ${name} non è dichiarato`)
    }
    written.push({ namespace: attributeNamespace, qualifiedName: name, value: decodeReferences(String(raw)) })
  }
  const separator = qualifiedName.indexOf(':')
  const prefix = separator === -1 ? '' : qualifiedName.slice(0, separator)
  const localName = separator === -1 ? qualifiedName : qualifiedName.slice(separator + 1)
  const declared = scope.get(prefix)
  if (prefix !== '' && declared === undefined) {
    throw new XmlDocumentError(`il prefisso '${prefix}' di <${qualifiedName}> non è dichiarato`)
  }
  // xmlns="" takes an element back out of any default namespace.
  const namespace = declared === '' ? undefined : declared

  const children: XmlElement[] = []
  let text = ''
  const content = node[qualifiedName]
  for (const child of Array.isArray(content) ? content : []) {
    if (!isRecord(child)) continue
    if ('#text' in child) text += decodeReferences(String(child['#text']))
    else if ('#cdata' in child) text += cdataText(child['#cdata'])
    else if (elementName(child) !== undefined) children.push(toElement(child, scope, depth + 1))
  }
  return { namespace, localName, qualifiedName, children, text, attributes: written }
}

function cdataText(content: unknown): string {
  if (!Array.isArray(content)) return ''
  return content.map((part) => (isRecord(part) && '#text' in part ? String(part['#text']) : '')).join('')
}

/** Decodes the five predefined entities and character references; anything else is refused. */
function decodeReferences(raw: string): string {
  let decoded = ''
  let consumed = 0
  for (const match of raw.matchAll(REFERENCE)) {
    decoded += bareText(raw.slice(consumed, match.index)) + decodeReference(match[0], match[1] as string)
    consumed = match.index + match[0].length
  }
  return decoded + bareText(raw.slice(consumed))
}

function decodeReference(whole: string, body: string): string {
  if (body.startsWith('#')) {
    const codePoint = body.startsWith('#x') ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10)
    if (!isXmlCharacter(codePoint)) throw new XmlDocumentError(`riferimento a carattere non valido ${whole}`)
    return String.fromCodePoint(codePoint)
  }
  const value = PREDEFINED[body]
  if (value === undefined) throw new XmlDocumentError(`entità sconosciuta ${whole}`)
  return value
}

function bareText(text: string): string {
  if (text.includes('&')) throw new XmlDocumentError("carattere '&' non valido: va scritto &amp;")
  return text
}

function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
