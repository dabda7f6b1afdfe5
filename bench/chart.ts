/** A small line chart as SVG (log-scale y), for the benchmark curves; no plotting library needed. */
export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export function lineChartSvg(p: { title: string; xLabel: string; yLabel: string; series: Series[] }): string {
  const W = 760;
  const H = 440;
  const m = { l: 70, r: 230, t: 40, b: 50 };
  const xs = p.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y > 0);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.pow(10, Math.floor(Math.log10(Math.min(...ys))));
  const y1 = Math.pow(10, Math.ceil(Math.log10(Math.max(...ys))));
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((Math.log10(Math.max(y, y0)) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - m.t - m.b);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(p.title)}</text>`,
  ];
  for (let d = y0; d <= y1; d *= 10) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(d)}" y2="${sy(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${sy(d) + 4}" text-anchor="end">${d >= 1000 ? d / 1000 + " s" : d + " ms"}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${H - m.b + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
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
