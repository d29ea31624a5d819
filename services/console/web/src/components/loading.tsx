import { Spinner } from 'design-react-kit'

/** A polite "loading" state, announced once. */
export function Loading({ label = 'Caricamento in corso…' }: { label?: string }) {
  return (
    <div role="status" className="d-flex align-items-center gap-2 my-3">
      {/* The spinner's own screen-reader label would repeat the visible one. */}
      <span aria-hidden="true">
        <Spinner active small />
      </span>
      <span>{label}</span>
    </div>
  )
}
