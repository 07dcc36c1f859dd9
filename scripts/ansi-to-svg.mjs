// Renders a terminal screen captured with its ANSI SGR escapes (`tmux capture-pane -p -e`) as an
// SVG of a dark terminal: one <text> per run of equally styled characters, placed on a fixed
// character grid, with background rectangles for coloured or inverse cells.

/** The xterm palette of the 16 basic colours. */
const PALETTE = [
  '#1d1f21',
  '#cc6666',
  '#b5bd68',
  '#f0c674',
  '#81a2be',
  '#b294bb',
  '#8abeb7',
  '#c5c8c6',
  '#666666',
  '#d54e53',
  '#b9ca4a',
  '#e7c547',
  '#7aa6da',
  '#c397d8',
  '#70c0b1',
  '#eaeaea',
];
const FG = '#c5c8c6';
const BG = '#1d1f21';

/** The colour of xterm-256 index `n`. */
function color256(n) {
  if (n < 16) return PALETTE[n];
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `rgb(${v[Math.floor(i / 36)]},${v[Math.floor(i / 6) % 6]},${v[i % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

/** Applies one SGR sequence's parameters to `s` (a style, changed in place). */
function applySgr(s, params) {
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === 0)
      Object.assign(s, {
        fg: null,
        bg: null,
        bold: false,
        dim: false,
        italic: false,
        underline: false,
        inverse: false,
      });
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c === 27) s.inverse = false;
    else if (c >= 30 && c <= 37) s.fg = PALETTE[c - 30];
    else if (c >= 90 && c <= 97) s.fg = PALETTE[c - 90 + 8];
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = PALETTE[c - 40];
    else if (c >= 100 && c <= 107) s.bg = PALETTE[c - 100 + 8];
    else if (c === 49) s.bg = null;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? 'fg' : 'bg';
      if (p[i + 1] === 5) {
        s[key] = color256(p[i + 2]);
        i += 2;
      } else if (p[i + 1] === 2) {
        s[key] = `rgb(${p[i + 2]},${p[i + 3]},${p[i + 4]})`;
        i += 4;
      }
    }
  }
}

const escapeXml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Splits a captured screen into lines of styled runs:
 * `[[{ text, col, fg, bg, bold, dim, italic, underline, inverse }]]`.
 */
export function parseAnsi(screen) {
  const style = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false };
  return screen.split('\n').map((line) => {
    const runs = [];
    let col = 0;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what the escapes start with
    const re = /\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|([^\x1b]+)/g;
    for (const m of line.matchAll(re)) {
      if (m[1] !== undefined) applySgr(style, m[1] ? m[1].split(';').map(Number) : []);
      else if (m[2] !== undefined) {
        const chars = [...m[2]];
        runs.push({ text: m[2], col, ...style });
        col += chars.length;
      }
    }
    return runs;
  });
}

/** The SVG of `screen`, `columns`×`rows` cells of a `fontSize` px monospace font. */
export function ansiToSvg(screen, { columns = 100, rows = 30, fontSize = 14, title = '' } = {}) {
  const cw = fontSize * 0.602;
  const lh = Math.round(fontSize * 1.3);
  const pad = 12;
  const top = title ? 28 : pad;
  const width = Math.ceil(columns * cw + 2 * pad);
  const height = top + rows * lh + pad;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" rx="6" fill="${BG}"/>`,
  ];
  out.push(`<g font-family="DejaVu Sans Mono, monospace" font-size="${fontSize}">`);
  if (title)
    out.push(
      `<text x="${pad}" y="19" font-family="DejaVu Sans Mono" font-size="12" fill="#888">${escapeXml(title)}</text>`,
    );
  parseAnsi(screen)
    .slice(0, rows)
    .forEach((runs, row) => {
      const y = top + row * lh;
      for (const r of runs) {
        const n = [...r.text].length;
        const fg = r.inverse ? (r.bg ?? BG) : (r.fg ?? FG);
        const bg = r.inverse ? (r.fg ?? FG) : r.bg;
        const x = pad + r.col * cw;
        if (bg)
          out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${(n * cw).toFixed(1)}" height="${lh}" fill="${bg}"/>`);
        if (!r.text.trim()) continue;
        const attrs = [
          `x="${x.toFixed(1)}"`,
          `y="${(y + fontSize).toFixed(1)}"`,
          `fill="${fg}"`,
          r.bold ? 'font-weight="bold"' : '',
          r.dim ? 'fill-opacity="0.6"' : '',
          r.italic ? 'font-style="italic"' : '',
          r.underline ? 'text-decoration="underline"' : '',
        ].filter(Boolean);
        out.push(`<text ${attrs.join(' ')} xml:space="preserve">${escapeXml(r.text)}</text>`);
      }
    });
  out.push('</g>', '</svg>');
  return out.join('\n');
}
