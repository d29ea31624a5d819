/** A polite "loading" state, announced once. */
export function Loading({ label = 'Caricamento in corso…' }: { label?: string }) {
  return (
    <div role="status" className="d-flex align-items-center gap-2 my-3">
      <span className="spinner-border spinner-border-sm" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}
