import { describe, expect, it } from 'vitest'
import { decodeText, parseCsv } from './csv.js'

describe('CSV as spreadsheets export it', () => {
  it('reads semicolons, quotes, CRLF and blank lines with their file lines', () => {
    const text = 'telefono;nome\r\n"347 123 4567";"Rossi; Maria"\r\n\r\n3471234568;"Bianchi ""Gigi"""\r\n'
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['telefono', 'nome'] },
      { line: 2, fields: ['347 123 4567', 'Rossi; Maria'] },
      { line: 4, fields: ['3471234568', 'Bianchi "Gigi"'] },
    ])
  })

  it('reads commas and a last line without newline', () => {
    expect(parseCsv('phone,name\n+393471234567,Anna')).toEqual([
      { line: 1, fields: ['phone', 'name'] },
      { line: 2, fields: ['+393471234567', 'Anna'] },
    ])
  })

  it('decodes UTF-8 with BOM and Windows-1252', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('a')
    expect(decodeText(new Uint8Array([0x4e, 0x69, 0x63, 0x63, 0xf2]))).toBe('Niccò')
  })
})
