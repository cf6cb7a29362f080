// The code editor of the exercise page: CodeMirror 6 with the exercise's language. This module
// (and CodeMirror with it) is loaded only by the exercise page, so other pages stay small.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useRef } from 'react';
import styles from './exercises.module.css';

export type EditorLanguage = 'javascript' | 'typescript' | 'python';

function languageSupport(language: EditorLanguage): Extension[] {
  if (language === 'python') return [python(), indentUnit.of('    ')];
  return [javascript({ typescript: language === 'typescript' }), indentUnit.of('  ')];
}

// Colours come from CSS variables (exercises.module.css), so light and dark themes both keep
// readable contrast.
const highlightStyle = HighlightStyle.define([
  {
    tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword],
    color: 'var(--code-keyword)',
  },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--code-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--code-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--code-comment)', fontStyle: 'italic' },
  {
    tag: [tags.function(tags.variableName), tags.function(tags.propertyName), tags.definition(tags.variableName)],
    color: 'var(--code-function)',
  },
  { tag: [tags.typeName, tags.className], color: 'var(--code-type)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '&.cm-focused': { outline: '3px solid var(--focus)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--code-selection)' },
});

export interface CodeEditorProps {
  language: EditorLanguage;
  /** The text the editor starts with; later changes of this prop are ignored. */
  initialCode: string;
  onChange: (code: string) => void;
  label: string;
  /** The id of what describes the text (a hint, an error). */
  describedBy?: string | undefined;
  invalid?: boolean | undefined;
}

function ariaAttributes(label: string, describedBy: string | undefined, invalid: boolean | undefined): Extension {
  return EditorView.contentAttributes.of({
    'aria-label': label,
    ...(describedBy && { 'aria-describedby': describedBy }),
    ...(invalid && { 'aria-invalid': 'true' }),
  });
}

/** A labelled CodeMirror editor: highlighting and auto-indent for the language; Tab indents (Esc, then Tab leaves). */
export function CodeEditor({ language, initialCode, onChange, label, describedBy, invalid }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  // The ARIA attributes change with the form's errors, without restarting the editor.
  const aria = useRef(new Compartment());
  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor owns its text after it starts
  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initialCode,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(highlightStyle),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          languageSupport(language),
          theme,
          EditorView.lineWrapping,
          aria.current.of(ariaAttributes(label, describedBy, invalid)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, [language, label]);
  useEffect(() => {
    view.current?.dispatch({ effects: aria.current.reconfigure(ariaAttributes(label, describedBy, invalid)) });
  }, [label, describedBy, invalid]);
  return <div ref={host} className={styles.editor} data-language={language} />;
}
