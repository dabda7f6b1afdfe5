/** Small charts as SVG (log-scale y), for the benchmark results; no plotting library needed. */
export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

const W = 760;
const H = 440;
const m = { l: 70, r: 230, t: 40, b: 50 };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#d62728", "#e377c2", "#7f7f7f"];

/** The frame both charts share: title, log-scale y grid in ms/s, and the y scale. */
function logFrame(title: string, ys: number[]): { out: string[]; sy: (y: number) => number } {
  const y0 = Math.pow(10, Math.floor(Math.log10(Math.min(...ys))));
  const y1 = Math.pow(10, Math.ceil(Math.log10(Math.max(...ys))));
  const sy = (y: number) => H - m.b - ((Math.log10(Math.max(y, y0)) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let d = y0; d <= y1; d *= 10) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(d)}" y2="${sy(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${sy(d) + 4}" text-anchor="end">${d >= 1000 ? d / 1000 + " s" : d + " ms"}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  return { out, sy };
}

export function lineChartSvg(p: { title: string; xLabel: string; yLabel: string; series: Series[] }): string {
  const xs = p.series.flatMap((s) => s.points.map(([x]) => x));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const { out, sy } = logFrame(p.title, p.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y > 0));
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${H - m.b + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => y > 0).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts.join(" ")}"/>`);
    for (const pt of pts) out.push(`<circle cx="${pt.split(",")[0]}" cy="${pt.split(",")[1]}" r="3" fill="${s.color}"/>`);
    const ly = m.t + 10 + i * 20;
    out.push(`<line x1="${W - m.r + 15}" x2="${W - m.r + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    out.push(`<text x="${W - m.r + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Bars in groups (log-scale y), one color per bar label, e.g. each client's time per data set. */
export function barChartSvg(p: { title: string; yLabel: string; groups: { group: string; bars: { label: string; value: number }[] }[] }): string {
  const labels = [...new Set(p.groups.flatMap((g) => g.bars.map((b) => b.label)))];
  const { out, sy } = logFrame(p.title, p.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0));
  const gw = (W - m.l - m.r) / p.groups.length;
  const bw = (gw * 0.8) / labels.length;
  p.groups.forEach((g, gi) => {
    const gx = m.l + gi * gw + gw * 0.1;
    for (const b of g.bars) {
      const x = gx + labels.indexOf(b.label) * bw;
      const y = sy(b.value);
      out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(H - m.b - y).toFixed(1)}" fill="${COLORS[labels.indexOf(b.label) % COLORS.length]}"><title>${esc(`${b.label}: ${b.value} ms`)}</title></rect>`);
    }
    out.push(`<text x="${(gx + gw * 0.4).toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${esc(g.group)}</text>`);
  });
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  labels.forEach((l, i) => {
    const ly = m.t + 10 + i * 20;
    out.push(`<rect x="${W - m.r + 15}" y="${ly - 6}" width="25" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${W - m.r + 46}" y="${ly + 4}">${esc(l)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
