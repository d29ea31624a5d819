import { autocompletion } from '@codemirror/autocomplete'
import { json, jsonLanguage, jsonParseLinter } from '@codemirror/lang-json'
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { EditorState } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import { handleRefresh, jsonCompletion, jsonSchemaLinter, parseJSONDocumentState, stateExtensions } from 'codemirror-json-schema'
import { useEffect, useRef } from 'react'

/** A JSON Schema, as codemirror-json-schema takes it. */
export type EditorSchema = Parameters<typeof stateExtensions>[0]

export interface JsonSchemaEditorProps {
  /** The id of the element naming the editor (its visible label). */
  labelledBy: string
  describedBy?: string
  value: string
  onChange: (value: string) => void
  /** The JSON Schema completion and inline errors come from; undefined: JSON syntax only. */
  schema?: EditorSchema
  /**
   * Problems the moderation service found in this file on "Verifica" (JSON pointer and reason),
   * marked where they are until the next edit.
   */
  issues?: readonly { path: string; reason: string }[]
}

/** The issues as diagnostics: each at its JSON pointer, or the nearest enclosing one found. */
function diagnosticsOf(view: EditorView, issues: readonly { path: string; reason: string }[]): Diagnostic[] {
  const { pointers } = parseJSONDocumentState(view.state)
  const length = view.state.doc.length
  return issues.map((issue) => {
    let pointer = issue.path
    let found = pointers.get(pointer)
    while (!found && pointer !== '') {
      pointer = pointer.slice(0, pointer.lastIndexOf('/'))
      found = pointers.get(pointer)
    }
    const value = found && 'valueFrom' in found ? { from: found.valueFrom, to: found.valueTo } : undefined
    const from = value?.from ?? found?.keyFrom ?? 0
    const to = value?.to ?? found?.keyTo ?? Math.min(1, length)
    return { from, to, severity: 'error', message: `${issue.path || '/'}: ${issue.reason}`, source: 'moderazione' }
  })
}

/**
 * A JSON editor (CodeMirror 6) that completes property names and values from a JSON Schema and
 * marks what breaks it inline. Loaded on demand with the rule page only (it weighs more than the
 * rest of the console). The editable area is named by `labelledBy`, so screen readers and tests
 * find it by its label; Tab leaves the editor (Esc then Tab, CodeMirror's default, is not needed).
 */
export default function JsonSchemaEditor(props: JsonSchemaEditorProps) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const onChange = useRef(props.onChange)
  onChange.current = props.onChange

  useEffect(() => {
    if (!host.current) return
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          basicSetup,
          json(),
          lintGutter(),
          linter(jsonParseLinter()),
          ...(props.schema
            ? [
                linter(jsonSchemaLinter(), { needsRefresh: handleRefresh }),
                jsonLanguage.data.of({ autocomplete: jsonCompletion() }),
                stateExtensions(props.schema),
              ]
            : []),
          autocompletion(),
          EditorView.contentAttributes.of({
            'aria-labelledby': props.labelledBy,
            ...(props.describedBy ? { 'aria-describedby': props.describedBy } : {}),
            'aria-multiline': 'true',
            spellcheck: 'false',
          }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange.current(update.state.doc.toString())
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // The editor is built once per schema and label; the text follows below.
  }, [props.schema, props.labelledBy, props.describedBy])

  // A value set from outside (the file loaded, a version restored) replaces the text.
  useEffect(() => {
    const editor = view.current
    if (!editor || editor.state.doc.toString() === props.value) return
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: props.value } })
  }, [props.value])

  useEffect(() => {
    const editor = view.current
    if (!editor || !props.issues) return
    editor.dispatch(setDiagnostics(editor.state, diagnosticsOf(editor, props.issues)))
  }, [props.issues])

  return <div ref={host} className="json-editor border rounded" />
}
