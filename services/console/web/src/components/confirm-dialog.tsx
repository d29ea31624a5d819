import { useEffect, useId, useRef, type ReactNode } from 'react'

/**
 * A modal confirmation on the native <dialog>: focus moves into it and is held there, Escape
 * cancels, focus returns to what opened it.
 */
export function ConfirmDialog(props: {
  open: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  cancelLabel?: string
  danger?: boolean
  busy?: boolean
  confirmDisabled?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const opener = useRef<Element | null>(null)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (props.open && !dialog.open) {
      opener.current = document.activeElement
      dialog.showModal()
    } else if (!props.open && dialog.open) {
      dialog.close()
      if (opener.current instanceof HTMLElement) opener.current.focus()
    }
  }, [props.open])

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="console-dialog p-0 border-0 rounded shadow"
      onCancel={(e) => {
        e.preventDefault()
        props.onCancel()
      }}
    >
      <div className="p-4">
        <h2 id={titleId} className="h4">
          {props.title}
        </h2>
        <div className="my-3">{props.children}</div>
        <div className="d-flex gap-2 justify-content-end">
          <button type="button" className="btn btn-outline-primary" onClick={props.onCancel}>
            {props.cancelLabel ?? 'Annulla'}
          </button>
          <button
            type="button"
            className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`}
            onClick={props.onConfirm}
            disabled={props.busy || props.confirmDisabled}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  )
}
