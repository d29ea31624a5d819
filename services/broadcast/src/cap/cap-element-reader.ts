// Reads the children of one CAP element: refuses unknown CAP elements, unqualified elements and
// repeated single elements, and names the element and its place in every reason.
import type { XmlElement } from './xml-document.js'

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2'
/** XML Schema instance attributes (xsi:schemaLocation...) are allowed on any element by XSD itself. */
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance'

/** A document that is well-formed XML but not valid CAP 1.2; `reason` is in Italian. */
export class CapValidationError extends Error {
  readonly code = 'CAP_INVALID'
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'CapValidationError'
  }
}

export class CapElementReader {
  private readonly byName = new Map<string, XmlElement[]>()

  /**
   * @param where where the element sits, for reasons: '' for the alert, ' in <info> n. 2', ...
   * @param allowed local names of the CAP children the element may have, in the order the CAP 1.2
   *   schema's sequence sets for them
   */
  constructor(
    readonly element: XmlElement,
    readonly where: string,
    allowed: readonly string[],
  ) {
    // The CAP 1.2 schema declares no attribute on any of its elements.
    for (const attribute of element.attributes) {
      if (attribute.namespace !== XSI_NAMESPACE) {
        this.fail(`attributo ${attribute.qualifiedName} non ammesso${where || ` su <${element.qualifiedName}>`}: lo schema CAP 1.2 non prevede attributi sui suoi elementi`)
      }
    }
    let previous: XmlElement | undefined
    for (const child of element.children) {
      if (child.namespace === CAP_NAMESPACE) {
        const position = allowed.indexOf(child.localName)
        if (position === -1) {
          this.fail(`elemento sconosciuto <${child.qualifiedName}>${where || ` in <${element.qualifiedName}>`}`)
        }
        // A repeated single element is refused where it is read, with that reason.
        if (previous !== undefined && allowed.indexOf(previous.localName) > position && !this.byName.has(child.localName)) {
          this.fail(
            `<${child.qualifiedName}>${where || ` in <${element.qualifiedName}>`} non può seguire <${previous.qualifiedName}>: lo schema CAP 1.2 fissa l'ordine degli elementi (${allowed.join(', ')})`,
          )
        }
        previous = child
        const siblings = this.byName.get(child.localName) ?? []
        siblings.push(child)
        this.byName.set(child.localName, siblings)
      } else if (child.namespace === undefined) {
        this.fail(`<${child.qualifiedName}>${where} è fuori dal namespace ${CAP_NAMESPACE}`)
      }
      // Elements of other namespaces are extensions the schema allows (XML signatures, encryption).
    }
    if (element.text.trim() !== '') this.fail(`testo inatteso in <${element.qualifiedName}>${where}`)
  }

  fail(reason: string): never {
    throw new CapValidationError(reason)
  }

  /** The trimmed text of a single optional element; undefined when absent or empty. */
  optional(name: string): string | undefined {
    const found = this.byName.get(name) ?? []
    if (found.length > 1) this.fail(`<${name}> compare più volte${this.where}`)
    const element = found[0]
    if (element === undefined) return undefined
    const text = this.leafText(element)
    return text === '' ? undefined : text
  }

  /**
   * The trimmed text of a single required element that the schema types as a plain string, so
   * that it may be present and empty (`<value/>`).
   */
  present(name: string): string {
    const found = this.byName.get(name) ?? []
    if (found.length === 0) this.fail(`manca <${name}>${this.where}`)
    return this.optional(name) ?? ''
  }

  required(name: string): string {
    const found = this.byName.get(name) ?? []
    if (found.length === 0) this.fail(`manca <${name}>${this.where}`)
    const text = this.optional(name)
    if (text === undefined) this.fail(`<${name}> è vuoto${this.where}`)
    return text
  }

  /** The trimmed texts of a repeatable element, in document order; empty ones are refused. */
  all(name: string): string[] {
    return this.elements(name).map((element) => {
      const text = this.leafText(element)
      if (text === '') this.fail(`<${name}> è vuoto${this.where}`)
      return text
    })
  }

  /** A required value from a closed list, compared exactly as the spec spells it. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.required(name)
    return this.checkOneOf(name, value, allowed)
  }

  checkOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(`<${name}> ha valore ${quoted(value)}${this.where}; valori ammessi: ${allowed.join(', ')}`)
    }
    return value as T
  }

  elements(name: string): XmlElement[] {
    return this.byName.get(name) ?? []
  }

  private leafText(element: XmlElement): string {
    if (element.children.length > 0) {
      this.fail(`<${element.qualifiedName}>${this.where} deve contenere solo testo`)
    }
    return element.text.trim()
  }
}

/** A value from the document, quoted and cut short so a reason stays one readable line. */
export function quoted(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ')
  return `'${oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine}'`
}
