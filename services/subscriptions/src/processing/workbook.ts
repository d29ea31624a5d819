import type { CsvRecord } from './csv.js'

/** An Excel workbook (.xlsx, a ZIP container) rather than text: it starts with ZIP's local header. */
export function isWorkbook(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

/** The workbook could not be read as a spreadsheet. */
export class UnreadableWorkbookError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the file is not a readable Excel (.xlsx) workbook', options)
    this.name = 'UnreadableWorkbookError'
  }
}

const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value)
}

/**
 * The first sheet of an .xlsx workbook as records, one per row with content, numbered as the sheet
 * numbers its rows. Numbers are kept as the text the sheet stores (`393471234567`, never
 * `3.93E+11`), so a number column reads as the phone numbers typed in it. The reader is loaded
 * only when a workbook arrives.
 */
export async function readWorkbook(bytes: Uint8Array): Promise<CsvRecord[]> {
  const { readSheet } = await import('read-excel-file/node')
  let rows: unknown[][]
  try {
    rows = await readSheet<string>(Buffer.from(bytes), { parseNumber: (text: string) => text })
  } catch (error) {
    throw new UnreadableWorkbookError({ cause: error })
  }
  return rows.map((row, i) => ({ line: i + 1, fields: row.map(cellText) })).filter((record) => record.fields.some((field) => field.trim() !== ''))
}
