import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from 'design-react-kit'
import { useId, type ReactNode } from 'react'

/**
 * A modal confirmation on the design system's Modal: focus moves into it and is held there
 * (trapFocus and Tab cycling), Escape cancels, a click on the backdrop does not (static, as the
 * native <dialog> it replaces), focus returns to what opened it when it closes or the page unmounts it.
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
  const titleId = useId()
  return (
    <Modal
      isOpen={props.open}
      toggle={() => props.onCancel()}
      labelledBy={titleId}
      backdrop="static"
      trapFocus
      returnFocusAfterClose
      centered
      // Shown at once: a fading dialog is half-transparent for its first 300 ms (unreadable, and
      // motion a confirmation does not need).
      fade={false}
    >
      <ModalHeader id={titleId}>{props.title}</ModalHeader>
      <ModalBody>{props.children}</ModalBody>
      <ModalFooter>
        <Button type="button" color="primary" outline onClick={props.onCancel}>
          {props.cancelLabel ?? 'Annulla'}
        </Button>
        <Button
          type="button"
          color={props.danger ? 'danger' : 'primary'}
          onClick={props.onConfirm}
          disabled={props.busy || props.confirmDisabled}
        >
          {props.confirmLabel}
        </Button>
      </ModalFooter>
    </Modal>
  )
}
