/**
 * @module components/usage-chart
 * Plain SVG charts over time for the analytics dashboard: bars (with an
 * optional second, stacked series such as errors) or a line. Each chart is a
 * figure named by its title, an SVG with <title>/<desc> for screen readers,
 * and a data table behind "Show data" as the accessible fallback.
 */
import { useId } from 'react';

export interface ChartPoint {
  at: string;
  value: number | null;
  /** The stacked part of a bar (e.g. errors), drawn over the value. */
  part?: number;
}

export interface UsageChartProps {
  title: string;
  kind: 'bar' | 'line';
  points: readonly ChartPoint[];
  format(value: number): string;
  valueLabel: string;
  partLabel?: string;
  /** How a bucket's time is shown on the axis and in the table. */
  formatTime(at: string): string;
}

const width = 640;
const height = 180;
const pad = { left: 48, right: 12, top: 12, bottom: 24 };

export function UsageChart({ title, kind, points, format, valueLabel, partLabel, formatTime }: UsageChartProps) {
  const id = useId();
  const values = points.map((point) => point.value ?? 0);
  const max = Math.max(1, ...values);
  const innerWidth = width - pad.left - pad.right;
  const innerHeight = height - pad.top - pad.bottom;
  const step = points.length === 0 ? innerWidth : innerWidth / points.length;
  const y = (value: number) => pad.top + innerHeight - (value / max) * innerHeight;
  const total = values.reduce((sum, value) => sum + value, 0);
  const peak = points.reduce<ChartPoint | null>((best, point) => ((point.value ?? 0) > (best?.value ?? -1) ? point : best), null);
  const summary =
    points.length === 0
      ? 'No data.'
      : `${points.length} points from ${formatTime(points[0]?.at ?? '')} to ${formatTime(points[points.length - 1]?.at ?? '')}; ${kind === 'bar' ? `total ${format(total)}` : `highest ${format(peak?.value ?? 0)}`}${peak && (peak.value ?? 0) > 0 ? `, peak at ${formatTime(peak.at)}` : ''}.`;
  const linePoints = points
    .map((point, index) => (point.value === null ? null : `${(pad.left + step * index + step / 2).toFixed(1)},${y(point.value).toFixed(1)}`))
    .filter((point): point is string => point !== null)
    .join(' ');

  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart-svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} className="chart-axis" />
        <line x1={pad.left} x2={width - pad.right} y1={y(max)} y2={y(max)} className="chart-gridline" />
        <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="chart-label">
          {format(max)}
        </text>
        <text x={pad.left - 6} y={y(0) + 4} textAnchor="end" className="chart-label">
          {format(0)}
        </text>
        {points.length > 0 ? (
          <>
            <text x={pad.left} y={height - 6} className="chart-label">
              {formatTime(points[0]?.at ?? '')}
            </text>
            <text x={width - pad.right} y={height - 6} textAnchor="end" className="chart-label">
              {formatTime(points[points.length - 1]?.at ?? '')}
            </text>
          </>
        ) : null}
        {kind === 'bar'
          ? points.map((point, index) => {
              const value = point.value ?? 0;
              const part = Math.min(point.part ?? 0, value);
              const x = pad.left + step * index + step * 0.15;
              const barWidth = Math.max(1, step * 0.7);
              return (
                <g key={point.at}>
                  {value > 0 ? <rect x={x} y={y(value)} width={barWidth} height={y(0) - y(value)} className="chart-bar" /> : null}
                  {part > 0 ? <rect x={x} y={y(part)} width={barWidth} height={y(0) - y(part)} className="chart-bar-part" /> : null}
                </g>
              );
            })
          : null}
        {kind === 'line' && linePoints !== '' ? <polyline points={linePoints} className="chart-line" /> : null}
        {kind === 'line'
          ? points.map((point, index) =>
              point.value === null ? null : <circle key={point.at} cx={pad.left + step * index + step / 2} cy={y(point.value)} r={3} className="chart-dot" />,
            )
          : null}
      </svg>
      <details className="chart-data">
        <summary>Show data</summary>
        <table className="table" aria-label={`${title} data`}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col" className="numeric">
                {valueLabel}
              </th>
              {partLabel ? (
                <th scope="col" className="numeric">
                  {partLabel}
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {points.map((point) => (
              <tr key={point.at}>
                <td>{formatTime(point.at)}</td>
                <td className="numeric">{point.value === null ? '—' : format(point.value)}</td>
                {partLabel ? <td className="numeric">{format(point.part ?? 0)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
