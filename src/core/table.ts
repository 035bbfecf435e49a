/**
 * Aligned text tables for terminals. Small enough that a dependency would cost more than it
 * saves; wide cells (command lines) are cut to the terminal width rather than wrapped, because a
 * wrapped table is harder to scan than a truncated one.
 */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: 'left' | 'right';
  /** Columns marked flexible give up width first when the table is too wide. */
  flexible?: boolean;
  /** Optional styling applied after padding, so color codes never disturb alignment. */
  style?: (text: string, row: Row) => string;
}

export interface TableOptions {
  /** Maximum line width; undefined means never truncate (pipes, files). */
  maxWidth?: number | undefined;
  headerStyle?: (text: string) => string;
  gap?: number;
}

export function renderTable<Row>(columns: Column<Row>[], rows: Row[], options: TableOptions = {}): string {
  const gap = options.gap ?? 2;
  const cells = rows.map((row) => columns.map((c) => sanitize(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  fitToWidth(columns, widths, gap, options.maxWidth);

  const pad = (text: string, i: number): string => {
    const width = widths[i]!;
    const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
    return columns[i]!.align === 'right' ? cut.padStart(width) : cut.padEnd(width);
  };
  const join = (parts: string[]): string => parts.join(' '.repeat(gap)).trimEnd();

  const header = join(columns.map((c, i) => (options.headerStyle ?? String)(pad(c.header, i))));
  const body = cells.map((r, ri) =>
    join(
      r.map((text, i) => (columns[i]!.style ? columns[i]!.style!(pad(text, i), rows[ri]!) : pad(text, i))),
    ),
  );
  return [header, ...body].join('\n');
}

function fitToWidth<Row>(columns: Column<Row>[], widths: number[], gap: number, maxWidth?: number): void {
  if (!maxWidth) return;
  const total = (): number => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  const flexible = columns.map((c, i) => (c.flexible ? i : -1)).filter((i) => i >= 0);
  for (const i of flexible.reverse()) {
    const excess = total() - maxWidth;
    if (excess <= 0) return;
    widths[i] = Math.max(columns[i]!.header.length, 8, widths[i]! - excess);
  }
}

/** Control characters in cells (from process command lines) would corrupt the terminal. */
function sanitize(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
