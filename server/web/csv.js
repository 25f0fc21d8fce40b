// RFC 4180 CSV reading and writing for officers' spreadsheets, done in the browser.
// Reading follows the service's CSV reader (docs/enterprise-profile.md#csv-format): records are
// numbered with the header as record 1, blank lines are not records, a quoted cell may hold line
// breaks, and a stray quote stops the whole file at its record.

export class CsvError extends Error {
  constructor(record, message) {
    super(`CSV record ${record}: ${message}`);
    this.record = record;
  }
}

// Parses `text` (a BOM, if any, already removed) into [{record, cells}], where `record` is the
// CSV record number (1 = header). Throws CsvError on a quoting error.
export function parseCsv(text) {
  const records = [];
  let cells = [];
  let cell = '';
  let quoted = false;       // inside a quoted cell
  let wasQuoted = false;    // the current cell was quoted and has been closed
  let started = false;      // the current record has any character
  let record = 1;
  const n = text.length;
  const endCell = () => {
    cells.push(wasQuoted ? cell : cell.replace(/^[ \t]+|[ \t]+$/g, ''));
    cell = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    if (started) {
      endCell();
      records.push({ record, cells });
      record += 1;
    }
    cells = [];
    cell = '';
    wasQuoted = false;
    started = false;
  };
  for (let i = 0; i < n; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        cell += c;
      }
      continue;
    }
    if (c === ',') {
      started = true;
      endCell();
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
    } else if (c === '"') {
      if (cell.trim() !== '' || wasQuoted) {
        throw new CsvError(record, 'a quote inside a cell must be doubled and the cell quoted');
      }
      cell = '';
      quoted = true;
      started = true;
    } else {
      if (wasQuoted && c !== ' ' && c !== '\t') {
        throw new CsvError(record, 'text after the closing quote of a cell');
      }
      if (!wasQuoted) cell += c;
      started = true;
    }
  }
  if (quoted) throw new CsvError(record, 'a quoted cell is not closed');
  endRecord();
  return records;
}

// Quotes one cell for Excel: RFC 4180 quoting, and a cell that a spreadsheet would run as a
// formula (= + - @ tab CR first) is prefixed with ' (OWASP CSV injection), as the CLI does.
export function csvCell(value) {
  const s = value == null ? '' : String(value);
  const formula = /^[=+\-@\t\r]/.test(s);
  if (!formula && !/[",\r\n]/.test(s)) return s;
  return `"${formula ? "'" : ''}${s.replace(/"/g, '""')}"`;
}

// Builds CSV text from rows of cells: CRLF line ends, UTF-8 BOM first so that Excel shows Thai.
export function toCsv(rows) {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

// Decodes file bytes: UTF-8 (BOM skipped); when that fails, Windows-874 (what Excel's plain
// "CSV" writes on a Thai Windows) with `fallback` set so the page can warn.
export function decodeCsvBytes(buffer) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
    return { text, fallback: false };
  } catch {
    return { text: new TextDecoder('windows-874').decode(buffer), fallback: true };
  }
}
