import { act, fireEvent, render, screen } from '@testing-library/react';
import { EditorView } from '@codemirror/view';
import { CodeEditor } from './CodeEditor';

function viewOf(element: HTMLElement): EditorView {
  const view = EditorView.findFromDOM(element);
  if (!view) throw new Error('no editor found');
  return view;
}

describe('the code editor', () => {
  it('is a labelled text box holding the starter code', () => {
    render(<CodeEditor language="python" initialCode={'def sum(x, y):\n    pass\n'} onChange={() => {}} label="Code" />);
    const editor = screen.getByRole('textbox', { name: 'Code' });
    expect(editor).toHaveTextContent('def sum(x, y):');
    expect(editor).toHaveAttribute('aria-multiline', 'true');
  });

  it('reports every change of the text', () => {
    const changes: string[] = [];
    render(<CodeEditor language="javascript" initialCode="" onChange={(code) => changes.push(code)} label="Code" />);
    const view = viewOf(screen.getByRole('textbox', { name: 'Code' }));
    act(() => view.dispatch({ changes: { from: 0, insert: 'const a = 1;' } }));
    expect(changes).toEqual(['const a = 1;']);
  });

  it.each([
    ['python', 'def f(x):', '    '],
    ['javascript', 'function f(x) {', '  '],
    ['typescript', 'function f(x: number): number {', '  '],
  ] as const)('indents the line after a block opener when Enter is pressed, in %s', (language, opener, indent) => {
    render(<CodeEditor language={language} initialCode={opener} onChange={() => {}} label="Code" />);
    const editor = screen.getByRole('textbox', { name: 'Code' });
    const view = viewOf(editor);
    act(() => view.dispatch({ selection: { anchor: opener.length } }));
    fireEvent.keyDown(editor, { key: 'Enter', code: 'Enter', keyCode: 13 });
    expect(view.state.doc.line(2).text).toBe(indent);
  });
});
