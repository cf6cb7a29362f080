import type { Key, ReactNode } from 'react';
import styles from './ui.module.css';

export interface Column<Row> {
  header: string;
  cell: (row: Row, index: number) => ReactNode;
  /** This column names the row (a `th scope="row"`), e.g. a username or a test name. */
  rowHeader?: boolean;
  className?: string | ((row: Row) => string | undefined);
}

interface DataTableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row, index: number) => Key;
  /** Names a scrolling box around the table: a wide table scrolls sideways in it rather than widening the page on a phone. */
  scrollLabel?: string;
  className?: string;
}

/** A table of rows, one column definition per column: the one way the pages show tabular data. */
export function DataTable<Row>({ columns, rows, rowKey, scrollLabel, className }: DataTableProps<Row>) {
  const table = (
    <table className={[styles.table, className].filter(Boolean).join(' ')}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.header} scope="col">
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row, index)}>
            {columns.map((column) => {
              const className = typeof column.className === 'function' ? column.className(row) : column.className;
              return column.rowHeader ? (
                <th key={column.header} scope="row" className={className}>
                  {column.cell(row, index)}
                </th>
              ) : (
                <td key={column.header} className={className}>
                  {column.cell(row, index)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
  if (!scrollLabel) return table;
  return (
    // Focusable so that keyboard users can scroll it too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className={styles.scroll} aria-label={scrollLabel} tabIndex={0}>
      {table}
    </section>
  );
}
