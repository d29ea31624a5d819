import type { ElectoralPeriod, OutboundCheckView } from '@banditore/contracts'
import type { StaffPrincipal } from './auth/staff-auth.js'
import { ElectoralPoliticalContentError, ElectoralStatementRequiredError, FindingsNotAcknowledgedError } from './broadcast-errors.js'

// The approval rules shared by a broadcast, a recurring series and an occurrence's edited text.

/** An approver's statement during an electoral period says something: at least this many characters. */
export const STATEMENT_MIN_LENGTH = 30

/** What an approver sends with an approval. */
export interface ApprovalBody {
  acknowledgeFindings?: boolean
  note?: string
  statement?: string
}

/** The approver's statement recorded with an approval given during an electoral period. */
export interface ApprovalStatement {
  text: string
  electoralPeriod: string
}

type Holder = string | null | undefined

/**
 * Four eyes: whether `staff` is the author, as the same principal or as the same person (holder)
 * behind another token or session. The author's holder is read only when the principals differ.
 */
export async function isAuthor(
  staff: Pick<StaffPrincipal, 'tokenId' | 'holder'>,
  author: { tokenId: string | null; holder: () => Holder | Promise<Holder> },
): Promise<boolean> {
  return author.tokenId === staff.tokenId || (await author.holder()) === staff.holder
}

/** During an electoral period content flagged as political is refused, whoever approves or sends it. */
export function refusePolitical(check: OutboundCheckView, period: ElectoralPeriod): void {
  if (check.categories.includes('political-propaganda')) {
    throw new ElectoralPoliticalContentError(
      `è in corso il periodo elettorale "${period.name}": il controllo dei contenuti ha segnalato propaganda politica e durante il periodo non si può inviare, chiunque approvi (Legge 28/2000, art. 9)`,
    )
  }
}

/**
 * The approval guard: during an electoral period no political content and a statement of at least
 * STATEMENT_MIN_LENGTH characters; findings (or a check that did not run) acknowledged. Returns the
 * statement to record, null outside an electoral period.
 */
export function checkApproval(check: OutboundCheckView, period: ElectoralPeriod | null, body: ApprovalBody): ApprovalStatement | null {
  const statement = body.statement?.trim() ?? ''
  if (period) {
    refusePolitical(check, period)
    if (statement.length < STATEMENT_MIN_LENGTH) {
      throw new ElectoralStatementRequiredError(
        `è in corso il periodo elettorale "${period.name}" (Legge 28/2000, art. 9): per approvare indicare in statement, in almeno ${STATEMENT_MIN_LENGTH} caratteri, perché la comunicazione è impersonale e indispensabile alle funzioni del Comune`,
      )
    }
  }
  if (check.state !== 'clean' && body.acknowledgeFindings !== true) {
    throw new FindingsNotAcknowledgedError(
      check.state === 'flagged'
        ? `il controllo dei contenuti ha segnalato ${check.categories.join(', ')}; per approvare comunque indicare acknowledgeFindings: true`
        : 'il controllo dei contenuti non è stato eseguito; per approvare senza controllo indicare acknowledgeFindings: true',
    )
  }
  return period ? { text: statement, electoralPeriod: period.name } : null
}
