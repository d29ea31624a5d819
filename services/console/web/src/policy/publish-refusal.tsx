import { ApiError } from '../api/api-client'
import type { CaseFailure, RulesetIssue } from '../api/policy-types'
import { ProblemAlert } from '../components/problem-alert'

const isIssue = (e: unknown): e is RulesetIssue => typeof e === 'object' && e !== null && 'reason' in e && 'file' in e
const isFailure = (e: unknown): e is CaseFailure => typeof e === 'object' && e !== null && 'expectation' in e && 'text' in e

/**
 * A publish or rollback the moderation service refused: the reason, then each file, JSON path
 * and reason (an invalid file) or each failing case. The rules in force stay.
 */
export function PublishRefusal({ error }: { error: unknown }) {
  const errors = error instanceof ApiError && Array.isArray(error.problem.errors) ? (error.problem.errors as unknown[]) : []
  if (errors.length === 0) return <ProblemAlert error={error} title="Pubblicazione rifiutata: le regole in vigore restano quelle di prima." />
  return (
    <div className="alert alert-danger" role="alert" data-testid="pubblicazione-rifiutata">
      <strong className="d-block">Pubblicazione rifiutata: le regole in vigore restano quelle di prima.</strong>
      <ul className="mb-0">
        {errors.map((e, n) =>
          isIssue(e) ? (
            <li key={n}>
              <code>{e.file}</code> {e.path ? <code>{e.path}</code> : null}: {e.reason}
            </li>
          ) : isFailure(e) ? (
            <li key={n}>
              «{e.text}»: {e.expectation === 'match' ? 'doveva essere intercettato e non lo è' : 'doveva passare ed è stato intercettato'} — <code>{e.file}</code> /{e.expectation}/{e.index}
            </li>
          ) : null,
        )}
      </ul>
    </div>
  )
}
