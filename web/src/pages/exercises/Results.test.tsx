import { render, screen, within } from '@testing-library/react';
import { Results } from './Results';

describe('the results of a run or submission', () => {
  it('shows expected against actual for each test, and what the program printed', () => {
    render(
      <Results
        title="Run on the examples"
        outcome={{
          status: 'failed',
          passed: 1,
          total: 2,
          stdout: 'debug: x is 5\n',
          results: [
            { name: 'example 1', status: 'passed', expected: 4, actual: 4, duration_ms: 1 },
            { name: 'example 2', status: 'failed', expected: [1, 'a'], actual: null, message: 'Wrong answer', duration_ms: 1 },
          ],
        }}
      />,
    );
    const region = screen.getByRole('region', { name: 'Run on the examples' });
    expect(within(region).getByRole('status')).toHaveTextContent('1 of 2 tests passed.');
    const row = within(region).getByRole('row', { name: /example 2/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['failed', '[1,"a"]', 'null', 'Wrong answer']);
    expect(screen.getByText('debug: x is 5')).toBeInTheDocument();
  });

  it.each([
    ['timeout', 'Time limit exceeded', 'time limit exceeded'],
    ['memory_limit', 'Memory limit exceeded', 'memory limit exceeded'],
    ['output_limit', 'Output limit exceeded', 'output limit exceeded'],
    ['error', 'Your code raised an error.', 'error'],
  ])('explains a %s in words, for the run and for the test', (status, summary, cell) => {
    render(
      <Results
        title="Graded submission"
        outcome={{ status, passed: 0, total: 1, stdout: '', results: [{ name: 'test 1', status, message: 'stopped', duration_ms: 2000 }] }}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(summary);
    expect(screen.getByRole('row', { name: /test 1/ })).toHaveTextContent(cell);
    // no expected/actual was given (a hidden test): empty cells, not "undefined"
    expect(screen.getByRole('row', { name: /test 1/ })).not.toHaveTextContent('undefined');
    expect(screen.queryByRole('heading', { name: 'Output' })).toBeNull();
  });

  it('says all tests passed when they did', () => {
    render(<Results title="Graded submission" outcome={{ status: 'passed', passed: 3, total: 3, stdout: '', results: [] }} />);
    expect(screen.getByRole('status')).toHaveTextContent('All 3 tests passed.');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
